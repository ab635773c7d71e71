/**
 * Model files: versioned JSON written by `train --save` and the page's download button, read
 * by `sample --load` and the page. A file of another format, version or kind, or a corrupted
 * one, is refused with a message that says which.
 */
import { UserError } from '../errors.ts';
import { MAX_VOCAB } from '../data/dataset.ts';
import { countsToProbs } from './bigramCounts.ts';
import { bigramNetProbs } from './bigramNet.ts';
import { MODEL_KINDS, type ModelKind } from '../train/hyper.ts';

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
  loss: number;
  nll: number;
  /** bigram-counts: the V×V count table; bigram-nn: the V×V weights W. Row-major. */
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
  if (!Array.isArray(w) || w.length !== V * V || !w.every((v) => typeof v === 'number' && Number.isFinite(v))) {
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
    hyper: typeof m.hyper === 'object' && m.hyper ? m.hyper : {},
    steps: typeof m.steps === 'number' ? m.steps : 0,
    loss: typeof m.loss === 'number' ? m.loss : NaN,
    nll: typeof m.nll === 'number' ? m.nll : NaN,
    weights: w,
  };
}

/** The model's row-normalised next-symbol table, (V, V), for sampling and heatmaps. */
export function modelProbabilities(m: Pick<ModelFile, 'kind' | 'symbols' | 'weights' | 'hyper'>): Float64Array {
  const V = m.symbols.length;
  return m.kind === 'bigram-counts'
    ? countsToProbs(m.weights, V, m.hyper.smoothing ?? 0)
    : bigramNetProbs(Float64Array.from(m.weights), V);
}
