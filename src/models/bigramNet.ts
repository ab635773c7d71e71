/**
 * The neural bigram on the CPU: logits = one-hot(x)·W (a row gather), softmax, mean NLL,
 * plus reg·mean(W²). This is the reference the GPU is checked against, and the CPU side of
 * the benchmark, so the step is one fused pass over the examples with no N×V temporary.
 *
 * Shapes: N examples, B batch, V vocabulary. W is (V, V), row x holds the logits after x.
 * Weights are Float32Array (the GPU's precision) or Float64Array (the ground truth in tests);
 * sums are taken in float64 either way, so the float32 reference stays within ~1e-7 of float64.
 */
import { Random, Stream } from '../random/philox.ts';

export type Weights = Float32Array | Float64Array;

export interface LossParts {
  /** nll + reg·mean(W²). */
  loss: number;
  /** The data term alone: mean negative log-likelihood. */
  nll: number;
}

/** W ~ N(0, 1), drawn from the init stream of the seed. */
export function initBigramWeights<T extends Weights>(V: number, seed: number, make: new (n: number) => T): T {
  return new Random(seed, Stream.init).fillNormal(new make(V * V)) as T;
}

/** Reused between calls (single-threaded: one per worker), so a minibatch step allocates nothing. */
let scratch = new Float64Array(0);

/**
 * Loss at W over the examples indices[0..count) (all examples when indices is null), and,
 * when grad is given, its gradient written into grad (V×V, overwritten).
 *
 * Every example computes its own softmax (V exponentials, a sum, a log) and adds it into the
 * gradient row of its x, as the GPU's per-example kernels and PyTorch's gather + cross_entropy
 * do: examples that share x share the softmax, but using that is the count-table algorithm
 * (bigramCountsLossAndGrad), kept apart. The loops over j go four at a time with four partial
 * sums: V8 does not unroll, and the four exponentials then overlap.
 */
export function bigramNetLossAndGrad(
  W: Weights, // (V, V)
  V: number,
  xs: Uint32Array, // (N,)
  ys: Uint32Array, // (N,)
  indices: Uint32Array | null, // (B,) or null for the full batch
  reg: number,
  grad: Float64Array | null, // (V, V) out
): LossParts {
  const count = indices ? indices.length : xs.length;
  if (scratch.length < V * V + V) scratch = new Float64Array(V * V + V);
  // The logits of an example are row x of W: its max is the row's, so each row is shifted
  // once per call (no exponentials here) and every example computes its own V exponentials,
  // sum and log from the shifted row.
  const shifted = scratch.subarray(0, V * V); // (V, V) W[x, j] − max_j W[x, j]
  const e = scratch.subarray(V * V, V * V + V); // (V,) exp(shifted logit) of the current example
  for (let row = 0; row < V * V; row += V) {
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (W[row + j] > max) max = W[row + j];
    for (let j = 0; j < V; j++) shifted[row + j] = W[row + j] - max;
  }
  const V4 = V - (V & 3);
  if (grad) grad.fill(0);
  let nllSum = 0;
  for (let n = 0; n < count; n++) {
    const i = indices ? indices[n] : n;
    const row = xs[i] * V;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let j = 0;
    for (; j < V4; j += 4) {
      const t0 = expNonPositive(shifted[row + j]);
      const t1 = expNonPositive(shifted[row + j + 1]);
      const t2 = expNonPositive(shifted[row + j + 2]);
      const t3 = expNonPositive(shifted[row + j + 3]);
      e[j] = t0; e[j + 1] = t1; e[j + 2] = t2; e[j + 3] = t3;
      s0 += t0; s1 += t1; s2 += t2; s3 += t3;
    }
    for (; j < V; j++) s0 += e[j] = expNonPositive(shifted[row + j]);
    const sum = s0 + s1 + (s2 + s3);
    nllSum += Math.log(sum) - shifted[row + ys[i]];
    if (grad) {
      // dlogits = softmax − one-hot(y); dW[x] accumulates it (one-hot(x)ᵀ · dlogits).
      const inv = 1 / sum;
      for (j = 0; j < V4; j += 4) {
        grad[row + j] += e[j] * inv;
        grad[row + j + 1] += e[j + 1] * inv;
        grad[row + j + 2] += e[j + 2] * inv;
        grad[row + j + 3] += e[j + 3] * inv;
      }
      for (; j < V; j++) grad[row + j] += e[j] * inv;
      grad[row + ys[i]] -= 1;
    }
  }
  let sq = 0;
  for (let k = 0; k < V * V; k++) sq += W[k] * W[k];
  const nll = nllSum / count;
  if (grad) {
    const regScale = (2 * reg) / (V * V);
    for (let k = 0; k < V * V; k++) grad[k] = grad[k] / count + regScale * W[k];
  }
  return { nll, loss: nll + (reg * sq) / (V * V) };
}

// x·64/ln 2 rounded to the nearest integer by adding and subtracting 1.5·2^52 (cheaper than Math.round).
const ROUND = 6755399441055744;
const SCALE = 64 / Math.LN2;
// ln 2 / 64 in two parts (Cody–Waite): the high part has 24 significant bits, so k·HI is exact
// for |k| < 2^29; the low part carries the rest of fdlibm's two-part ln 2.
const LN2_64_HI = Math.fround(Math.LN2 / 64);
const LN2_64_LO = (6.93147180369123816490e-1 - 64 * LN2_64_HI + 1.90821492927058770002e-10) / 64;
const EXP2_FRAC = Float64Array.from({ length: 64 }, (_, i) => 2 ** (i / 64)); // 2^(i/64)
const POW2 = Float64Array.from({ length: 1076 }, (_, i) => 2 ** (i - 1075)); // 2^q, q = −1075 … 0
const [C3, C4, C5] = [1 / 6, 1 / 24, 1 / 120]; // 1/n!: multiplied, never divided by

/**
 * e^x for x ≤ 0, within 1e-15 relative of Math.exp and faster in V8 (no call, a short
 * polynomial): x = k·ln 2/64 + r with |r| ≤ ln 2/128, so e^x = 2^(k>>6) · 2^((k&63)/64) · e^r,
 * the first two factors from tables and e^r by its Taylor series to degree 5 (remainder
 * r⁶/720 < 4e-17).
 */
export function expNonPositive(x: number): number {
  if (x < -708) return 0; // below the smallest normal double; NaN falls through and stays NaN
  const kf = x * SCALE + ROUND - ROUND;
  const k = kf | 0;
  const r = x - kf * LN2_64_HI - kf * LN2_64_LO;
  const r2 = r * r;
  const p = 1 + r + r2 * (0.5 + r * C3) + r2 * r2 * (C4 + r * C5);
  return p * EXP2_FRAC[k & 63] * POW2[(k >> 6) + 1075];
}

/** W ← W − lr·grad. */
export function sgdUpdateCpu(W: Weights, grad: Float64Array, lr: number): void {
  for (let k = 0; k < W.length; k++) W[k] -= lr * grad[k];
}

/** Softmax of row x of W, in float64: the model's next-symbol distribution after x. */
export function softmaxRow(W: Weights, V: number, x: number, out = new Float64Array(V)): Float64Array {
  let max = -Infinity;
  for (let j = 0; j < V; j++) max = Math.max(max, W[x * V + j]);
  let sum = 0;
  for (let j = 0; j < V; j++) sum += out[j] = Math.exp(W[x * V + j] - max);
  for (let j = 0; j < V; j++) out[j] /= sum;
  return out;
}

/** Row-wise softmax of the whole table: the net's probabilities, comparable to the counting model's. */
export function bigramNetProbs(W: Weights, V: number): Float64Array {
  const probs = new Float64Array(V * V);
  for (let x = 0; x < V; x++) softmaxRow(W, V, x, probs.subarray(x * V, x * V + V));
  return probs;
}
