/**
 * causal_mean: out[b·T + t] = mean of x[b·T + s] over s ≤ t, each position's uniform average of
 * the positions up to it (makemore's CausalBoW: softmax of all-zero scores under the causal
 * mask, times x). Backward: dx[b·T + s] += Σ_{t ≥ s} dout[b·T + t] / (t+1). Shapes: n = B·T
 * rows, T positions, C channels.
 * Kernels: shaders/ops/causal_mean_forward.wgsl, shaders/ops/causal_mean_backward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats, Op } from './op.ts';

export const CAUSAL_MEAN_UNIFORM = defineUniform('CausalMeanParams', { n: 'u32', T: 'u32', C: 'u32', rowStride: 'u32' });
export const causalMeanForwardKernel = opKernel('ops/causal_mean_forward', CAUSAL_MEAN_UNIFORM, ['x', 'out']);
export const causalMeanBackwardKernel = opKernel('ops/causal_mean_backward', CAUSAL_MEAN_UNIFORM, ['dout', 'dx']);
export const CAUSAL_MEAN_WG = 256;

export function causalMeanForwardCpu(out: Floats, x: ArrayLike<number>, n: number, T: number, C: number): void {
  for (let row = 0; row < n; row++) {
    const t = row % T;
    const first = row - t;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let p = 0; p <= t; p++) s += x[(first + p) * C + c];
      out[row * C + c] = s / (t + 1);
    }
  }
}

export function causalMeanBackwardCpu(dx: Floats, dout: ArrayLike<number>, n: number, T: number, C: number): void {
  for (let row = 0; row < n; row++) {
    const s = row % T;
    const first = row - s;
    for (let c = 0; c < C; c++) {
      let g = 0;
      for (let t = s; t < T; t++) g += dout[(first + t) * C + c] / (t + 1);
      dx[row * C + c] += g;
    }
  }
}

export interface CausalMeanDispatch {
  n: number;
  T: number;
  C: number;
  label?: string;
  WG?: number;
}

export function causalMeanForwardDispatch(enc: OpEncoder, d: CausalMeanDispatch & { x: Binding; out: Binding }): Promise<Dispatch> {
  const WG = d.WG ?? CAUSAL_MEAN_WG;
  const grid = enc.grid(d.n * d.C, WG);
  return enc.dispatch(causalMeanForwardKernel, { label: d.label, overrides: { WG }, grid, uniform: { n: d.n, T: d.T, C: d.C, rowStride: grid.rowStride }, bind: { x: d.x, out: d.out } });
}

export function causalMeanBackwardDispatch(enc: OpEncoder, d: CausalMeanDispatch & { dout: Binding; dx: Binding; accumulate: boolean }): Promise<Dispatch> {
  const WG = d.WG ?? CAUSAL_MEAN_WG;
  const grid = enc.grid(d.n * d.C, WG);
  return enc.dispatch(causalMeanBackwardKernel, {
    label: d.label, defines: { accumulate: d.accumulate }, overrides: { WG }, grid, uniform: { n: d.n, T: d.T, C: d.C, rowStride: grid.rowStride }, bind: { dout: d.dout, dx: d.dx },
  });
}

/** Node: inputs [x (B·T, C)], output (B·T, C); attrs T. */
export const causalMeanOp: Op = {
  name: 'causal_mean',
  forwardCpu({ inputs: [x], output, attrs }, env) {
    causalMeanForwardCpu(env.value(output!), env.value(x), x.shape[0], attrs.T as number, x.shape[1]);
  },
  backwardCpu({ inputs: [x], output, attrs }, env) {
    const dx = env.grad(x);
    if (dx) causalMeanBackwardCpu(dx, env.grad(output!)!, x.shape[0], attrs.T as number, x.shape[1]);
  },
  async forwardGpu({ inputs: [x], output, attrs }, env) {
    return [await causalMeanForwardDispatch(env.enc, { n: x.shape[0], T: attrs.T as number, C: x.shape[1], x: env.value(x), out: env.value(output!), label: `causal_mean ${output!.name}` })];
  },
  async backwardGpu({ inputs: [x], output, attrs }, env) {
    const dx = env.grad(x);
    if (!dx) return [];
    return [await causalMeanBackwardDispatch(env.enc, {
      n: x.shape[0], T: attrs.T as number, C: x.shape[1], dout: env.grad(output!)!, dx, accumulate: env.accumulate(x), label: `causal_mean ${output!.name} backward`,
    })];
  },
};
