/**
 * matmul's CPU twin: out (M, N) = [out +] op(a) (M, K) · op(b) (K, N) [+ bias], sums in
 * float64, the K terms first, then the old value and the bias (as the kernel does).
 */
export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  accumulate?: boolean;
  bias?: ArrayLike<number>;
}

export function matmulCpu(out: Float32Array | Float64Array, a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number, o: MatmulOptions = {}): void {
  const row = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    row.fill(0);
    for (let k = 0; k < K; k++) {
      const x = o.transA ? a[k * M + m] : a[m * K + k];
      if (o.transB) for (let n = 0; n < N; n++) row[n] += x * b[n * K + k];
      else {
        const base = k * N;
        for (let n = 0; n < N; n++) row[n] += x * b[base + n];
      }
    }
    const base = m * N;
    for (let n = 0; n < N; n++) {
      let v = row[n];
      if (o.accumulate) v = out[base + n] + v;
      if (o.bias) v += o.bias[n];
      out[base + n] = v;
    }
  }
}

/** Σ_k |op(a)[m, k]·op(b)[k, n]| per output: the scale of a sum's float32 rounding, for tests. */
export function matmulAbsSum(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number, transA = false, transB = false): Float64Array {
  const s = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let t = 0;
      for (let k = 0; k < K; k++) t += Math.abs((transA ? a[k * M + m] : a[m * K + k]) * (transB ? b[n * K + k] : b[k * N + n]));
      s[m * N + n] = t;
    }
  }
  return s;
}
