/**
 * WebGPU in Node through the npm package `webgpu` (Dawn). Without a GPU, Dawn needs a Vulkan
 * driver: SwiftShader, which Debian's chromium package ships, is used when nothing else is set
 * and the machine shows no GPU device node (/dev/dri/renderD*, /dev/nvidia0): with one, the
 * Vulkan loader's own choice stands, so an installed chromium does not hide a real GPU.
 * VK_ICD_FILENAMES, or `selectVulkanDriver` before the first use, picks another (lavapipe:
 * Mesa's CPU driver, `apt-get install mesa-vulkan-drivers`, from bookworm-backports on Debian 12).
 */
import { existsSync, readdirSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { NO_ADAPTER_HELP } from './device.ts';

export const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json', // Debian, Ubuntu: chromium
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json', // Fedora: chromium
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];

/** Vulkan drivers known by name: their ICD files where Debian, Ubuntu and Fedora put them. */
export const VULKAN_DRIVERS: Record<string, readonly string[]> = {
  swiftshader: SWIFTSHADER_ICDS,
  lavapipe: ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json'],
};

/**
 * Make Dawn use one Vulkan driver: a name of VULKAN_DRIVERS or the path of an ICD file. Sets
 * VK_ICD_FILENAMES, which the Vulkan loader reads once: call it before the first getNodeGpu.
 * Returns the ICD file.
 */
export function selectVulkanDriver(driver: string): string {
  if (nodeGpu) throw new Error('selectVulkanDriver: Dawn is already loaded with another driver');
  const known = VULKAN_DRIVERS[driver.toLowerCase()];
  const icd = known ? known.find((path) => existsSync(path)) : existsSync(driver) ? driver : undefined;
  if (!icd) {
    const hint = driver.toLowerCase() === 'lavapipe'
      ? 'install it with `apt-get install mesa-vulkan-drivers` (on Debian 12 from bookworm-backports: `apt-get install -t bookworm-backports mesa-vulkan-drivers`)'
      : driver.toLowerCase() === 'swiftshader' ? 'install it with `apt-get install chromium libvulkan1`' : `give ${Object.keys(VULKAN_DRIVERS).join(' or ')}, or the path of a Vulkan ICD .json file`;
    throw new UserError(`no Vulkan driver ${JSON.stringify(driver)} here (${known ? `looked for ${known.join(', ')}` : 'no such file'}): ${hint}`);
  }
  process.env.VK_ICD_FILENAMES = icd;
  return icd;
}

/**
 * Dawn's GPU object. Kept in a module variable for the life of the process: if it were
 * garbage-collected while a device from it lives, Dawn would kill the process mid-dispatch.
 */
let nodeGpu: GPU | null = null;

/** A GPU's device node on Linux: a DRM render node (Mesa's and AMD's, Intel's drivers) or NVIDIA's. */
function hasGpuDeviceNode(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

export async function getNodeGpu(): Promise<GPU> {
  if (nodeGpu) return nodeGpu;
  if (process.platform === 'linux' && !process.env.VK_ICD_FILENAMES && !hasGpuDeviceNode()) {
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
