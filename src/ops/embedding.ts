/**
 * embedding: out[r, t·E + e] = table[tokens[example of r, t], e], the (n, T·E) concatenated
 * embeddings of each row's T tokens; backward: dtable[v] += every gradient of a use of v.
 * Shapes: n rows, T tokens per row, V table rows, E dimensions.
 * Kernels: shaders/ops/embedding_forward.wgsl, shaders/ops/embedding_backward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel } from './kernel.ts';
import type { Floats, GpuEnv, Op, Tensor } from './op.ts';
import type { Binding } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';

export const EMBEDDING_UNIFORM = defineUniform('EmbeddingParams', { n: 'u32', first: 'u32', T: 'u32', E: 'u32', V: 'u32', rowStride: 'u32' });
export const embeddingForwardKernel = opKernel('ops/embedding_forward', EMBEDDING_UNIFORM, ['tokens', 'indices', 'table', 'out']);
export const embeddingBackwardKernel = opKernel('ops/embedding_backward', EMBEDDING_UNIFORM, ['tokens', 'indices', 'dout', 'dtable']);
/** backward: one thread per table row, so few threads; 4 (one SIMD group on SwiftShader) spreads them over the cores. */
export const EMBEDDING_WG = { forward: 64, backward: 4 };

/** embedding_forward's twin: a copy, exact in any precision. */
export function embeddingForwardCpu(out: Floats, table: ArrayLike<number>, tokens: Uint32Array, rows: Uint32Array, T: number, E: number): void {
  for (let r = 0; r < rows.length; r++) {
    for (let t = 0; t < T; t++) {
      const src = tokens[rows[r] * T + t] * E;
      const dst = (r * T + t) * E;
      for (let e = 0; e < E; e++) out[dst + e] = table[src + e];
    }
  }
}

/** embedding_backward's twin: dtable[v, e] += Σ over rows, then positions, of the uses of v (in that order, as the kernel). */
export function embeddingBackwardCpu(dtable: Floats, dout: ArrayLike<number>, tokens: Uint32Array, rows: Uint32Array, T: number, E: number, V: number): void {
  const sums = new Float64Array(V * E);
  for (let r = 0; r < rows.length; r++) {
    for (let t = 0; t < T; t++) {
      const v = tokens[rows[r] * T + t] * E;
      const src = (r * T + t) * E;
      for (let e = 0; e < E; e++) sums[v + e] += dout[src + e];
    }
  }
  for (let i = 0; i < V * E; i++) dtable[i] += sums[i];
}

/** Node: inputs [table (V, E)], output (n, T·E); attrs T. */
export const embeddingOp: Op = {
  name: 'embedding',
  forwardCpu({ inputs: [table], output, attrs }, env) {
    embeddingForwardCpu(env.value(output!), env.value(table), env.data.tokens, env.data.rows, attrs.T as number, table.shape[1]);
  },
  backwardCpu({ inputs: [table], output, attrs }, env) {
    const dtable = env.grad(table);
    if (dtable) embeddingBackwardCpu(dtable, env.grad(output!)!, env.data.tokens, env.data.rows, attrs.T as number, table.shape[1], table.shape[0]);
  },
  async forwardGpu({ inputs: [table], output, attrs }, env) {
    return [await embeddingForwardDispatch(env, { table, out: output!, T: attrs.T as number, n: output!.shape[0] })];
  },
  async backwardGpu({ inputs: [table], output, attrs }, env) {
    const dtable = env.grad(table);
    if (!dtable) return [];
    return [await embeddingBackwardDispatch(env, { table, dout: env.grad(output!)!, dtable, T: attrs.T as number, n: output!.shape[0] })];
  },
};

/** embedding_forward over n rows of T tokens: one thread per (row, position) slot. */
export function embeddingForwardDispatch(env: GpuEnv, d: { table: Tensor; out: Tensor; T: number; n: number; label?: string }): Promise<Dispatch> {
  const [V, E] = d.table.shape;
  const grid = env.enc.grid(d.n * d.T, EMBEDDING_WG.forward);
  const { tokens, indices, first } = env.data;
  return env.enc.dispatch(embeddingForwardKernel, {
    label: d.label, defines: { indexed: indices !== null }, overrides: { WG: EMBEDDING_WG.forward }, grid,
    uniform: { n: d.n, first, T: d.T, E, V, rowStride: grid.rowStride },
    bind: { tokens, ...(indices ? { indices } : {}), table: env.value(d.table), out: env.value(d.out) },
  });
}

/** embedding_backward into dtable (accumulated): one thread per table row. */
export function embeddingBackwardDispatch(env: GpuEnv, d: { table: Tensor; dout: Binding; dtable: Binding; T: number; n: number; label?: string }): Promise<Dispatch> {
  const [V, E] = d.table.shape;
  const grid = env.enc.grid(V, EMBEDDING_WG.backward);
  const { tokens, indices, first } = env.data;
  return env.enc.dispatch(embeddingBackwardKernel, {
    label: d.label, defines: { indexed: indices !== null, E }, overrides: { WG: EMBEDDING_WG.backward }, grid,
    uniform: { n: d.n, first, T: d.T, E, V, rowStride: grid.rowStride },
    bind: { tokens, ...(indices ? { indices } : {}), dout: d.dout, dtable: d.dtable },
  });
}
