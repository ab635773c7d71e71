/**
 * lerp: out = (1 − z) ⊙ a + z ⊙ b elementwise (torch.lerp(a, b, z); the GRU's
 * h = (1 − z)·h_prev + z·h̄); backward: da += dout ⊙ (1 − z), db += dout ⊙ z, dz += dout ⊙ (b − a).
 * Kernels: shaders/ops/lerp_forward.wgsl, shaders/ops/lerp_backward.wgsl.
 */
import { opKernel } from './kernel.ts';
import { ELEMENTWISE_UNIFORM, elementwiseDispatch } from './elementwise.ts';
import type { Floats, Op } from './op.ts';

export const lerpForwardKernel = opKernel('ops/lerp_forward', ELEMENTWISE_UNIFORM, ['a', 'b', 'z', 'out']);
export const lerpBackwardKernel = opKernel('ops/lerp_backward', ELEMENTWISE_UNIFORM, ['dout', 'a', 'b', 'z', 'da', 'db', 'dz']);

export function lerpForwardCpu(out: Floats, a: ArrayLike<number>, b: ArrayLike<number>, z: ArrayLike<number>): void {
  for (let i = 0; i < out.length; i++) out[i] = (1 - z[i]) * a[i] + z[i] * b[i];
}

export function lerpBackwardCpu(
  da: Floats | null, db: Floats | null, dz: Floats | null, dout: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, z: ArrayLike<number>,
): void {
  for (let i = 0; i < dout.length; i++) {
    if (da) da[i] += dout[i] * (1 - z[i]);
    if (db) db[i] += dout[i] * z[i];
    if (dz) dz[i] += dout[i] * (b[i] - a[i]);
  }
}

/** Node: inputs [a, b, z] of one shape (three different tensors), output of that shape. */
export const lerpOp: Op = {
  name: 'lerp',
  forwardCpu({ inputs: [a, b, z], output }, env) {
    lerpForwardCpu(env.value(output!), env.value(a), env.value(b), env.value(z));
  },
  backwardCpu({ inputs: [a, b, z], output }, env) {
    lerpBackwardCpu(env.grad(a), env.grad(b), env.grad(z), env.grad(output!)!, env.value(a), env.value(b), env.value(z));
  },
  async forwardGpu({ inputs: [a, b, z], output }, env) {
    return [await elementwiseDispatch(env.enc, lerpForwardKernel, a.size, { a: env.value(a), b: env.value(b), z: env.value(z), out: env.value(output!) })];
  },
  async backwardGpu({ inputs: [a, b, z], output }, env) {
    const [da, db, dz] = [env.grad(a), env.grad(b), env.grad(z)];
    if (!da && !db && !dz) return [];
    // One kernel writes all three: in a model all of them come from parameters.
    if (!da || !db || !dz) throw new Error('lerp: a, b and z must all need a gradient');
    return [await elementwiseDispatch(env.enc, lerpBackwardKernel, a.size, {
      dout: env.grad(output!)!, a: env.value(a), b: env.value(b), z: env.value(z), da, db, dz,
    }, { defines: { accumulateA: env.accumulate(a), accumulateB: env.accumulate(b), accumulateZ: env.accumulate(z) } })];
  },
};
