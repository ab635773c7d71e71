/**
 * window_embedding: at every position t of a sequence, the embeddings of the W tokens ending
 * there, newest first, concatenated: out[(r·T + t), k·E + e] = table[src, e] with src the token
 * at t − k, or the blank row when t − k < 0 (before the sequence starts). makemore's MLP reads
 * 16 of them; with W = 1 it is a per-position lookup (makemore's bigram: logits = table[idx]).
 * Backward: dtable[v] += the gradient of every slot that read row v. Shapes: n rows (examples),
 * T positions per example, W window, R table rows, E dimensions.
 * Kernels: shaders/ops/window_embedding_forward.wgsl, shaders/ops/window_embedding_backward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats, GpuEnv, Op } from './op.ts';

export const WINDOW_EMBEDDING_UNIFORM = defineUniform('WindowEmbeddingParams', { n: 'u32', first: 'u32', T: 'u32', W: 'u32', E: 'u32', R: 'u32', blank: 'u32', rowStride: 'u32' });
export const windowEmbeddingForwardKernel = opKernel('ops/window_embedding_forward', WINDOW_EMBEDDING_UNIFORM, ['tokens', 'indices', 'table', 'out']);
export const windowEmbeddingBackwardKernel = opKernel('ops/window_embedding_backward', WINDOW_EMBEDDING_UNIFORM, ['tokens', 'indices', 'dout', 'dtable']);
export const WINDOW_EMBEDDING_WG = { forward: 64, backward: 64 };

export interface WindowShape {
  /** Positions per example. */
  T: number;
  /** Tokens per window (1: the position's own). */
  W: number;
  E: number;
  /** The table row read before the start (unused when W = 1). */
  blank: number;
}

export function windowEmbeddingForwardCpu(out: Floats, table: ArrayLike<number>, tokens: Uint32Array, rows: Uint32Array, s: WindowShape): void {
  const { T, W, E, blank } = s;
  for (let r = 0; r < rows.length; r++) {
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < W; k++) {
        const src = (t >= k ? tokens[rows[r] * T + t - k] : blank) * E;
        const dst = ((r * T + t) * W + k) * E;
        for (let e = 0; e < E; e++) out[dst + e] = table[src + e];
      }
    }
  }
}

/**
 * dtable[v, e] += Σ, in float64, in the kernel's order: over rows r, then source positions s
 * whose token is v, then the positions t = s … s + W − 1 that read it; the blank row then adds
 * the slots before the start, over r, t, k > t.
 */
export function windowEmbeddingBackwardCpu(dtable: Floats, dout: ArrayLike<number>, tokens: Uint32Array, rows: Uint32Array, s: WindowShape, R: number): void {
  const { T, W, E, blank } = s;
  const WE = W * E;
  const sums = new Float64Array(R * E);
  for (let r = 0; r < rows.length; r++) {
    for (let p = 0; p < T; p++) {
      const v = tokens[rows[r] * T + p] * E;
      for (let t = p; t < Math.min(T, p + W); t++) {
        const src = (r * T + t) * WE + (t - p) * E;
        for (let e = 0; e < E; e++) sums[v + e] += dout[src + e];
      }
    }
  }
  for (let r = 0; r < rows.length; r++) {
    for (let t = 0; t < T; t++) {
      for (let k = t + 1; k < W; k++) {
        const src = (r * T + t) * WE + k * E;
        for (let e = 0; e < E; e++) sums[blank * E + e] += dout[src + e];
      }
    }
  }
  for (let i = 0; i < R * E; i++) dtable[i] += sums[i];
}

export interface WindowEmbeddingDispatch extends WindowShape {
  /** Rows (examples), table rows. */
  n: number;
  R: number;
  label?: string;
  WG?: number;
}

/** One thread per (row, position, window slot): a copy of E values. */
export function windowEmbeddingForwardDispatch(env: Pick<GpuEnv, 'enc' | 'data'>, d: WindowEmbeddingDispatch & { table: Binding; out: Binding }): Promise<Dispatch> {
  const WG = d.WG ?? WINDOW_EMBEDDING_WG.forward;
  const grid = env.enc.grid(d.n * d.T * d.W, WG);
  const { tokens, indices, first } = env.data;
  return env.enc.dispatch(windowEmbeddingForwardKernel, {
    label: d.label, defines: { indexed: indices !== null }, overrides: { WG }, grid,
    uniform: { n: d.n, first, T: d.T, W: d.W, E: d.E, R: d.R, blank: d.blank, rowStride: grid.rowStride },
    bind: { tokens, ...(indices ? { indices } : {}), table: d.table, out: d.out },
  });
}

/** One thread per table element, accumulated into dtable (a parameter's gradient). */
export function windowEmbeddingBackwardDispatch(env: Pick<GpuEnv, 'enc' | 'data'>, d: WindowEmbeddingDispatch & { dout: Binding; dtable: Binding }): Promise<Dispatch> {
  const WG = d.WG ?? WINDOW_EMBEDDING_WG.backward;
  const grid = env.enc.grid(d.R * d.E, WG);
  const { tokens, indices, first } = env.data;
  return env.enc.dispatch(windowEmbeddingBackwardKernel, {
    label: d.label, defines: { indexed: indices !== null }, overrides: { WG }, grid,
    uniform: { n: d.n, first, T: d.T, W: d.W, E: d.E, R: d.R, blank: d.blank, rowStride: grid.rowStride },
    bind: { tokens, ...(indices ? { indices } : {}), dout: d.dout, dtable: d.dtable },
  });
}

function shapeOf(node: { inputs: readonly { shape: readonly number[] }[]; attrs: Record<string, number | boolean> }): WindowShape & { R: number } {
  const [R, E] = node.inputs[0].shape;
  return { T: node.attrs.T as number, W: node.attrs.W as number, E, blank: node.attrs.blank as number, R };
}

/** Node: inputs [table (R, E)] (a parameter), output (n·T, W·E); attrs T, W, blank. */
export const windowEmbeddingOp: Op = {
  name: 'window_embedding',
  forwardCpu(node, env) {
    windowEmbeddingForwardCpu(env.value(node.output!), env.value(node.inputs[0]), env.data.tokens, env.data.rows, shapeOf(node));
  },
  backwardCpu(node, env) {
    const dtable = env.grad(node.inputs[0]);
    const s = shapeOf(node);
    if (dtable) windowEmbeddingBackwardCpu(dtable, env.grad(node.output!)!, env.data.tokens, env.data.rows, s, s.R);
  },
  async forwardGpu(node, env) {
    const s = shapeOf(node);
    return [await windowEmbeddingForwardDispatch(env, { ...s, n: node.output!.shape[0] / s.T, table: env.value(node.inputs[0]), out: env.value(node.output!), label: `window_embedding ${node.output!.name}` })];
  },
  async backwardGpu(node, env) {
    const dtable = env.grad(node.inputs[0]);
    if (!dtable) return [];
    if (node.inputs[0].kind !== 'param') throw new Error('window_embedding: the table must be a parameter (its gradient is accumulated)');
    const s = shapeOf(node);
    return [await windowEmbeddingBackwardDispatch(env, { ...s, n: node.output!.shape[0] / s.T, dout: env.grad(node.output!)!, dtable, label: `window_embedding ${node.output!.name} backward` })];
  },
};
