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
  const { vec4, units } = vec4Units(count, !!kernel.vec4);
  const grid = enc.grid(units, WG);
  const defines = kernel.vec4 ? { ...o.defines, vec4 } : o.defines;
  return enc.dispatch(kernel, { label: o.label, defines, overrides: { WG }, grid, uniform: { count: units, rowStride: grid.rowStride }, bind });
}

/**
 * A kernel written over an element type E (f32, or vec4<f32> under the define vec4) runs in
 * vec4 when the count is a multiple of 4: a thread per four elements. (Bindings start at
 * multiples of 256 bytes, so a vec4 view of one is aligned.)
 */
export function vec4Units(count: number, vectorizable: boolean): { vec4: boolean; units: number } {
  const vec4 = vectorizable && count % 4 === 0;
  return { vec4, units: vec4 ? count / 4 : count };
}
