/**
 * Model files: versioned JSON written by `train --save` and the page's download button, read
 * by `sample --load` and the page. A file of another format, version or kind, or a corrupted
 * one, is refused with a message that says which.
 */
import { UserError } from '../errors.ts';
import { BOUNDARY, decode, escapeForTerminal, isControlSymbol, MAX_VOCAB } from '../data/dataset.ts';
import { SPLIT_SHUFFLES, type SplitShuffle } from '../data/split.ts';
import { OPTIMIZER_KINDS, type OptimizerKind } from '../ops/optimizers.ts';
import { countsToProbs } from './bigramCounts.ts';
import { bigramNetProbs } from './bigramNet.ts';
import { isNetModel, MODEL_KINDS, netModel, type NetModelKind } from './registry.ts';
import type { TensorSpec } from '../nn/layout.ts';
import type { SampleOptions } from './sequenceSample.ts';
import { MAX_SAMPLE_LENGTH, sampleWords } from './sample.ts';
import { BIGRAM_NET_RULES, checkNumber, describeRule, NET_TRAINING_RULES, RULES, type ModelKind, type NumberRule } from '../train/hyper.ts';

export const MODEL_FORMAT = 'makemore-webgpu/model';
export const MODEL_VERSION = 1;

/** A trained model: its kind, vocabulary, hyper-parameters, losses and weights (JSON: serializeModel, parseModel). */
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

/** A model file as JSON text (what parseModel reads back). */
export function serializeModel(m: Omit<ModelFile, 'format' | 'version'>): string {
  return JSON.stringify({ format: MODEL_FORMAT, version: MODEL_VERSION, ...m, weights: Array.from(m.weights) });
}

/** JSON text → a checked model file; `source` (a file name) starts every error's message. */
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
  if (m.hyper !== undefined && (typeof m.hyper !== 'object' || m.hyper === null || Array.isArray(m.hyper))) {
    throw new UserError(`${source}: corrupted model file: "hyper" must be an object, got ${JSON.stringify(m.hyper)}`);
  }
  const hyper = m.hyper ?? {};
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
  if (symbols[0] !== BOUNDARY) throw new UserError(`${source}: corrupted model file: "symbols" must start with the boundary ${JSON.stringify(BOUNDARY)}`);
  const control = symbols.findIndex((c, i) => i > 0 && isControlSymbol(c));
  if (control >= 0) throw new UserError(`${source}: corrupted model file: "symbols" holds the control character ${escapeForTerminal(symbols[control])}`);
  checkFileFields(m, hyper, source);
  if (m.kind === 'bigram-counts' && hyper.smoothing === 0) {
    // Without smoothing a row of zeros has no next symbol to sample.
    for (let x = 0; x < V; x++) {
      let total = 0;
      for (let y = 0; y < V; y++) total += w[x * V + y];
      if (total === 0) throw new UserError(`${source}: corrupted model file: the counts after ${x === 0 ? 'the boundary' : JSON.stringify(symbols[x])} are all 0 and "hyper.smoothing" is 0: nothing can follow it`);
    }
  }
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    kind: m.kind as ModelKind,
    symbols,
    hyper,
    steps: m.steps ?? 0,
    loss: typeof m.loss === 'number' ? m.loss : NaN,
    nll: typeof m.nll === 'number' ? m.nll : NaN,
    ...(typeof m.devLoss === 'number' ? { devLoss: m.devLoss } : {}),
    ...(typeof m.testLoss === 'number' ? { testLoss: m.testLoss } : {}),
    weights: w,
    ...(isNetModel(m.kind!) ? { tensors: tensorTable(m.kind!, V, hyper) } : {}),
  };
}

/** A field of a model file against the rule of its flag: the same limits as --smoothing, --lr, … */
function checkField(source: string, name: string, v: unknown, rule: NumberRule): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new UserError(`${source}: corrupted model file: "${name}" must be ${describeRule(rule)}, got ${JSON.stringify(v) ?? 'nothing'}`);
  }
  try {
    checkNumber(`"${name}"`, v, rule);
  } catch (e) {
    throw new UserError(`${source}: corrupted model file: ${(e as Error).message}`);
  }
}

/**
 * Every field beside the weights, by the rules of the flags that set it: the counting model's
 * smoothing (which sampling divides by), the training settings a file records, its steps and
 * losses (a loss may be null: JSON's NaN, e.g. of an empty dev split).
 */
function checkFileFields(m: Partial<ModelFile>, hyper: Record<string, unknown>, source: string): void {
  if (m.kind === 'bigram-counts') checkField(source, 'hyper.smoothing', hyper.smoothing, RULES.smoothing);
  const rules = m.kind === 'bigram-nn' ? BIGRAM_NET_RULES : isNetModel(m.kind!) ? NET_TRAINING_RULES : [];
  // A file may leave out how it was trained (sampling does not need it), but what it says must hold.
  for (const r of rules) if (hyper[r.key] !== undefined) checkField(source, `hyper.${r.key}`, hyper[r.key], r.rule);
  if (isNetModel(m.kind!) && hyper.optimizer !== undefined && !OPTIMIZER_KINDS.includes(hyper.optimizer as OptimizerKind)) {
    throw new UserError(`${source}: corrupted model file: "hyper.optimizer" must be one of ${OPTIMIZER_KINDS.join(', ')}, got ${JSON.stringify(hyper.optimizer)}`);
  }
  if (isNetModel(m.kind!) && hyper.shuffle !== undefined && !SPLIT_SHUFFLES.includes(hyper.shuffle as SplitShuffle)) {
    throw new UserError(`${source}: corrupted model file: "hyper.shuffle" must be one of ${SPLIT_SHUFFLES.join(', ')}, got ${JSON.stringify(hyper.shuffle)}`);
  }
  if (m.steps !== undefined) checkField(source, 'steps', m.steps, { integer: true, min: 0, max: RULES.steps.max });
  for (const key of ['loss', 'nll', 'devLoss', 'testLoss'] as const) {
    const v = m[key] as unknown;
    if (v !== undefined && v !== null && typeof v !== 'number') throw new UserError(`${source}: corrupted model file: "${key}" must be a number or null, got ${JSON.stringify(v)}`);
  }
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
    checkField(source, `hyper.${f.key}`, hyper[f.key], f.rule);
    out[f.key] = hyper[f.key];
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
    ? countsToProbs(m.weights, V, m.hyper.smoothing as number)
    : bigramNetProbs(Float64Array.from(m.weights), V);
}
