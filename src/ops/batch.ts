/**
 * batch_indices: the minibatch of the current step drawn on the GPU from the seed's batch
 * stream, identical to the CPU's draw (batchIndicesCpu, src/train/cpuTrainer.ts).
 * Kernel: shaders/ops/batch_indices.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, OPS_LIBS, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';

export const BATCH_UNIFORM = defineUniform('BatchParams', { n: 'u32', total: 'u32', seedLo: 'u32', seedHi: 'u32', rowStride: 'u32' });
export const batchIndicesKernel = opKernel('ops/batch_indices', BATCH_UNIFORM, ['indices', 'state'], ['lib/philox.wgsl', ...OPS_LIBS]);
export const BATCH_WG = 64;

export function batchIndicesDispatch(enc: OpEncoder, d: { B: number; total: number; seed: number; indices: Binding; state: Binding }, WG = BATCH_WG): Promise<Dispatch> {
  const grid = enc.grid(d.B, WG);
  return enc.dispatch(batchIndicesKernel, {
    overrides: { WG }, grid,
    uniform: { n: d.B, total: d.total, seedLo: d.seed >>> 0, seedHi: Math.floor(d.seed / 2 ** 32) >>> 0, rowStride: grid.rowStride },
    bind: { indices: d.indices, state: d.state },
  });
}
