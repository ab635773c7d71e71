/**
 * bias: x[m, n] += bias[n] over an (M, N) x, in place; backward: dbias[n] += Σ_m dout[m, n].
 * The linear layer fuses both into its matmuls (the add into the forward, the gradient beside
 * dW as matmul's biasGrad); these kernels serve a bias on its own.
 * Kernels: shaders/ops/bias_add.wgsl, shaders/ops/bias_backward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats } from './op.ts';

export const BIAS_UNIFORM = defineUniform('BiasParams', { M: 'u32', N: 'u32', rowStride: 'u32' });
export const biasAddKernel = opKernel('ops/bias_add', BIAS_UNIFORM, ['bias', 'x']);
export const biasBackwardKernel = opKernel('ops/bias_backward', BIAS_UNIFORM, ['dout', 'dbias']);
export const BIAS_WG = { add: 256, backward: 64 };

export function biasAddCpu(x: Floats, bias: ArrayLike<number>, M: number, N: number): void {
  for (let i = 0; i < M * N; i++) x[i] += bias[i % N];
}

/** dbias[n] += Σ_m dout[m, n], m in order, in float64. */
export function biasBackwardCpu(dbias: Floats, dout: ArrayLike<number>, M: number, N: number): void {
  const s = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    const row = m * N;
    for (let n = 0; n < N; n++) s[n] += dout[row + n];
  }
  for (let n = 0; n < N; n++) dbias[n] += s[n];
}

export function biasAddDispatch(enc: OpEncoder, d: { M: number; N: number; bias: Binding; x: Binding; label?: string }): Promise<Dispatch> {
  const grid = enc.grid(d.M * d.N, BIAS_WG.add);
  return enc.dispatch(biasAddKernel, { label: d.label, overrides: { WG: BIAS_WG.add }, grid, uniform: { M: d.M, N: d.N, rowStride: grid.rowStride }, bind: { bias: d.bias, x: d.x } });
}

export function biasBackwardDispatch(enc: OpEncoder, d: { M: number; N: number; dout: Binding; dbias: Binding; label?: string }): Promise<Dispatch> {
  const grid = enc.grid(d.N, BIAS_WG.backward);
  return enc.dispatch(biasBackwardKernel, { label: d.label, overrides: { WG: BIAS_WG.backward }, grid, uniform: { M: d.M, N: d.N, rowStride: grid.rowStride }, bind: { dout: d.dout, dbias: d.dbias } });
}
