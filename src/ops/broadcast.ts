/**
 * broadcast: out (M, N) = x (1, N) on every row (the recurrent models' learned start state,
 * expanded over the batch); backward: dx += Σ_m dout[m], the column sum of bias_backward.
 * Kernels: shaders/ops/broadcast_forward.wgsl, shaders/ops/bias_backward.wgsl.
 */
import { BIAS_UNIFORM, biasBackwardCpu, biasBackwardDispatch } from './bias.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats, Op } from './op.ts';

export const broadcastForwardKernel = opKernel('ops/broadcast_forward', BIAS_UNIFORM, ['x', 'out']);
export const BROADCAST_WG = 256;

export function broadcastForwardCpu(out: Floats, x: ArrayLike<number>, M: number, N: number): void {
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) out[m * N + n] = x[n];
}

/** dx (N,) += Σ_m dout[m, n], the rows in order. */
export const broadcastBackwardCpu = biasBackwardCpu;

export function broadcastForwardDispatch(enc: OpEncoder, d: { M: number; N: number; x: Binding; out: Binding; label?: string; WG?: number }): Promise<Dispatch> {
  const WG = d.WG ?? BROADCAST_WG;
  const grid = enc.grid(d.M * d.N, WG);
  return enc.dispatch(broadcastForwardKernel, { label: d.label, overrides: { WG }, grid, uniform: { M: d.M, N: d.N, rowStride: grid.rowStride }, bind: { x: d.x, out: d.out } });
}

/** Node: inputs [x (1, N)] (a parameter: its gradient is accumulated), output (M, N). */
export const broadcastOp: Op = {
  name: 'broadcast',
  forwardCpu({ inputs: [x], output }, env) {
    broadcastForwardCpu(env.value(output!), env.value(x), output!.shape[0], x.size);
  },
  backwardCpu({ inputs: [x], output }, env) {
    const dx = env.grad(x);
    if (dx) broadcastBackwardCpu(dx, env.grad(output!)!, output!.shape[0], x.size);
  },
  async forwardGpu({ inputs: [x], output }, env) {
    return [await broadcastForwardDispatch(env.enc, { M: output!.shape[0], N: x.size, x: env.value(x), out: env.value(output!), label: `broadcast ${output!.name}` })];
  },
  async backwardGpu({ inputs: [x], output }, env) {
    const dx = env.grad(x);
    if (!dx) return [];
    if (x.kind !== 'param') throw new Error('broadcast: the row must be a parameter (its gradient is accumulated)');
    return [await biasBackwardDispatch(env.enc, { M: output!.shape[0], N: x.size, dout: env.grad(output!)!, dbias: dx, label: `broadcast ${output!.name} backward` })];
  },
};
