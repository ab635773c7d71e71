/**
 * The context model (makemore's MLP, after Bengio et al. 2003) on the CPU: the reference the
 * GPU is checked against, and the CPU trainer's step. One fused pass per example, no batch
 * temporaries; the kernels' one-op-at-a-time twins are in mlpOps.ts.
 *
 * Shapes: N examples, B batch, V vocabulary, T context (block size), E embedding, H hidden.
 *   emb    = C[X]            (B, T·E)  the context's embeddings, concatenated
 *   hpre   = emb·W1 + b1     (B, H)
 *   h      = tanh(hpre)      (B, H)
 *   logits = h·W2 + b2       (B, V)
 *   loss   = mean over the batch of −log softmax(logits)[y]
 *
 * All parameters live in one flat vector, in the order of the table below, each tensor
 * row-major: C (V, E), W1 (T·E, H), b1 (H,), W2 (H, V), b2 (V,). This is also the layout of a
 * model file's weights. The GPU pads each tensor's start to a multiple of 64 floats (256
 * bytes, the storage-binding offset alignment): mlpParamTable(shape, 64).
 *
 * Parameters are Float32Array (the GPU's precision) or Float64Array (the ground truth in
 * tests); activations and sums are float64 either way.
 */
import { Random, Stream } from '../random/philox.ts';

export type Params = Float32Array | Float64Array;

export interface MlpShape {
  V: number;
  /** Context length (block size). */
  T: number;
  /** Embedding dimensions per symbol. */
  E: number;
  /** Hidden units. */
  H: number;
}

export type ParamName = 'C' | 'W1' | 'b1' | 'W2' | 'b2';

export interface ParamEntry {
  name: ParamName;
  shape: number[];
  /** First element in the flat vector. */
  offset: number;
  size: number;
  /** Standard deviation at initialisation. */
  initScale: number;
}

/** Storage-binding offsets must be multiples of 256 bytes: the GPU layout aligns tensors to 64 floats. */
export const GPU_PARAM_ALIGN = 64;

/**
 * The parameters, in order, with their offsets when each tensor starts at a multiple of `align`.
 * Initial scales keep tanh out of saturation and the first softmax near uniform:
 *  - C ~ N(0, 1): the embeddings, each of unit scale;
 *  - W1 ~ N(0, 1)·(5/3)/√(T·E) (Kaiming for tanh), b1 ~ N(0, 1)·0.01: hpre of unit-ish scale;
 *  - W2 ~ N(0, 1)·0.01, b2 = 0: logits near 0, so the first loss is about ln V.
 */
export function mlpParamTable(s: MlpShape, align = 1): ParamEntry[] {
  const entries: Omit<ParamEntry, 'offset'>[] = [
    { name: 'C', shape: [s.V, s.E], size: s.V * s.E, initScale: 1 },
    { name: 'W1', shape: [s.T * s.E, s.H], size: s.T * s.E * s.H, initScale: 5 / 3 / Math.sqrt(s.T * s.E) },
    { name: 'b1', shape: [s.H], size: s.H, initScale: 0.01 },
    { name: 'W2', shape: [s.H, s.V], size: s.H * s.V, initScale: 0.01 },
    { name: 'b2', shape: [s.V], size: s.V, initScale: 0 },
  ];
  let offset = 0;
  return entries.map((e) => {
    const entry = { ...e, offset };
    offset = Math.ceil((offset + e.size) / align) * align;
    return entry;
  });
}

/** Elements of the flat vector (with `align`, the padded length). */
export function mlpParamCount(s: MlpShape, align = 1): number {
  const last = mlpParamTable(s, align).at(-1)!;
  return Math.ceil((last.offset + last.size) / align) * align;
}

export function paramEntry(s: MlpShape, name: ParamName, align = 1): ParamEntry {
  return mlpParamTable(s, align).find((e) => e.name === name)!;
}

/** The flat vector (unpadded) → the GPU layout padded to `align`, and back. */
export function padParams(flat: ArrayLike<number>, s: MlpShape, align: number): Float32Array {
  const out = new Float32Array(mlpParamCount(s, align));
  const from = mlpParamTable(s);
  mlpParamTable(s, align).forEach((e, i) => {
    for (let k = 0; k < e.size; k++) out[e.offset + k] = flat[from[i].offset + k];
  });
  return out;
}

export function unpadParams(padded: ArrayLike<number>, s: MlpShape, align: number): Float32Array {
  const out = new Float32Array(mlpParamCount(s));
  const to = mlpParamTable(s);
  mlpParamTable(s, align).forEach((e, i) => {
    for (let k = 0; k < e.size; k++) out[to[i].offset + k] = padded[e.offset + k];
  });
  return out;
}

/** One N(0, 1) draw per parameter from the seed's init stream, in layout order, times each tensor's scale. */
export function initMlpParams<T extends Params>(s: MlpShape, seed: number, make: new (n: number) => T): T {
  const z = new Random(seed, Stream.init).fillNormal(new Float64Array(mlpParamCount(s)));
  const p = new make(z.length);
  for (const e of mlpParamTable(s)) {
    for (let k = e.offset; k < e.offset + e.size; k++) p[k] = z[k] * e.initScale;
  }
  return p;
}

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
function forwardExample(P: Params, s: MlpShape, X: Uint32Array, i: number, ws: MlpWorkspace, table: ParamEntry[]): void {
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
  const table = mlpParamTable(s);
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

/** P ← P − lr·grad. */
export function mlpSgdStep(P: Params, grad: ArrayLike<number>, lr: number): void {
  for (let k = 0; k < P.length; k++) P[k] -= lr * grad[k];
}

/** The step schedule: lr before decayStep, lrFinal from it on (the lecture: 0.1, then 0.01 for the second half). */
export function mlpLearningRate(step: number, h: { lr: number; lrFinal: number; decayStep: number }): number {
  return step < h.decayStep ? h.lr : h.lrFinal;
}

/** The decay step of a run of `steps` steps: the last half runs at lrFinal. */
export function mlpDecayStep(steps: number): number {
  return Math.floor(steps / 2);
}

/** The next-symbol distribution after `context` (T tokens, oldest first), in float64. */
export function mlpNextProbs(P: Params, s: MlpShape, context: ArrayLike<number>, ws: MlpWorkspace = new MlpWorkspace(s)): Float64Array {
  const X = Uint32Array.from(context);
  forwardExample(P, s, X, 0, ws, mlpParamTable(s));
  const out = new Float64Array(s.V);
  let m = -Infinity;
  for (let v = 0; v < s.V; v++) m = Math.max(m, ws.logits[v]);
  let sum = 0;
  for (let v = 0; v < s.V; v++) sum += out[v] = Math.exp(ws.logits[v] - m);
  for (let v = 0; v < s.V; v++) out[v] /= sum;
  return out;
}

/**
 * A (V, V) table for views made for bigrams (heatmaps): row x is the next-symbol distribution
 * after the context (boundary…, x), i.e. x just after the start of a word; row 0 is the start.
 */
export function mlpBigramView(P: Params, s: MlpShape): Float64Array {
  const probs = new Float64Array(s.V * s.V);
  const context = new Uint32Array(s.T);
  const ws = new MlpWorkspace(s);
  for (let x = 0; x < s.V; x++) {
    context[s.T - 1] = x;
    probs.set(mlpNextProbs(P, s, context, ws), x * s.V);
  }
  return probs;
}

/** Token sequences sampled from the model, each started with a context of boundary tokens and ended by one. */
export function sampleMlpTokens(P: Params, s: MlpShape, count: number, seed: number, maxLength: number): number[][] {
  const rng = new Random(seed, Stream.sample);
  const ws = new MlpWorkspace(s);
  const out: number[][] = [];
  for (let n = 0; n < count; n++) {
    const context = new Array<number>(s.T).fill(0);
    const tokens: number[] = [];
    while (tokens.length < maxLength) {
      const x = rng.categorical(mlpNextProbs(P, s, context, ws));
      if (x === 0) break;
      tokens.push(x);
      context.shift();
      context.push(x);
    }
    out.push(tokens);
  }
  return out;
}
