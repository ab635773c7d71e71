/**
 * tanh: out = tanh(x) elementwise; backward: dx += dout·(1 − out²), from the forward's output.
 * Kernels: shaders/ops/tanh_forward.wgsl, shaders/ops/tanh_backward.wgsl.
 */
import { opKernel } from './kernel.ts';
import { ELEMENTWISE_UNIFORM, elementwiseDispatch } from './elementwise.ts';
import type { Floats, Op } from './op.ts';

export const tanhForwardKernel = opKernel('ops/tanh_forward', ELEMENTWISE_UNIFORM, ['x', 'out']);
export const tanhBackwardKernel = opKernel('ops/tanh_backward', ELEMENTWISE_UNIFORM, ['dout', 'out', 'dx']);

export function tanhForwardCpu(out: Floats, x: ArrayLike<number>): void {
  for (let i = 0; i < out.length; i++) out[i] = Math.tanh(x[i]);
}

export function tanhBackwardCpu(dx: Floats, dout: ArrayLike<number>, out: ArrayLike<number>): void {
  for (let i = 0; i < dx.length; i++) dx[i] += dout[i] * (1 - out[i] * out[i]);
}

/** Node: inputs [x], output of x's shape. */
export const tanhOp: Op = {
  name: 'tanh',
  forwardCpu({ inputs: [x], output }, env) {
    tanhForwardCpu(env.value(output!), env.value(x));
  },
  backwardCpu({ inputs: [x], output }, env) {
    const dx = env.grad(x);
    if (dx) tanhBackwardCpu(dx, env.grad(output!)!, env.value(output!));
  },
  async forwardGpu({ inputs: [x], output }, env) {
    return [await elementwiseDispatch(env.enc, tanhForwardKernel, x.size, { x: env.value(x), out: env.value(output!) })];
  },
  async backwardGpu({ inputs: [x], output }, env) {
    const dx = env.grad(x);
    if (!dx) return [];
    return [await elementwiseDispatch(env.enc, tanhBackwardKernel, x.size, { dout: env.grad(output!)!, out: env.value(output!), dx }, { defines: { accumulate: env.accumulate(x) } })];
  },
};
