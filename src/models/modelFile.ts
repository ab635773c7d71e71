/**
 * Model files: versioned JSON written by `train --save` and the page's download button, read
 * by `sample --load` and the page. A file of another format, version or kind, or a corrupted
 * one, is refused with a message that says which.
 */
import { UserError } from '../errors.ts';
import { decode, MAX_VOCAB } from '../data/dataset.ts';
import { countsToProbs } from './bigramCounts.ts';
import { bigramNetProbs } from './bigramNet.ts';
import { isNetModel, MODEL_KINDS, netModel, type NetModelKind } from './registry.ts';
import type { TensorSpec } from '../nn/layout.ts';
import type { SampleOptions } from './transformer/sample.ts';
import { MAX_SAMPLE_LENGTH, sampleWords } from './sample.ts';
import { checkNumber, RULES, type ModelKind } from '../train/hyper.ts';

export const MODEL_FORMAT = 'makemore-webgpu/model';
export const MODEL_VERSION = 1;

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  kind: ModelKind;
  /** symbols[0] is the boundary token. */
  symbols: string[];
  /** The hyper-parameters it was trained with. */
  hyper: Record<string, number | string>;
  steps: number;
  /** The loss at the end: over all examples (bigrams), over the train split (mlp). */
  loss: number;
  nll: number;
  /** mlp: mean NLL over the dev and test splits at the end. */
  devLoss?: number;
  testLoss?: number;
  /**
   * bigram-counts: the V×V count table; bigram-nn: the V×V weights W. Row-major.
   * A neural model (mlp): its tensors one after the other in the order of `tensors`, each
   * row-major (for the mlp C (V, E), W1 (T·E, H), b1 (H,), W2 (H, V), b2 (V,)).
   */
  weights: number[];
  /** A neural model: the name and shape of each tensor in `weights`, in order. */
  tensors?: TensorSpec[];
}

/** A neural model's tensor table, as a model file lists it. */
export function tensorTable(kind: ModelKind, V: number, hyper: object): TensorSpec[] | undefined {
  if (!isNetModel(kind)) return undefined;
  return netModel(kind).layout(V, netHyper(kind, hyper as Record<string, unknown>, 'model')).tensors.map((t) => ({ name: t.name, shape: [...t.shape] }));
}

export function serializeModel(m: Omit<ModelFile, 'format' | 'version'>): string {
  return JSON.stringify({ format: MODEL_FORMAT, version: MODEL_VERSION, ...m, weights: Array.from(m.weights) });
}

export function parseModel(text: string, source: string): ModelFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${source}: not a model file (invalid JSON: ${(e as Error).message})`);
  }
  const m = raw as Partial<ModelFile> | null;
  if (!m || typeof m !== 'object' || m.format !== MODEL_FORMAT) {
    throw new UserError(`${source}: not a model file of this tool (expected "format": "${MODEL_FORMAT}")`);
  }
  if (m.version !== MODEL_VERSION) {
    throw new UserError(`${source}: model file version ${JSON.stringify(m.version)} is not supported (this version reads ${MODEL_VERSION})`);
  }
  if (!MODEL_KINDS.includes(m.kind as ModelKind)) {
    throw new UserError(`${source}: unknown model kind ${JSON.stringify(m.kind)} (known: ${MODEL_KINDS.join(', ')})`);
  }
  const symbols = m.symbols;
  if (!Array.isArray(symbols) || symbols.length < 2 || symbols.length > MAX_VOCAB || !symbols.every((s) => typeof s === 'string' && [...s].length === 1)) {
    throw new UserError(`${source}: corrupted model file: "symbols" must be 2 to ${MAX_VOCAB} single-symbol strings`);
  }
  const V = symbols.length;
  const w = m.weights;
  const hyper = typeof m.hyper === 'object' && m.hyper ? m.hyper : {};
  if (isNetModel(m.kind!)) {
    const layout = netModel(m.kind!).layout(V, netHyper(m.kind!, hyper, source));
    const shapes = layout.tensors.map((t) => `${t.name} (${t.shape.join(', ')})`).join(', ');
    if (!Array.isArray(w) || w.length !== layout.count || !w.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new UserError(`${source}: corrupted model file: "weights" must hold ${layout.count} finite numbers (an ${m.kind} of vocabulary ${V}: ${shapes})`);
    }
    if (m.tensors !== undefined && JSON.stringify(m.tensors) !== JSON.stringify(layout.tensors.map((t) => ({ name: t.name, shape: t.shape })))) {
      throw new UserError(`${source}: corrupted model file: "tensors" does not match the model's tensors ${shapes}`);
    }
  } else if (!Array.isArray(w) || w.length !== V * V || !w.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new UserError(`${source}: corrupted model file: "weights" must hold ${V}×${V} = ${V * V} finite numbers`);
  }
  if (m.kind === 'bigram-counts' && !w.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new UserError(`${source}: corrupted model file: bigram counts must be non-negative integers`);
  }
  // symbols[0] is the boundary token; a '.' in the data is a symbol of its own after it, so only
  // the data's symbols (1..V-1) must be distinct.
  if (new Set(symbols.slice(1)).size !== V - 1) throw new UserError(`${source}: corrupted model file: "symbols" has duplicates`);
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    kind: m.kind as ModelKind,
    symbols,
    hyper,
    steps: typeof m.steps === 'number' ? m.steps : 0,
    loss: typeof m.loss === 'number' ? m.loss : NaN,
    nll: typeof m.nll === 'number' ? m.nll : NaN,
    ...(typeof m.devLoss === 'number' ? { devLoss: m.devLoss } : {}),
    ...(typeof m.testLoss === 'number' ? { testLoss: m.testLoss } : {}),
    weights: w,
    ...(isNetModel(m.kind!) ? { tensors: tensorTable(m.kind!, V, hyper) } : {}),
  };
}

/** The counting model's file: its count table. */
export function countsModelFile(symbols: string[], smoothing: number, counts: ArrayLike<number>, nll: number): ModelFile {
  return { format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'bigram-counts', symbols, hyper: { smoothing }, steps: 0, loss: nll, nll, weights: Array.from(counts) };
}

/** The neural bigram's file: its (V, V) weights. */
export function bigramNetModelFile(symbols: string[], hyper: object, weights: ArrayLike<number>, steps: number, parts: { loss: number; nll: number }): ModelFile {
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'bigram-nn', symbols, hyper: { ...(hyper as Record<string, number>) }, steps,
    loss: parts.loss, nll: parts.nll, weights: Array.from(weights),
  };
}

/** The model file of a neural model (any kind of the registry): its tensors by name, its split losses. */
export function netModelFile(
  kind: NetModelKind, symbols: string[], hyper: object, weights: ArrayLike<number>, steps: number, losses: { train: number; dev: number; test: number },
): ModelFile {
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, kind, symbols, hyper: { ...(hyper as Record<string, number | string>) }, steps,
    loss: losses.train, nll: losses.train, devLoss: losses.dev, testLoss: losses.test, weights: Array.from(weights), tensors: tensorTable(kind, symbols.length, hyper),
  };
}

/** A neural model file's hyper-parameters: the model's defaults, overridden by the file's checked numbers. */
export function netHyper(kind: ModelKind, hyper: Record<string, unknown>, source = 'model'): Record<string, unknown> {
  const def = netModel(kind);
  const out: Record<string, unknown> = { ...def.defaults };
  for (const f of [...def.fields, ...(def.fileFields ?? [])]) {
    const v = hyper[f.key];
    try {
      out[f.key] = checkNumber(`"hyper.${f.key}"`, typeof v === 'number' ? v : NaN, f.rule);
    } catch (e) {
      throw new UserError(`${source}: corrupted model file: ${(e as Error).message}`);
    }
  }
  return out;
}

/** `count` words sampled from the model (boundary-started, boundary-ended), a function of the seed. */
export function modelSamples(m: Pick<ModelFile, 'kind' | 'symbols' | 'weights' | 'hyper'>, count: number, seed: number, o?: SampleOptions): string[] {
  if (isNetModel(m.kind)) {
    const V = m.symbols.length;
    return netModel(m.kind).sample(m.weights, V, netHyper(m.kind, m.hyper), count, seed, MAX_SAMPLE_LENGTH, o).map((t) => decode(m.symbols, t));
  }
  return sampleWords(modelProbabilities(m), m.symbols, count, seed);
}

/**
 * The model's row-normalised next-symbol table, (V, V), for sampling bigrams and heatmaps.
 * A neural model sees more than one symbol: its row x is the distribution after the context
 * (boundary…, x); sample it with modelSamples.
 */
export function modelProbabilities(m: Pick<ModelFile, 'kind' | 'symbols' | 'weights' | 'hyper'>): Float64Array {
  const V = m.symbols.length;
  if (isNetModel(m.kind)) return netModel(m.kind).bigramView(m.weights, V, netHyper(m.kind, m.hyper));
  return m.kind === 'bigram-counts'
    ? countsToProbs(m.weights, V, Number(m.hyper.smoothing ?? 0))
    : bigramNetProbs(Float64Array.from(m.weights), V);
}
