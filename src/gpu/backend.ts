/** The GPU backend in the browser: navigator.gpu, with the WGSL files bundled by Vite. */
import type { GpuBackend } from '../train/run.ts';
import { createGpuBackend } from './gpuBackend.ts';
import type { GpuBigramOptions } from './bigramTrainer.ts';
import { browserShaderFiles } from './shaders.browser.ts';

export function createWebGpuBackend(gpu: GPU | undefined, opts: GpuBigramOptions = {}): Promise<GpuBackend> {
  return createGpuBackend(gpu, browserShaderFiles, opts);
}
