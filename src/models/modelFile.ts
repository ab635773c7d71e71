/**
 * Model files: versioned JSON written by `train --save` and the page's download button, read
 * by `sample --load` and the page. A file of another format, version or kind, or a corrupted
 * one, is refused with a message that says which.
 */
import { UserError } from '../errors.ts';
import { decode, MAX_VOCAB } from '../data/dataset.ts';
import { countsToProbs } from './bigramCounts.ts';
import { bigramNetProbs } from './bigramNet.ts';
import { mlpBigramView, mlpParamCount, sampleMlpTokens, type MlpShape } from './mlp.ts';
import { MAX_SAMPLE_LENGTH, sampleWords } from './sample.ts';
import { checkNumber, MODEL_KINDS, RULES, type ModelKind } from '../train/hyper.ts';

export const MODEL_FORMAT = 'makemore-webgpu/model';
export const MODEL_VERSION = 1;

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  kind: ModelKind;
  /** symbols[0] is the boundary token. */
  symbols: string[];
  /** The hyper-parameters it was trained with. */
  hyper: Record<string, number>;
  steps: number;
  /** The loss at the end: over all examples (bigrams), over the train split (mlp). */
  loss: number;
  nll: number;
  /** mlp: mean NLL over the dev and test splits at the end. */
  devLoss?: number;
  testLoss?: number;
  /**
   * bigram-counts: the V×V count table; bigram-nn: the V×V weights W. Row-major.
   * mlp: the flat parameter vector C (V, E), W1 (T·E, H), b1 (H,), W2 (H, V), b2 (V,), each
   * row-major, with T = hyper.blockSize, E = hyper.embed, H = hyper.hidden (src/models/mlp.ts).
   */
  weights: number[];
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
  if (m.kind === 'mlp') {
    const s = mlpShapeOf(V, hyper, source);
    const P = mlpParamCount(s);
    if (!Array.isArray(w) || w.length !== P || !w.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new UserError(
        `${source}: corrupted model file: "weights" must hold ${P} finite numbers (an mlp of vocabulary ${V}, block size ${s.T}, embedding ${s.E}, hidden ${s.H})`,
      );
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
  };
}

/** The shape of an mlp model file, from its vocabulary and hyper-parameters. */
export function mlpShapeOf(V: number, hyper: Record<string, unknown>, source = 'model'): MlpShape {
  const get = (key: 'blockSize' | 'embed' | 'hidden') => {
    const v = hyper[key];
    try {
      return checkNumber(`"hyper.${key}"`, typeof v === 'number' ? v : NaN, RULES[key]);
    } catch (e) {
      throw new UserError(`${source}: corrupted model file: ${(e as Error).message}`);
    }
  };
  return { V, T: get('blockSize'), E: get('embed'), H: get('hidden') };
}

/** `count` words sampled from the model (boundary-started, boundary-ended), a function of the seed. */
export function modelSamples(m: Pick<ModelFile, 'kind' | 'symbols' | 'weights' | 'hyper'>, count: number, seed: number): string[] {
  if (m.kind === 'mlp') {
    const s = mlpShapeOf(m.symbols.length, m.hyper);
    return sampleMlpTokens(Float32Array.from(m.weights), s, count, seed, MAX_SAMPLE_LENGTH).map((t) => decode(m.symbols, t));
  }
  return sampleWords(modelProbabilities(m), m.symbols, count, seed);
}

/**
 * The model's row-normalised next-symbol table, (V, V), for sampling bigrams and heatmaps.
 * An mlp sees more than one symbol: its row x is the distribution after the context
 * (boundary…, x) (mlpBigramView); sample it with modelSamples.
 */
export function modelProbabilities(m: Pick<ModelFile, 'kind' | 'symbols' | 'weights' | 'hyper'>): Float64Array {
  const V = m.symbols.length;
  if (m.kind === 'mlp') return mlpBigramView(Float32Array.from(m.weights), mlpShapeOf(V, m.hyper));
  return m.kind === 'bigram-counts'
    ? countsToProbs(m.weights, V, m.hyper.smoothing ?? 0)
    : bigramNetProbs(Float64Array.from(m.weights), V);
}
