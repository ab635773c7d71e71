/**
 * mul: out = a ⊙ b elementwise; backward: da += dout ⊙ b, db += dout ⊙ a.
 * Kernels: shaders/ops/mul_forward.wgsl, shaders/ops/mul_backward.wgsl.
 */
import { opKernel } from './kernel.ts';
import { ELEMENTWISE_UNIFORM, elementwiseDispatch } from './elementwise.ts';
import type { Floats, Op } from './op.ts';

export const mulForwardKernel = opKernel('ops/mul_forward', ELEMENTWISE_UNIFORM, ['a', 'b', 'out']);
export const mulBackwardKernel = opKernel('ops/mul_backward', ELEMENTWISE_UNIFORM, ['dout', 'a', 'b', 'da', 'db']);

export function mulForwardCpu(out: Floats, a: ArrayLike<number>, b: ArrayLike<number>): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] * b[i];
}

export function mulBackwardCpu(da: Floats | null, db: Floats | null, dout: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (da) for (let i = 0; i < da.length; i++) da[i] += dout[i] * b[i];
  if (db) for (let i = 0; i < db.length; i++) db[i] += dout[i] * a[i];
}

/** Node: inputs [a, b] of one shape (two different tensors), output of that shape. */
export const mulOp: Op = {
  name: 'mul',
  forwardCpu({ inputs: [a, b], output }, env) {
    mulForwardCpu(env.value(output!), env.value(a), env.value(b));
  },
  backwardCpu({ inputs: [a, b], output }, env) {
    mulBackwardCpu(env.grad(a), env.grad(b), env.grad(output!)!, env.value(a), env.value(b));
  },
  async forwardGpu({ inputs: [a, b], output }, env) {
    return [await elementwiseDispatch(env.enc, mulForwardKernel, a.size, { a: env.value(a), b: env.value(b), out: env.value(output!) })];
  },
  async backwardGpu({ inputs: [a, b], output }, env) {
    const [da, db] = [env.grad(a), env.grad(b)];
    if (!da && !db) return [];
    // One kernel writes both: in a model both factors come from parameters.
    if (!da || !db) throw new Error('mul: both factors must need a gradient');
    return [await elementwiseDispatch(env.enc, mulBackwardKernel, a.size, { dout: env.grad(output!)!, a: env.value(a), b: env.value(b), da, db }, {
      defines: { accumulateA: env.accumulate(a), accumulateB: env.accumulate(b) },
    })];
  },
};
