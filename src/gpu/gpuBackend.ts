/**
 * The WebGPU backend of a training run, the same in the browser (navigator.gpu) and in Node
 * (Dawn's GPU object): one device, opened on first use and shared by every run after it.
 */
import type { GpuBackend } from '../train/run.ts';
import { openGpu, type GpuContext } from './device.ts';
import { bigramCountsGpu } from './bigramCounts.ts';
import { GpuBigramTrainer, type GpuBigramOptions } from './bigramTrainer.ts';
import { GpuNetTrainer } from '../nn/gpuTrainer.ts';
import { netModel } from '../models/registry.ts';
import type { ShaderFiles } from './shaders.ts';

export function backendFromContext(ctx: GpuContext, opts: GpuBigramOptions = {}): GpuBackend & { ctx: GpuContext } {
  return {
    ctx,
    description: ctx.description,
    bigramCounts: (xs, ys, V) => bigramCountsGpu(ctx, xs, ys, V),
    createBigramTrainer: (data, hyper) => GpuBigramTrainer.create(ctx, data, hyper, opts),
    createNetTrainer: (kind, data, hyper) => GpuNetTrainer.create(ctx, netModel(kind).spec(data, hyper), data),
  };
}

export async function createGpuBackend(gpu: GPU | undefined, files: ShaderFiles, opts: GpuBigramOptions = {}): Promise<GpuBackend & { ctx: GpuContext }> {
  return backendFromContext(await openGpu(gpu, files), opts);
}
