/** fill_zero: x = 0, the step's one zero-gradient dispatch. Kernel: shaders/ops/fill_zero.wgsl. */
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import { ELEMENTWISE_UNIFORM, elementwiseDispatch } from './elementwise.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats } from './op.ts';

export const fillZeroKernel = opKernel('ops/fill_zero', ELEMENTWISE_UNIFORM, ['x'], undefined, { vec4: true });

export function fillZeroCpu(x: Floats): void {
  x.fill(0);
}

export function fillZeroDispatch(enc: OpEncoder, x: Binding, count: number): Promise<Dispatch> {
  return elementwiseDispatch(enc, fillZeroKernel, count, { x }, { label: 'fill_zero gradients' });
}
