/**
 * WebGPU in Node through the npm package `webgpu` (Dawn). Without a GPU, Dawn needs a Vulkan
 * driver: SwiftShader, which Debian's chromium package ships, is used when nothing else is set.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { NO_ADAPTER_HELP } from './device.ts';

export const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json', // Debian, Ubuntu: chromium
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json', // Fedora: chromium
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];

/**
 * Dawn's GPU object. Kept in a module variable for the life of the process: if it were
 * garbage-collected while a device from it lives, Dawn would kill the process mid-dispatch.
 */
let nodeGpu: GPU | null = null;

export async function getNodeGpu(): Promise<GPU> {
  if (nodeGpu) return nodeGpu;
  if (process.platform === 'linux' && !process.env.VK_ICD_FILENAMES) {
    const icd = SWIFTSHADER_ICDS.find((path) => existsSync(path));
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  let webgpu: { create: (flags: string[]) => GPU; globals: object };
  try {
    webgpu = (await import('webgpu')) as unknown as typeof webgpu;
  } catch (e) {
    throw new UserError(`the npm package 'webgpu' (Dawn for Node) could not be loaded: ${(e as Error).message}. ${NO_ADAPTER_HELP}`);
  }
  // The GPU* constants (GPUBufferUsage, …) are globals in a browser; give Node the same.
  Object.assign(globalThis, webgpu.globals);
  nodeGpu = webgpu.create([]);
  return nodeGpu;
}
