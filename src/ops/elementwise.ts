/** What the elementwise kernels share: one uniform (count, rowStride) and one grid rule (a thread per element). */
import { defineUniform } from './uniform.ts';
import type { Binding, OpEncoder, OpKernel } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';

export const ELEMENTWISE_UNIFORM = defineUniform('ElementwiseParams', { count: 'u32', rowStride: 'u32' });
export const ELEMENTWISE_WG = 256;

export function elementwiseDispatch<B extends string>(
  enc: OpEncoder, kernel: OpKernel<'count' | 'rowStride', B>, count: number, bind: Partial<Record<B, Binding>>,
  o: { label?: string; WG?: number; defines?: Record<string, boolean> } = {},
): Promise<Dispatch> {
  const WG = o.WG ?? ELEMENTWISE_WG;
  const grid = enc.grid(count, WG);
  return enc.dispatch(kernel, { label: o.label, defines: o.defines, overrides: { WG }, grid, uniform: { count, rowStride: grid.rowStride }, bind });
}
