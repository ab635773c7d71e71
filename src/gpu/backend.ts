/**
 * The WebGPU backend: the same in the browser (navigator.gpu) and in Node (Dawn's GPU object).
 */
import { UserError } from '../errors.ts';
import type { GpuBackend } from '../train/run.ts';

export async function createWebGpuBackend(gpu: GPU | undefined): Promise<GpuBackend> {
  if (!gpu) throw new UserError('WebGPU is not available in this browser');
  throw new UserError('the GPU backend is not available yet');
}
