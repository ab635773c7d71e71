/**
 * CPU twin of ops/matmul (shaders/ops/matmul.wgsl): out (M, N) = [out +] op(A)·op(B) [+ bias],
 * op = identity or transpose; A stored (M, K), or (K, M) when transA; B stored (K, N), or (N, K)
 * when transB. Sums in float64 (JS numbers), each output over k = 0, 1, … in order, then the old
 * value (accumulate) and the bias are added, as the kernel does.
 *
 * Fast by packing: op(A) is copied row-major into a Float64Array (k contiguous per row) and
 * op(B) into column panels of 4 ((⌈N/4⌉, K, 4): the 4 columns of a panel contiguous per k, zeros
 * past N), whatever the transposes; then a 4×4 block of outputs is summed in 16 local variables
 * (registers) from 4 + 4 sequential loads per k. Packing is O(MK + KN), the product O(MKN).
 */
export interface MatmulCpuOptions {
  transA?: boolean;
  transB?: boolean;
  accumulate?: boolean;
  bias?: ArrayLike<number>;
  /** out = tanh(result), after the bias. */
  tanh?: boolean;
  /** The sum times (1 − h²) before accumulate (h (M, N): tanh's output). */
  tanhGrad?: ArrayLike<number>;
  /** dbias (N,) += Σ_k op(B)[k, :]: the row of ones the kernel appends to op(A). */
  biasGrad?: Float32Array | Float64Array;
}

/**
 * The packed operands' memory, kept between calls: a training step makes dozens of products, and
 * allocating megabytes for each is garbage for the collector on the hot path. (matmulCpu is not
 * re-entered: JavaScript runs one call at a time.)
 */
const packed = { a: new Float64Array(0), b: new Float64Array(0) };

function scratch(which: 'a' | 'b', n: number): Float64Array {
  if (packed[which].length < n) packed[which] = new Float64Array(n);
  return packed[which].subarray(0, n);
}

/** op(A) (M, K) row-major, float64. */
function packA(a: ArrayLike<number>, M: number, K: number, transA: boolean): Float64Array {
  const p = scratch('a', M * K);
  if (transA) {
    for (let k = 0; k < K; k++) {
      const src = k * M;
      for (let m = 0; m < M; m++) p[m * K + k] = a[src + m];
    }
  } else {
    for (let i = 0; i < M * K; i++) p[i] = a[i];
  }
  return p;
}

/** op(B) (K, N) as panels (⌈N/4⌉, K, 4), zero-padded past N. */
function packB(b: ArrayLike<number>, K: number, N: number, transB: boolean): Float64Array {
  const panels = Math.ceil(N / 4);
  const p = scratch('b', panels * K * 4);
  if (N % 4 !== 0) p.fill(0); // the last panel's padding lanes must read 0
  for (let n = 0; n < N; n++) {
    const base = (n >> 2) * K * 4 + (n & 3);
    if (transB) {
      const src = n * K;
      for (let k = 0; k < K; k++) p[base + 4 * k] = b[src + k];
    } else {
      for (let k = 0; k < K; k++) p[base + 4 * k] = b[k * N + n];
    }
  }
  return p;
}

export function matmulCpu(
  out: Float32Array | Float64Array, a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number, o: MatmulCpuOptions = {},
): void {
  const Ap = packA(a, M, K, o.transA ?? false);
  const Bp = packB(b, K, N, o.transB ?? false);
  const accumulate = o.accumulate ?? false;
  const bias = o.bias;
  const panels = Math.ceil(N / 4);
  const K4 = 4 * K;
  // out[m, n] from a finished sum s.
  const { tanh, tanhGrad, biasGrad } = o;
  const put = (m: number, n: number, s: number) => {
    if (n >= N) return;
    const i = m * N + n;
    let v = s;
    if (tanhGrad) v = v * (1 - tanhGrad[i] * tanhGrad[i]);
    if (accumulate) v = out[i] + v;
    if (bias) v = v + bias[n];
    if (tanh) v = Math.tanh(v);
    out[i] = v;
  };
  if (biasGrad) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      const q = (n >> 2) * K4 + (n & 3);
      for (let k = 0; k < K; k++) s += Bp[q + 4 * k];
      biasGrad[n] += s;
    }
  }
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const r0 = m * K;
    const r1 = r0 + K;
    const r2 = r1 + K;
    const r3 = r2 + K;
    for (let p = 0; p < panels; p++) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
      let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      let q = p * K4;
      for (let k = 0; k < K; k++, q += 4) {
        const b0 = Bp[q], b1 = Bp[q + 1], b2 = Bp[q + 2], b3 = Bp[q + 3];
        const a0 = Ap[r0 + k], a1 = Ap[r1 + k], a2 = Ap[r2 + k], a3 = Ap[r3 + k];
        s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
        s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
        s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
        s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
      }
      const n = 4 * p;
      put(m, n, s00); put(m, n + 1, s01); put(m, n + 2, s02); put(m, n + 3, s03);
      put(m + 1, n, s10); put(m + 1, n + 1, s11); put(m + 1, n + 2, s12); put(m + 1, n + 3, s13);
      put(m + 2, n, s20); put(m + 2, n + 1, s21); put(m + 2, n + 2, s22); put(m + 2, n + 3, s23);
      put(m + 3, n, s30); put(m + 3, n + 1, s31); put(m + 3, n + 2, s32); put(m + 3, n + 3, s33);
    }
  }
  // The last M % 4 rows, one at a time.
  for (; m < M; m++) {
    const r0 = m * K;
    for (let p = 0; p < panels; p++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let q = p * K4;
      for (let k = 0; k < K; k++, q += 4) {
        const a0 = Ap[r0 + k];
        s0 += a0 * Bp[q]; s1 += a0 * Bp[q + 1]; s2 += a0 * Bp[q + 2]; s3 += a0 * Bp[q + 3];
      }
      const n = 4 * p;
      put(m, n, s0); put(m, n + 1, s1); put(m, n + 2, s2); put(m, n + 3, s3);
    }
  }
}

/**
 * Σ_k |op(A)[m, k]·op(B)[k, n]| per output (M, N), for test tolerances: the same product of the
 * absolute values (|x·y| = |x|·|y| exactly).
 */
export function matmulAbsSum(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number, transA: boolean, transB: boolean): Float64Array {
  const out = new Float64Array(M * N);
  matmulCpu(out, Float64Array.from(a, Math.abs), Float64Array.from(b, Math.abs), M, K, N, { transA, transB });
  return out;
}
