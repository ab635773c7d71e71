/**
 * residual: out = a + b elementwise; backward: da += dout, db += dout (a branch and the path
 * around it both get the gradient). Kernels: shaders/ops/residual_forward.wgsl,
 * shaders/ops/residual_backward.wgsl.
 */
import { opKernel } from './kernel.ts';
import { ELEMENTWISE_UNIFORM, elementwiseDispatch } from './elementwise.ts';
import type { Floats, Op } from './op.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';

export const residualForwardKernel = opKernel('ops/residual_forward', ELEMENTWISE_UNIFORM, ['a', 'b', 'out'], undefined, { vec4: true });
export const residualBackwardKernel = opKernel('ops/residual_backward', ELEMENTWISE_UNIFORM, ['dout', 'da', 'db'], undefined, { vec4: true });

export function residualForwardCpu(out: Floats, a: ArrayLike<number>, b: ArrayLike<number>): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

export function residualBackwardCpu(da: Floats | null, db: Floats | null, dout: ArrayLike<number>): void {
  if (da) for (let i = 0; i < da.length; i++) da[i] += dout[i];
  if (db) for (let i = 0; i < db.length; i++) db[i] += dout[i];
}

/** Node: inputs [a, b] of one shape, output of that shape. */
export const residualOp: Op = {
  name: 'residual',
  forwardCpu({ inputs: [a, b], output }, env) {
    residualForwardCpu(env.value(output!), env.value(a), env.value(b));
  },
  backwardCpu({ inputs: [a, b], output }, env) {
    residualBackwardCpu(env.grad(a), env.grad(b), env.grad(output!)!);
  },
  async forwardGpu({ inputs: [a, b], output }, env) {
    return [await elementwiseDispatch(env.enc, residualForwardKernel, a.size, { a: env.value(a), b: env.value(b), out: env.value(output!) })];
  },
  async backwardGpu({ inputs: [a, b], output }, env) {
    const da = env.grad(a);
    const db = env.grad(b);
    const out: Dispatch[] = [];
    // In a model, both branches of a residual come from parameters: both need the gradient.
    if (da && db) {
      out.push(await elementwiseDispatch(env.enc, residualBackwardKernel, a.size, { dout: env.grad(output!)!, da, db }, {
        defines: { accumulateA: env.accumulate(a), accumulateB: env.accumulate(b) },
      }));
    }
    else if (da || db) throw new Error('residual: both branches must need a gradient');
    return out;
  },
};
