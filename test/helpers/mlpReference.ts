/**
 * An independent float64 reference of the context model for the tests: one fused pass per
 * example, written out by hand (no op library, no graph). The model the trainers run is a
 * composition of ops (src/models/mlp/net.ts); this checks it, and finite differences check this.
 */
import { mlpParamLayout, type MlpShape } from '../../src/models/mlp/net.ts';

export type Params = Float32Array | Float64Array;

/** Per-example scratch of the fused pass (float64). */
export class MlpWorkspace {
  readonly emb: Float64Array; // (T·E,)
  readonly h: Float64Array; // (H,)
  readonly logits: Float64Array; // (V,)
  readonly dlogits: Float64Array; // (V,)
  readonly dpre: Float64Array; // (H,)
  readonly demb: Float64Array; // (T·E,)
  constructor(readonly shape: MlpShape) {
    const { V, T, E, H } = shape;
    this.emb = new Float64Array(T * E);
    this.h = new Float64Array(H);
    this.logits = new Float64Array(V);
    this.dlogits = new Float64Array(V);
    this.dpre = new Float64Array(H);
    this.demb = new Float64Array(T * E);
  }
}

/** Forward of one example: fills ws.emb, ws.h and ws.logits (in the GPU's order: products, then the bias). */
export function forwardExample(P: Params, s: MlpShape, X: Uint32Array, i: number, ws: MlpWorkspace, table: readonly { offset: number }[]): void {
  const { V, T, E, H } = s;
  const [C, W1, b1, W2, b2] = table.map((e) => e.offset);
  const { emb, h, logits } = ws;
  for (let t = 0; t < T; t++) {
    const row = C + X[i * T + t] * E;
    for (let e = 0; e < E; e++) emb[t * E + e] = P[row + e];
  }
  h.fill(0);
  for (let k = 0; k < T * E; k++) {
    const a = emb[k];
    const w = W1 + k * H;
    for (let j = 0; j < H; j++) h[j] += a * P[w + j];
  }
  for (let j = 0; j < H; j++) h[j] = Math.tanh(h[j] + P[b1 + j]);
  logits.fill(0);
  for (let j = 0; j < H; j++) {
    const a = h[j];
    const w = W2 + j * V;
    for (let v = 0; v < V; v++) logits[v] += a * P[w + v];
  }
  for (let v = 0; v < V; v++) logits[v] += P[b2 + v];
}

/**
 * Mean NLL over the examples rows[0..count) (all N examples when rows is null) and, when grad
 * is given, its gradient with respect to every parameter (flat, unpadded; overwritten).
 */
export function mlpLossAndGrad(
  P: Params, // (mlpParamCount,)
  s: MlpShape,
  X: Uint32Array, // (N, T)
  Y: Uint32Array, // (N,)
  rows: Uint32Array | null, // (B,) example indices, or null for all
  grad: Float64Array | null, // (mlpParamCount,) out
  ws: MlpWorkspace = new MlpWorkspace(s),
): number {
  const { V, T, E, H } = s;
  const table = mlpParamLayout(s).tensors;
  const [C, W1, b1, W2, b2] = table.map((e) => e.offset);
  const count = rows ? rows.length : Y.length;
  const { emb, h, logits, dlogits, dpre, demb } = ws;
  if (grad) grad.fill(0);
  let nllSum = 0;
  for (let n = 0; n < count; n++) {
    const i = rows ? rows[n] : n;
    forwardExample(P, s, X, i, ws, table);
    const y = Y[i];
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += dlogits[v] = Math.exp(logits[v] - m);
    nllSum += Math.log(sum) - (logits[y] - m);
    if (!grad) continue;

    // dlogits = (softmax − one-hot(y)) / count
    for (let v = 0; v < V; v++) dlogits[v] = dlogits[v] / sum / count;
    dlogits[y] -= 1 / count;
    for (let v = 0; v < V; v++) grad[b2 + v] += dlogits[v];
    for (let j = 0; j < H; j++) {
      const a = h[j];
      const w = W2 + j * V;
      let dh = 0;
      for (let v = 0; v < V; v++) {
        grad[w + v] += a * dlogits[v];
        dh += dlogits[v] * P[w + v];
      }
      dpre[j] = dh * (1 - a * a);
      grad[b1 + j] += dpre[j];
    }
    for (let k = 0; k < T * E; k++) {
      const a = emb[k];
      const w = W1 + k * H;
      let d = 0;
      for (let j = 0; j < H; j++) {
        grad[w + j] += a * dpre[j];
        d += dpre[j] * P[w + j];
      }
      demb[k] = d;
    }
    for (let t = 0; t < T; t++) {
      const row = C + X[i * T + t] * E;
      for (let e = 0; e < E; e++) grad[row + e] += demb[t * E + e];
    }
  }
  return nllSum / count;
}

