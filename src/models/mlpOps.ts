/**
 * The context model's step, one op at a time: the lecture-shaped CPU twins of the GPU kernels
 * in shaders/ (same stems). The fast CPU trainer is mlpLossAndGrad (mlp.ts); these exist to
 * check the GPU kernel by kernel. Each computes in float64 from float32 inputs and returns
 * float64: the tests measure the GPU's float32 rounding against it.
 *
 * Shapes: N examples, B batch (n rows), V vocabulary, T context, E embedding, H hidden;
 * matmul: (M, K)·(K, N) → (M, N). `rows` lists the example of each row: the minibatch drawn by
 * batch_indices (batchIndicesCpu), or first, first+1, … when a split is evaluated.
 *
 * A training step, in order (src/gpu/mlpTrainer.ts):
 *   batch_indices, embedding_forward, matmul (emb·W1), bias_add (b1), tanh_forward,
 *   matmul (h·W2), bias_add (b2), softmax_forward, crossentropy_forward (from the logits),
 *   mlp_loss_record,
 *   crossentropy_softmax_backward, matmul (hᵀ·dlogits), bias_backward (db2),
 *   matmul (dlogits·W2ᵀ), tanh_backward, matmul (embᵀ·dhpre), bias_backward (db1),
 *   matmul (dhpre·W1ᵀ), embedding_backward, mlp_sgd_update.
 */
import { mlpLearningRate } from './mlp.ts';

/** The rows first, first+1, …, first+n−1: a contiguous chunk of a split. */
export function rangeRows(first: number, n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, r) => first + r);
}

/** embedding_forward: emb[r, t·E + e] = C[X[rows[r], t], e]. */
export function embeddingForwardCpu(C: ArrayLike<number>, X: Uint32Array, rows: Uint32Array, T: number, E: number): Float64Array {
  const emb = new Float64Array(rows.length * T * E); // (n, T·E)
  for (let r = 0; r < rows.length; r++) {
    for (let t = 0; t < T; t++) {
      const token = X[rows[r] * T + t];
      for (let e = 0; e < E; e++) emb[(r * T + t) * E + e] = C[token * E + e];
    }
  }
  return emb;
}

/**
 * matmul: out (M, N) = op(A) (M, K) · op(B) (K, N), op = identity or transpose. A is stored
 * (M, K), or (K, M) when transA; B is stored (K, N), or (N, K) when transB. Each output sums
 * k = 0, 1, … in order (as the kernel does). Also returns Σ_k |a||b| per output, from which
 * the tests derive the float32 tolerance.
 */
export function matmulCpu(
  A: ArrayLike<number>, B: ArrayLike<number>, M: number, K: number, N: number, transA: boolean, transB: boolean,
): { out: Float64Array; absSum: Float64Array } {
  const out = new Float64Array(M * N); // (M, N)
  const absSum = new Float64Array(M * N); // (M, N)
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      let a = 0;
      for (let k = 0; k < K; k++) {
        const x = transA ? A[k * M + m] : A[m * K + k];
        const y = transB ? B[n * K + k] : B[k * N + n];
        s += x * y;
        a += Math.abs(x * y);
      }
      out[m * N + n] = s;
      absSum[m * N + n] = a;
    }
  }
  return { out, absSum };
}

/** bias_add: x[m, n] += bias[n], for an (M, N) x. */
export function biasAddCpu(x: ArrayLike<number>, bias: ArrayLike<number>, M: number, N: number): Float64Array {
  const out = new Float64Array(M * N); // (M, N)
  for (let i = 0; i < M * N; i++) out[i] = x[i] + bias[i % N];
  return out;
}

/** bias_backward: dbias[n] = Σ_m dout[m, n], m in order. */
export function biasBackwardCpu(dout: ArrayLike<number>, M: number, N: number): Float64Array {
  const dbias = new Float64Array(N); // (N,)
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) dbias[n] += dout[m * N + n];
  return dbias;
}

/** tanh_forward: out = tanh(x), elementwise. */
export function tanhForwardCpu(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, Math.tanh);
}

/** tanh_backward: dx = dout·(1 − out²), from the forward's output. */
export function tanhBackwardCpu(dout: ArrayLike<number>, out: ArrayLike<number>): Float64Array {
  return Float64Array.from(dout, (d, i) => d * (1 - out[i] * out[i]));
}

/**
 * crossentropy_forward: Σ −log softmax(logits[r])[Y[rows[r]]] over each group of `group`
 * consecutive rows, by log-sum-exp from the logits; NaN for a group with a non-finite logit.
 */
export function crossentropyForwardCpu(logits: ArrayLike<number>, Y: Uint32Array, rows: Uint32Array, V: number, group: number): Float64Array {
  const partials = new Float64Array(Math.ceil(rows.length / group)); // (ceil(n / group),)
  for (let r = 0; r < rows.length; r++) {
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[r * V + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(logits[r * V + v] - m);
    const nll = Math.log(s) - (logits[r * V + Y[rows[r]]] - m);
    partials[Math.floor(r / group)] += Number.isFinite(nll) ? nll : NaN;
  }
  return partials;
}

/**
 * mlp_loss_record: the step's loss Σ partials / n (for history[step % historyLength]), the
 * step's learning rate from the schedule, and the next step.
 */
export function mlpLossRecordCpu(
  partials: ArrayLike<number>, n: number, step: number, schedule: { lr: number; lrFinal: number; decayStep: number },
): { loss: number; lr: number; nextStep: number } {
  let s = 0;
  for (let i = 0; i < partials.length; i++) s += partials[i];
  return { loss: s / n, lr: mlpLearningRate(step, schedule), nextStep: step + 1 };
}

/** crossentropy_softmax_backward: dlogits = (probs − one-hot(Y[rows[r]])) / n. */
export function crossentropySoftmaxBackwardCpu(probs: ArrayLike<number>, Y: Uint32Array, rows: Uint32Array, V: number): Float64Array {
  const n = rows.length;
  const dlogits = new Float64Array(n * V); // (n, V)
  for (let r = 0; r < n; r++) {
    const y = Y[rows[r]];
    for (let v = 0; v < V; v++) dlogits[r * V + v] = (probs[r * V + v] - (v === y ? 1 : 0)) / n;
  }
  return dlogits;
}

/**
 * embedding_backward: dC[v, e] = Σ over rows r (in order), then positions t (in order), with
 * X[rows[r], t] = v, of demb[r, t·E + e]. The kernel's order exactly: one thread per (v, e)
 * scans the batch, so the sum is deterministic without float atomics.
 */
export function embeddingBackwardCpu(demb: ArrayLike<number>, X: Uint32Array, rows: Uint32Array, V: number, T: number, E: number): Float64Array {
  const dC = new Float64Array(V * E); // (V, E)
  for (let r = 0; r < rows.length; r++) {
    for (let t = 0; t < T; t++) {
      const v = X[rows[r] * T + t];
      for (let e = 0; e < E; e++) dC[v * E + e] += demb[(r * T + t) * E + e];
    }
  }
  return dC;
}

/** mlp_sgd_update: P ← P − lr·grad over the flat parameter vector. */
export function mlpSgdUpdateCpu(P: ArrayLike<number>, grad: ArrayLike<number>, lr: number): Float64Array {
  return Float64Array.from(P, (p, i) => p - lr * grad[i]);
}
