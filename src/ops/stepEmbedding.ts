/**
 * step_embedding: out[r] = table[tokens[example of r, t]], the (n, E) embeddings of each row's
 * token at position t: the input of one time step of a recurrent model, read straight from the
 * table (no (n·T, E) tensor sliced T ways, whose gradient T ops would share). Backward:
 * dtable[v] += the gradients of the rows whose token there is v. Shapes: n rows, T positions
 * per example, V table rows, E dimensions.
 * Kernels: shaders/ops/step_embedding_forward.wgsl, shaders/ops/step_embedding_backward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats, GpuEnv, Op } from './op.ts';

export const STEP_EMBEDDING_UNIFORM = defineUniform('StepEmbeddingParams', { n: 'u32', first: 'u32', T: 'u32', t: 'u32', E: 'u32', V: 'u32', rowStride: 'u32' });
export const stepEmbeddingForwardKernel = opKernel('ops/step_embedding_forward', STEP_EMBEDDING_UNIFORM, ['tokens', 'indices', 'table', 'out']);
export const stepEmbeddingBackwardKernel = opKernel('ops/step_embedding_backward', STEP_EMBEDDING_UNIFORM, ['tokens', 'indices', 'dout', 'dtable']);
export const STEP_EMBEDDING_WG = { forward: 256, backward: 64 };

export function stepEmbeddingForwardCpu(out: Floats, table: ArrayLike<number>, tokens: Uint32Array, rows: Uint32Array, T: number, t: number, E: number): void {
  for (let r = 0; r < rows.length; r++) {
    const src = tokens[rows[r] * T + t] * E;
    for (let e = 0; e < E; e++) out[r * E + e] = table[src + e];
  }
}

/** dtable[v, e] += Σ over the rows in order, in float64 (as the kernel sums them). */
export function stepEmbeddingBackwardCpu(dtable: Floats, dout: ArrayLike<number>, tokens: Uint32Array, rows: Uint32Array, T: number, t: number, E: number, V: number): void {
  const sums = new Float64Array(V * E);
  for (let r = 0; r < rows.length; r++) {
    const v = tokens[rows[r] * T + t] * E;
    for (let e = 0; e < E; e++) sums[v + e] += dout[r * E + e];
  }
  for (let i = 0; i < V * E; i++) dtable[i] += sums[i];
}

export interface StepEmbeddingDispatch {
  /** Rows, positions per example, the position. */
  n: number;
  T: number;
  t: number;
  V: number;
  E: number;
  label?: string;
  WG?: number;
}

export function stepEmbeddingForwardDispatch(env: Pick<GpuEnv, 'enc' | 'data'>, d: StepEmbeddingDispatch & { table: Binding; out: Binding }): Promise<Dispatch> {
  const WG = d.WG ?? STEP_EMBEDDING_WG.forward;
  const grid = env.enc.grid(d.n * d.E, WG);
  const { tokens, indices, first } = env.data;
  return env.enc.dispatch(stepEmbeddingForwardKernel, {
    label: d.label, defines: { indexed: indices !== null }, overrides: { WG }, grid,
    uniform: { n: d.n, first, T: d.T, t: d.t, E: d.E, V: d.V, rowStride: grid.rowStride },
    bind: { tokens, ...(indices ? { indices } : {}), table: d.table, out: d.out },
  });
}

/** Accumulated into dtable (a parameter's gradient). */
export function stepEmbeddingBackwardDispatch(env: Pick<GpuEnv, 'enc' | 'data'>, d: StepEmbeddingDispatch & { dout: Binding; dtable: Binding }): Promise<Dispatch> {
  const WG = d.WG ?? STEP_EMBEDDING_WG.backward;
  const grid = env.enc.grid(d.V * d.E, WG);
  const { tokens, indices, first } = env.data;
  return env.enc.dispatch(stepEmbeddingBackwardKernel, {
    label: d.label, defines: { indexed: indices !== null }, overrides: { WG }, grid,
    uniform: { n: d.n, first, T: d.T, t: d.t, E: d.E, V: d.V, rowStride: grid.rowStride },
    bind: { tokens, ...(indices ? { indices } : {}), dout: d.dout, dtable: d.dtable },
  });
}

/** Node: inputs [table (V, E)] (a parameter), output (n, E); attrs T (positions per example), t. */
export const stepEmbeddingOp: Op = {
  name: 'step_embedding',
  forwardCpu({ inputs: [table], output, attrs }, env) {
    stepEmbeddingForwardCpu(env.value(output!), env.value(table), env.data.tokens, env.data.rows, attrs.T as number, attrs.t as number, table.shape[1]);
  },
  backwardCpu({ inputs: [table], output, attrs }, env) {
    const dtable = env.grad(table);
    if (dtable) stepEmbeddingBackwardCpu(dtable, env.grad(output!)!, env.data.tokens, env.data.rows, attrs.T as number, attrs.t as number, table.shape[1], table.shape[0]);
  },
  async forwardGpu({ inputs: [table], output, attrs }, env) {
    const [V, E] = table.shape;
    return [await stepEmbeddingForwardDispatch(env, {
      n: output!.shape[0], T: attrs.T as number, t: attrs.t as number, V, E, table: env.value(table), out: env.value(output!), label: `step_embedding ${output!.name}`,
    })];
  },
  async backwardGpu({ inputs: [table], output, attrs }, env) {
    const dtable = env.grad(table);
    if (!dtable) return [];
    if (table.kind !== 'param') throw new Error('step_embedding: the table must be a parameter (its gradient is accumulated)');
    const [V, E] = table.shape;
    return [await stepEmbeddingBackwardDispatch(env, {
      n: output!.shape[0], T: attrs.T as number, t: attrs.t as number, V, E, dout: env.grad(output!)!, dtable, label: `step_embedding ${output!.name} backward`,
    })];
  },
};
