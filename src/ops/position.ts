/**
 * position: x[b·T + t] += wpe[t], the position embedding of a batch of sequences (rows b·T + t)
 * added in place; backward dwpe[t] += Σ_b dout[b·T + t]. Shapes: n = B·T rows, T positions,
 * C channels. Kernels: shaders/ops/position_forward.wgsl, shaders/ops/position_backward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel } from './kernel.ts';
import type { Floats } from './op.ts';

export const POSITION_UNIFORM = defineUniform('PositionParams', { n: 'u32', T: 'u32', C: 'u32', rowStride: 'u32' });
export const positionForwardKernel = opKernel('ops/position_forward', POSITION_UNIFORM, ['wpe', 'x']);
export const positionBackwardKernel = opKernel('ops/position_backward', POSITION_UNIFORM, ['dout', 'dwpe']);

export function positionForwardCpu(x: Floats, wpe: ArrayLike<number>, n: number, T: number, C: number): void {
  for (let r = 0; r < n; r++) for (let c = 0; c < C; c++) x[r * C + c] += wpe[(r % T) * C + c];
}

/** dwpe[t, c] += Σ over the sequences, in order, of dout[b·T + t, c]. */
export function positionBackwardCpu(dwpe: Floats, dout: ArrayLike<number>, n: number, T: number, C: number): void {
  const s = new Float64Array(T * C);
  for (let r = 0; r < n; r++) for (let c = 0; c < C; c++) s[(r % T) * C + c] += dout[r * C + c];
  for (let i = 0; i < T * C; i++) dwpe[i] += s[i];
}
