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

/**
 * Loss at W over the examples indices[0..count) (all examples when indices is null), and,
 * when grad is given, its gradient written into grad (V×V, overwritten).
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
  // The logits of an example are row x of W: its max is the row's, so each row is shifted
  // once per call (no exponentials here) and every example computes its own V exponentials,
  // sum and log from the shifted row.
  const shifted = new Float64Array(V * V); // (V, V) W[x, j] − max_j W[x, j]
  for (let row = 0; row < V * V; row += V) {
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (W[row + j] > max) max = W[row + j];
    for (let j = 0; j < V; j++) shifted[row + j] = W[row + j] - max;
  }
  const e = new Float64Array(V); // exp(shifted logit) of the current example
  if (grad) grad.fill(0);
  let nllSum = 0;
  for (let n = 0; n < count; n++) {
    const i = indices ? indices[n] : n;
    const row = xs[i] * V;
    let sum = 0;
    for (let j = 0; j < V; j++) {
      const t = expNonPositive(shifted[row + j]);
      e[j] = t;
      sum += t;
    }
    nllSum += Math.log(sum) - shifted[row + ys[i]];
    if (grad) {
      // dlogits = softmax − one-hot(y); dW[x] accumulates it (one-hot(x)ᵀ · dlogits).
      const inv = 1 / sum;
      for (let j = 0; j < V; j++) grad[row + j] += e[j] * inv;
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

// ln 2 split in two (Cody–Waite): the high part has 11 trailing zero bits.
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
// 1/n!: multiplied, never divided by (a division costs several multiplications).
const [C2, C3, C4, C5, C6, C7, C8, C9, C10, C11] = [2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800].map((f) => 1 / f);
const POW2 = Float64Array.from({ length: 1076 }, (_, i) => 2 ** (i - 1075)); // 2^k, k = −1075 … 0

/**
 * e^x for x ≤ 0, within 2e-14 relative of Math.exp and faster in V8 (an inline polynomial
 * instead of a call): 2^k · e^r with k = round(x / ln 2), |r| ≤ ln 2 / 2, and e^r by its
 * Taylor series to degree 11 (remainder < 1e-14), evaluated in Estrin's scheme — pairs of
 * terms first, then powers of r — so the multiply-adds do not wait on each other in a chain.
 */
export function expNonPositive(x: number): number {
  if (x < -708) return 0; // below the smallest normal double; NaN falls through and stays NaN
  const k = Math.round(x * Math.LOG2E);
  const r = x - k * LN2_HI - k * LN2_LO; // k·LN2_HI is exact: r keeps its digits for large |x|
  const r2 = r * r;
  const r4 = r2 * r2;
  const low = 1 + r + r2 * (C2 + r * C3);
  const mid = C4 + r * C5 + r2 * (C6 + r * C7);
  const high = C8 + r * C9 + r2 * (C10 + r * C11);
  return (low + r4 * (mid + r4 * high)) * POW2[k + 1075];
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
