/**
 * concat: out (n, Ka + Kb) = [a (n, Ka) | b (n, Kb)], rows side by side (the recurrent cells'
 * cat(x_t, h_{t−1})); backward: da += dout[:, :Ka], db += dout[:, Ka:].
 * Kernels: shaders/ops/concat_forward.wgsl, shaders/ops/concat_backward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats, Op } from './op.ts';

export const CONCAT_UNIFORM = defineUniform('ConcatParams', { n: 'u32', Ka: 'u32', Kb: 'u32', rowStride: 'u32' });
export const concatForwardKernel = opKernel('ops/concat_forward', CONCAT_UNIFORM, ['a', 'b', 'out']);
export const concatBackwardKernel = opKernel('ops/concat_backward', CONCAT_UNIFORM, ['dout', 'da', 'db']);
export const CONCAT_WG = 256;

export function concatForwardCpu(out: Floats, a: ArrayLike<number>, b: ArrayLike<number>, n: number, Ka: number, Kb: number): void {
  const K = Ka + Kb;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < Ka; c++) out[r * K + c] = a[r * Ka + c];
    for (let c = 0; c < Kb; c++) out[r * K + Ka + c] = b[r * Kb + c];
  }
}

export function concatBackwardCpu(da: Floats | null, db: Floats | null, dout: ArrayLike<number>, n: number, Ka: number, Kb: number): void {
  const K = Ka + Kb;
  for (let r = 0; r < n; r++) {
    if (da) for (let c = 0; c < Ka; c++) da[r * Ka + c] += dout[r * K + c];
    if (db) for (let c = 0; c < Kb; c++) db[r * Kb + c] += dout[r * K + Ka + c];
  }
}

export interface ConcatDispatch {
  n: number;
  Ka: number;
  Kb: number;
  label?: string;
  WG?: number;
}

export function concatForwardDispatch(enc: OpEncoder, d: ConcatDispatch & { a: Binding; b: Binding; out: Binding }): Promise<Dispatch> {
  const WG = d.WG ?? CONCAT_WG;
  const grid = enc.grid(d.n * (d.Ka + d.Kb), WG);
  return enc.dispatch(concatForwardKernel, { label: d.label, overrides: { WG }, grid, uniform: { n: d.n, Ka: d.Ka, Kb: d.Kb, rowStride: grid.rowStride }, bind: { a: d.a, b: d.b, out: d.out } });
}

export function concatBackwardDispatch(enc: OpEncoder, d: ConcatDispatch & { dout: Binding; da: Binding; db: Binding; accumulateA: boolean; accumulateB: boolean }): Promise<Dispatch> {
  const WG = d.WG ?? CONCAT_WG;
  const grid = enc.grid(d.n * (d.Ka + d.Kb), WG);
  return enc.dispatch(concatBackwardKernel, {
    label: d.label, defines: { accumulateA: d.accumulateA, accumulateB: d.accumulateB }, overrides: { WG }, grid,
    uniform: { n: d.n, Ka: d.Ka, Kb: d.Kb, rowStride: grid.rowStride }, bind: { dout: d.dout, da: d.da, db: d.db },
  });
}

/** Node: inputs [a (n, Ka), b (n, Kb)] (two different tensors), output (n, Ka + Kb). */
export const concatOp: Op = {
  name: 'concat',
  forwardCpu({ inputs: [a, b], output }, env) {
    concatForwardCpu(env.value(output!), env.value(a), env.value(b), a.shape[0], a.shape[1], b.shape[1]);
  },
  backwardCpu({ inputs: [a, b], output }, env) {
    concatBackwardCpu(env.grad(a), env.grad(b), env.grad(output!)!, a.shape[0], a.shape[1], b.shape[1]);
  },
  async forwardGpu({ inputs: [a, b], output }, env) {
    return [await concatForwardDispatch(env.enc, { n: a.shape[0], Ka: a.shape[1], Kb: b.shape[1], a: env.value(a), b: env.value(b), out: env.value(output!), label: `concat ${output!.name}` })];
  },
  async backwardGpu({ inputs: [a, b], output }, env) {
    const [da, db] = [env.grad(a), env.grad(b)];
    if (!da && !db) return [];
    // One kernel writes both sides: in a model both come from parameters.
    if (!da || !db) throw new Error('concat: both sides must need a gradient');
    return [await concatBackwardDispatch(env.enc, {
      n: a.shape[0], Ka: a.shape[1], Kb: b.shape[1], dout: env.grad(output!)!, da, db, accumulateA: env.accumulate(a), accumulateB: env.accumulate(b), label: `concat ${output!.name} backward`,
    })];
  },
};
