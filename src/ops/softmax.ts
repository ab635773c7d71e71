/**
 * softmax: probs[r, :] = softmax(x[r, :]) over rows of V, shifted by the row's max. (The
 * loss does not need it: crossentropy's backward fuses its own softmax; attention will.)
 * Kernel: shaders/ops/softmax_forward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats } from './op.ts';

export const SOFTMAX_UNIFORM = defineUniform('SoftmaxParams', { n: 'u32', V: 'u32', rowStride: 'u32' });
export const softmaxForwardKernel = opKernel('ops/softmax_forward', SOFTMAX_UNIFORM, ['x', 'probs']);
export const SOFTMAX_WG = 64;

export function softmaxForwardCpu(probs: Floats, x: ArrayLike<number>, n: number, V: number): void {
  for (let r = 0; r < n; r++) {
    const row = r * V;
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, x[row + j]);
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(x[row + j] - m);
    for (let j = 0; j < V; j++) probs[row + j] = Math.exp(x[row + j] - m) / s;
  }
}

export function softmaxForwardDispatch(enc: OpEncoder, d: { n: number; V: number; x: Binding; probs: Binding }): Promise<Dispatch> {
  const grid = enc.grid(d.n, SOFTMAX_WG);
  return enc.dispatch(softmaxForwardKernel, { overrides: { WG: SOFTMAX_WG }, grid, uniform: { n: d.n, V: d.V, rowStride: grid.rowStride }, bind: { x: d.x, probs: d.probs } });
}
