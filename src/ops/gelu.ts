/**
 * gelu: out = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), GELU in its tanh form (makemore's
 * NewGELU); backward from the forward's input. Kernels: shaders/ops/gelu_forward.wgsl,
 * shaders/ops/gelu_backward.wgsl.
 */
import { opKernel } from './kernel.ts';
import { ELEMENTWISE_UNIFORM, elementwiseDispatch } from './elementwise.ts';
import type { Floats, Op } from './op.ts';

export const geluForwardKernel = opKernel('ops/gelu_forward', ELEMENTWISE_UNIFORM, ['x', 'out']);
export const geluBackwardKernel = opKernel('ops/gelu_backward', ELEMENTWISE_UNIFORM, ['dout', 'x', 'dx']);

const S = Math.sqrt(2 / Math.PI);

export function geluForwardCpu(out: Floats, x: ArrayLike<number>): void {
  for (let i = 0; i < out.length; i++) {
    const v = x[i];
    out[i] = 0.5 * v * (1 + Math.tanh(S * (v + 0.044715 * v * v * v)));
  }
}

/** dx += dout · gelu'(x). */
export function geluBackwardCpu(dx: Floats, dout: ArrayLike<number>, x: ArrayLike<number>): void {
  for (let i = 0; i < dx.length; i++) {
    const v = x[i];
    const th = Math.tanh(S * (v + 0.044715 * v * v * v));
    dx[i] += dout[i] * (0.5 * (1 + th) + 0.5 * v * (1 - th * th) * S * (1 + 3 * 0.044715 * v * v));
  }
}

/** Node: inputs [x], output of x's shape. */
export const geluOp: Op = {
  name: 'gelu',
  forwardCpu({ inputs: [x], output }, env) {
    geluForwardCpu(env.value(output!), env.value(x));
  },
  backwardCpu({ inputs: [x], output }, env) {
    const dx = env.grad(x);
    if (dx) geluBackwardCpu(dx, env.grad(output!)!, env.value(x));
  },
  async forwardGpu({ inputs: [x], output }, env) {
    return [await elementwiseDispatch(env.enc, geluForwardKernel, x.size, { x: env.value(x), out: env.value(output!) })];
  },
  async backwardGpu({ inputs: [x], output }, env) {
    const dx = env.grad(x);
    if (!dx) return [];
    return [await elementwiseDispatch(env.enc, geluBackwardKernel, x.size, { dout: env.grad(output!)!, x: env.value(x), dx }, { defines: { accumulate: env.accumulate(x) } })];
  },
};
