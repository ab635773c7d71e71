/**
 * What the Transformer's heads look at: for one word, each layer's and each head's causal
 * attention probabilities, from one CPU forward of one row (float64). The attention op saves
 * them as the activation `h.<l>.attn.att`, (B, nh, T, T) row-major: row t (the query) is the
 * distribution over the keys t2 ≤ t. A word of n symbols is the sequence (boundary, c1 … cn):
 * T' = n + 1 positions; the model runs on the block size T, padded after the word, and only the
 * top-left T'×T' corner is kept (causal: the padding cannot change it).
 */
import { UserError } from '../../errors.ts';
import { CpuProgram } from '../../nn/cpuProgram.ts';
import { transformerGraph, type TransformerShape } from './net.ts';

export interface AttentionMap {
  layer: number;
  head: number;
  /** (T', T') row-major: rows are the queries, columns the keys; zero above the diagonal. */
  probs: Float64Array;
}

/** The name of layer l's saved attention probabilities (see Graph.attention). */
export const attentionActivation = (layer: number) => `h.${layer}.attn.att`;

/**
 * The tokens of a word as the model reads it: the boundary (token 0), then its symbols.
 * Throws a UserError that says what is wrong: empty, a symbol the model does not know, or
 * longer than the block size allows (T − 1 symbols: the boundary takes the first position).
 */
export function wordTokens(word: string, symbols: readonly string[], T: number): number[] {
  const chars = [...word];
  if (chars.length === 0) throw new UserError('type a word: it is empty');
  const index = new Map<string, number>();
  // Token 0 is the boundary, not a symbol a word may contain (even where it is the same text).
  for (let i = symbols.length - 1; i >= 1; i--) index.set(symbols[i], i);
  const tokens = [0];
  for (const c of chars) {
    const t = index.get(c);
    if (t === undefined) {
      const what = c === symbols[0] ? `"${c}" marks where a word starts and ends: it cannot be inside one` : `"${c}" is not in the model's vocabulary`;
      throw new UserError(`${what} (its symbols: ${symbols.slice(1).join('')})`);
    }
    tokens.push(t);
  }
  if (chars.length > T - 1) throw new UserError(`"${word}" has ${chars.length} symbols: the model reads at most ${T - 1} (block size ${T}, the first position is the start)`);
  return tokens;
}

/**
 * The attention probabilities of every layer and head for `tokens` (1 ≤ length ≤ T, starting
 * with the boundary 0), in order layer by layer, heads within a layer.
 */
export function attentionMaps(weights: ArrayLike<number>, shape: TransformerShape, tokens: ArrayLike<number>): AttentionMap[] {
  const { T, V, nh, L } = shape;
  const n = tokens.length;
  if (n < 1 || n > T) throw new Error(`a sequence of ${n} tokens: 1 to ${T}`);
  for (let i = 0; i < n; i++) if (!(tokens[i] >= 0 && tokens[i] < V)) throw new Error(`token ${tokens[i]} at ${i}: not in 0..${V - 1}`);
  const g = transformerGraph(shape, 1, false);
  const program = new CpuProgram(g, Float64Array.from(weights), g.paramLayout(), null, Float64Array);
  const padded = new Uint32Array(T);
  padded.set(tokens);
  program.run({ tokens: padded, targets: new Int32Array(T) }, new Uint32Array(1), false);
  const maps: AttentionMap[] = [];
  for (let layer = 0; layer < L; layer++) {
    const att = program.activation(attentionActivation(layer));
    for (let head = 0; head < nh; head++) {
      const probs = new Float64Array(n * n);
      for (let t = 0; t < n; t++) {
        const row = (head * T + t) * T;
        for (let t2 = 0; t2 < n; t2++) probs[t * n + t2] = att[row + t2];
      }
      maps.push({ layer, head, probs });
    }
  }
  return maps;
}
