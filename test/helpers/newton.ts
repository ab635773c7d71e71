/**
 * An independent float64 optimum of the neural bigram's loss, by Newton's method on the count
 * table. It shares no code with src/models/bigramNet.ts: it is the oracle the trainers are
 * checked against.
 *
 * Shapes: V vocabulary, N examples. With counts c[x][y], n_x = Σ_y c[x][y] and r = reg/V²,
 *   L(W) = (1/N) Σ_x [n_x·logsumexp(W_x) − c_x·W_x] + r·ΣW²
 * separates over the rows W_x, each a strictly convex problem (r > 0):
 *   g_x = (n_x·softmax(W_x) − c_x)/N + 2r·W_x
 *   H_x = (n_x/N)(diag p − p pᵀ) + 2r·I
 */

export interface NewtonResult {
  W: Float64Array; // (V, V)
  loss: number;
  nll: number;
  /** Largest per-row gradient norm at the returned W. */
  gradNorm: number;
  iterations: number;
}

function logSumExp(w: Float64Array): number {
  let max = -Infinity;
  for (const v of w) max = Math.max(max, v);
  let s = 0;
  for (const v of w) s += Math.exp(v - max);
  return max + Math.log(s);
}

/** Loss of one row (its share of L, regulariser included). */
function rowLoss(w: Float64Array, c: ArrayLike<number>, n: number, N: number, r: number): number {
  let dot = 0, sq = 0;
  for (let j = 0; j < w.length; j++) {
    dot += c[j] * w[j];
    sq += w[j] * w[j];
  }
  return (n * logSumExp(w) - dot) / N + r * sq;
}

/** Solves A·x = b in place by Cholesky (A symmetric positive definite, V×V row-major). */
export function choleskySolve(A: Float64Array, b: Float64Array, V: number): Float64Array {
  const L = new Float64Array(V * V);
  for (let i = 0; i < V; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * V + j];
      for (let k = 0; k < j; k++) s -= L[i * V + k] * L[j * V + k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`choleskySolve: matrix not positive definite at ${i}`);
        L[i * V + i] = Math.sqrt(s);
      } else {
        L[i * V + j] = s / L[j * V + j];
      }
    }
  }
  const y = new Float64Array(V);
  for (let i = 0; i < V; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * V + k] * y[k];
    y[i] = s / L[i * V + i];
  }
  const x = new Float64Array(V);
  for (let i = V - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < V; k++) s -= L[k * V + i] * x[k];
    x[i] = s / L[i * V + i];
  }
  return x;
}

/** Newton's method per row, with backtracking, from W = 0 until every row's ‖g‖ < tol. */
export function newtonBigramOptimum(
  counts: ArrayLike<number>, // (V, V)
  V: number,
  reg: number,
  tol = 1e-12,
  maxIterations = 100,
): NewtonResult {
  if (!(reg > 0)) throw new Error('newtonBigramOptimum needs reg > 0 (the optimum is otherwise at infinity)');
  const r = reg / (V * V);
  let N = 0;
  for (let k = 0; k < V * V; k++) N += counts[k];
  const W = new Float64Array(V * V);
  const p = new Float64Array(V);
  const g = new Float64Array(V);
  const H = new Float64Array(V * V);
  let worstIterations = 0;
  let worstGrad = 0;

  for (let x = 0; x < V; x++) {
    const c = Array.from({ length: V }, (_, j) => counts[x * V + j]);
    const n = c.reduce((a, b) => a + b, 0);
    const w = W.subarray(x * V, x * V + V);
    let it = 0;
    let gNorm = Infinity;
    for (; it <= maxIterations; it++) {
      const lse = logSumExp(w);
      for (let j = 0; j < V; j++) p[j] = Math.exp(w[j] - lse);
      gNorm = 0;
      for (let j = 0; j < V; j++) {
        g[j] = (n * p[j] - c[j]) / N + 2 * r * w[j];
        gNorm += g[j] * g[j];
      }
      gNorm = Math.sqrt(gNorm);
      if (gNorm < tol) break;
      if (it === maxIterations) throw new Error(`newton: row ${x} did not converge (‖g‖ = ${gNorm})`);
      for (let i = 0; i < V; i++) {
        for (let j = 0; j < V; j++) H[i * V + j] = (n / N) * ((i === j ? p[i] : 0) - p[i] * p[j]) + (i === j ? 2 * r : 0);
      }
      const step = choleskySolve(H, g, V);
      // Backtracking (Armijo) far from the optimum; near it (‖g‖ < 1e-6, the quadratic regime)
      // full Newton steps, since loss differences of ~‖g‖² there are below float64 resolution.
      const trial = new Float64Array(V);
      let t = 1;
      const f0 = gNorm < 1e-6 ? NaN : rowLoss(w, c, n, N, r);
      let slope = 0;
      for (let j = 0; j < V; j++) slope -= g[j] * step[j];
      for (;;) {
        for (let j = 0; j < V; j++) trial[j] = w[j] - t * step[j];
        if (Number.isNaN(f0) || rowLoss(trial, c, n, N, r) <= f0 + 1e-4 * t * slope || t < 1e-10) break;
        t /= 2;
      }
      w.set(trial);
    }
    worstIterations = Math.max(worstIterations, it);
    worstGrad = Math.max(worstGrad, gNorm);
  }

  let nllSum = 0, sq = 0;
  for (let x = 0; x < V; x++) {
    const w = W.subarray(x * V, x * V + V);
    const lse = logSumExp(w);
    for (let j = 0; j < V; j++) nllSum += counts[x * V + j] * (lse - w[j]);
  }
  for (let k = 0; k < V * V; k++) sq += W[k] * W[k];
  const nll = nllSum / N;
  return { W, loss: nll + r * sq, nll, gradNorm: worstGrad, iterations: worstIterations };
}
