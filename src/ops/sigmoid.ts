/**
 * sigmoid: out = 1 / (1 + exp(−x)) elementwise (the GRU's gates); backward: dx += dout·out·(1 − out),
 * from the forward's output. Kernels: shaders/ops/sigmoid_forward.wgsl, shaders/ops/sigmoid_backward.wgsl.
 */
import { opKernel } from './kernel.ts';
import { ELEMENTWISE_UNIFORM, elementwiseDispatch } from './elementwise.ts';
import type { Floats, Op } from './op.ts';

export const sigmoidForwardKernel = opKernel('ops/sigmoid_forward', ELEMENTWISE_UNIFORM, ['x', 'out']);
export const sigmoidBackwardKernel = opKernel('ops/sigmoid_backward', ELEMENTWISE_UNIFORM, ['dout', 'out', 'dx']);

/** Through exp(−|x|), as the kernel: no overflow for large |x|. */
export function sigmoidForwardCpu(out: Floats, x: ArrayLike<number>): void {
  for (let i = 0; i < out.length; i++) {
    const e = Math.exp(-Math.abs(x[i]));
    out[i] = x[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
}

export function sigmoidBackwardCpu(dx: Floats, dout: ArrayLike<number>, out: ArrayLike<number>): void {
  for (let i = 0; i < dx.length; i++) dx[i] += dout[i] * out[i] * (1 - out[i]);
}

/** Node: inputs [x], output of x's shape. */
export const sigmoidOp: Op = {
  name: 'sigmoid',
  forwardCpu({ inputs: [x], output }, env) {
    sigmoidForwardCpu(env.value(output!), env.value(x));
  },
  backwardCpu({ inputs: [x], output }, env) {
    const dx = env.grad(x);
    if (dx) sigmoidBackwardCpu(dx, env.grad(output!)!, env.value(output!));
  },
  async forwardGpu({ inputs: [x], output }, env) {
    return [await elementwiseDispatch(env.enc, sigmoidForwardKernel, x.size, { x: env.value(x), out: env.value(output!) })];
  },
  async backwardGpu({ inputs: [x], output }, env) {
    const dx = env.grad(x);
    if (!dx) return [];
    return [await elementwiseDispatch(env.enc, sigmoidBackwardKernel, x.size, { dout: env.grad(output!)!, out: env.value(output!), dx }, { defines: { accumulate: env.accumulate(x) } })];
  },
};
