/**
 * The neural bigram's step, one op at a time: the lecture-shaped CPU twins of the GPU kernels
 * in shaders/ (same stems), and the example layout the kernels share. The fast CPU trainer is
 * bigramNetLossAndGrad (bigramNet.ts); these exist to check the GPU kernel by kernel.
 *
 * Shapes: N examples, B batch, V vocabulary, C chunk size, P partials. An example is packed
 * into one u32, x | y << 16.
 */
import type { Weights } from './bigramNet.ts';

export const packPair = (x: number, y: number): number => (x | (y << 16)) >>> 0;
export const pairX = (e: number): number => e & 0xffff;
export const pairY = (e: number): number => e >>> 16;

export function packPairs(xs: Uint32Array, ys: Uint32Array): Uint32Array {
  const pairs = new Uint32Array(xs.length); // (N,)
  for (let i = 0; i < xs.length; i++) pairs[i] = packPair(xs[i], ys[i]);
  return pairs;
}

/** Stable counting sort of packed examples by x: the order the chunked kernels need. */
export function sortPairsByX(pairs: Uint32Array, V: number): Uint32Array {
  const start = new Uint32Array(V + 1);
  for (const e of pairs) start[pairX(e) + 1]++;
  for (let x = 0; x < V; x++) start[x + 1] += start[x];
  const sorted = new Uint32Array(pairs.length);
  for (const e of pairs) sorted[start[pairX(e)]++] = e;
  return sorted;
}

/** Header length of a chunk table: [numChunks, firstChunk[0..V]] (see shaders/lib/bigram_common.wgsl). */
export const chunkRecords = (V: number): number => V + 2;

/** The most chunks n examples sorted by x can need. */
export const maxChunks = (n: number, V: number, C: number): number => Math.ceil(n / C) + V;

/**
 * The chunk table of examples sorted by x: runs of at most C examples with one x.
 * [numChunks, firstChunk of x for x = 0..V, then (first, end) per chunk].
 */
export function chunkTableCpu(sortedPairs: Uint32Array, V: number, C: number, capacity = maxChunks(sortedPairs.length, V, C)): Uint32Array {
  const table = new Uint32Array(chunkRecords(V) + 2 * capacity);
  const R = chunkRecords(V);
  let c = 0;
  let n = 0;
  for (let x = 0; x < V; x++) {
    table[1 + x] = c;
    const first = n;
    while (n < sortedPairs.length && pairX(sortedPairs[n]) === x) n++;
    for (let s = first; s < n; s += C) {
      table[R + 2 * c] = s;
      table[R + 2 * c + 1] = Math.min(s + C, n);
      c++;
    }
  }
  table[1 + V] = c;
  table[0] = c;
  return table;
}

/** batch_sort: the batch's examples sorted by x (stable) and their chunk table. */
export function sortBatchCpu(pairs: Uint32Array, indices: Uint32Array, V: number, C: number): { batchPairs: Uint32Array; chunks: Uint32Array } {
  const batch = new Uint32Array(indices.length);
  for (let b = 0; b < indices.length; b++) batch[b] = pairs[indices[b]];
  const batchPairs = sortPairsByX(batch, V);
  return { batchPairs, chunks: chunkTableCpu(batchPairs, V, C) };
}

/** onehot_matmul: logits[n] = W[x_n] (the one-hot matmul is a row gather). */
export function onehotMatmulCpu(W: Weights, pairs: Uint32Array, V: number): Float32Array {
  const logits = new Float32Array(pairs.length * V); // (N, V)
  for (let n = 0; n < pairs.length; n++) logits.set(W.subarray(pairX(pairs[n]) * V, pairX(pairs[n]) * V + V), n * V);
  return logits;
}

/** softmax_forward: row-wise stable softmax. */
export function softmaxForwardCpu(logits: Float32Array, V: number): Float32Array {
  const probs = new Float32Array(logits.length); // (N, V)
  for (let row = 0; row < logits.length; row += V) {
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, logits[row + j]);
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(logits[row + j] - m);
    for (let j = 0; j < V; j++) probs[row + j] = Math.exp(logits[row + j] - m) / s;
  }
  return probs;
}

/** nll_forward: Σ −log probs[n, y_n] over each group of `group` consecutive examples. */
export function nllForwardCpu(probs: Float32Array, pairs: Uint32Array, V: number, group: number): Float64Array {
  const partials = new Float64Array(Math.ceil(pairs.length / group)); // (P,)
  for (let n = 0; n < pairs.length; n++) partials[Math.floor(n / group)] -= Math.log(probs[n * V + pairY(pairs[n])]);
  return partials;
}

/** loss_finalize: Σ partials / n + reg·mean(W²). */
export function lossFinalizeCpu(partials: ArrayLike<number>, W: Weights, n: number, reg: number): number {
  let nll = 0;
  for (let i = 0; i < partials.length; i++) nll += partials[i];
  let sq = 0;
  for (let k = 0; k < W.length; k++) sq += W[k] * W[k];
  return nll / n + (reg * sq) / W.length;
}

/** softmax_nll_backward: dlogits = (probs − one-hot(y)) / n. */
export function softmaxNllBackwardCpu(probs: Float32Array, pairs: Uint32Array, V: number): Float32Array {
  const n = pairs.length;
  const dlogits = new Float32Array(probs.length); // (N, V)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < V; j++) dlogits[i * V + j] = (probs[i * V + j] - (j === pairY(pairs[i]) ? 1 : 0)) / n;
  }
  return dlogits;
}

/** onehot_matmul_backward: per chunk, the sum of its examples' dlogits rows. */
export function onehotMatmulBackwardCpu(dlogits: Float32Array, chunks: Uint32Array, V: number): Float64Array {
  const R = chunkRecords(V);
  const partials = new Float64Array(chunks[0] * V); // (numChunks, V)
  for (let c = 0; c < chunks[0]; c++) {
    for (let n = chunks[R + 2 * c]; n < chunks[R + 2 * c + 1]; n++) {
      for (let j = 0; j < V; j++) partials[c * V + j] += dlogits[n * V + j];
    }
  }
  return partials;
}

/** sgd_update: W ← W − lr·(Σ partials of row x + 2·reg/V²·W), in place. */
export function sgdUpdateFromPartialsCpu(W: Weights, partials: ArrayLike<number>, chunks: Uint32Array, V: number, lr: number, reg: number): void {
  for (let x = 0; x < V; x++) {
    for (let j = 0; j < V; j++) {
      let g = 0;
      for (let c = chunks[1 + x]; c < chunks[2 + x]; c++) g += partials[c * V + j];
      const i = x * V + j;
      W[i] -= lr * (g + ((2 * reg) / (V * V)) * W[i]);
    }
  }
}

/** bigram_step_fused: per chunk, Σ (softmax − one-hot(y)) and Σ −log p[y] (not yet divided by n). */
export function bigramStepFusedCpu(W: Weights, pairs: Uint32Array, chunks: Uint32Array, V: number): { partials: Float64Array; nllPartials: Float64Array } {
  const R = chunkRecords(V);
  const partials = new Float64Array(chunks[0] * V); // (numChunks, V)
  const nllPartials = new Float64Array(chunks[0]); // (numChunks,)
  const e = new Float64Array(V);
  for (let c = 0; c < chunks[0]; c++) {
    for (let n = chunks[R + 2 * c]; n < chunks[R + 2 * c + 1]; n++) {
      const row = pairX(pairs[n]) * V;
      const y = pairY(pairs[n]);
      let m = -Infinity;
      for (let j = 0; j < V; j++) m = Math.max(m, W[row + j]);
      let s = 0;
      for (let j = 0; j < V; j++) s += e[j] = Math.exp(W[row + j] - m);
      for (let j = 0; j < V; j++) partials[c * V + j] += e[j] / s;
      partials[c * V + y] -= 1;
      nllPartials[c] += Math.log(s) - (W[row + y] - m);
    }
  }
  return { partials, nllPartials };
}

/**
 * bigram_step_counts: the full-batch loss and gradient from the count table, O(V²) — every
 * example with input x shares softmax(W[x]), so dW[x] = (n_x·softmax(W[x]) − counts[x]) / N
 * + 2·reg/V²·W[x]. A different algorithm from the per-example step, equal to it up to rounding.
 */
export function bigramCountsLossAndGrad(W: Weights, counts: ArrayLike<number>, V: number, reg: number, grad: Float64Array | null): { loss: number; nll: number } {
  let N = 0;
  let nllSum = 0;
  let sq = 0;
  const e = new Float64Array(V);
  for (let x = 0; x < V; x++) {
    const row = x * V;
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, W[row + j]);
    let s = 0;
    let n = 0;
    for (let j = 0; j < V; j++) {
      s += e[j] = Math.exp(W[row + j] - m);
      n += counts[row + j];
      nllSum -= counts[row + j] * (W[row + j] - m);
      sq += W[row + j] * W[row + j];
    }
    nllSum += n * Math.log(s);
    N += n;
    if (grad) for (let j = 0; j < V; j++) grad[row + j] = (n * e[j]) / s - counts[row + j];
  }
  if (grad) for (let k = 0; k < V * V; k++) grad[k] = grad[k] / N + ((2 * reg) / (V * V)) * W[k];
  const nll = nllSum / N;
  return { nll, loss: nll + (reg * sq) / (V * V) };
}
