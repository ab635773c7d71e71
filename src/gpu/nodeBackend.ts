/** The GPU backend in Node: Dawn, with the WGSL files read from disk. */
import type { GpuBackend } from '../train/run.ts';
import { backendFromContext } from './gpuBackend.ts';
import { openGpu, type GpuContext } from './device.ts';
import { getNodeGpu } from './nodeGpu.ts';
import { nodeShaderFiles } from './shaders.node.ts';

export async function openNodeGpu(opts: { debug?: boolean } = {}): Promise<GpuContext> {
  return openGpu(await getNodeGpu(), nodeShaderFiles, { ...opts, idleBeforeWait: true });
}

export async function createNodeGpuBackend(): Promise<GpuBackend> {
  return backendFromContext(await openNodeGpu());
}
