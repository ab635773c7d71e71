/**
 * Acquiring a WebGPU device, in the browser (navigator.gpu) or in Node (Dawn's GPU object):
 * ask for the limits the work needs from what the adapter offers, describe the adapter for
 * every report, and turn a missing adapter, a lost device and uncaptured errors into clear
 * messages.
 */
import { UserError } from '../errors.ts';
import type { ShaderFiles } from './shaders.ts';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software or fallback adapter (e.g. SwiftShader): its timings say little about real GPUs. */
  software: boolean;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterDescription;
  /** One line for reports: "SwiftShader Device (Subzero) (google, swiftshader; software)". */
  description: string;
  hasTimestamps: boolean;
  files: ShaderFiles;
  /** Set once the device is lost: every later use fails with this reason. */
  lostReason: string | null;
  /** The first uncaptured GPU error since it was last checked. */
  uncapturedError: string | null;
  /** Compiled pipelines, keyed by their final source and constants. */
  pipelines: Map<string, Promise<GPUComputePipeline>>;
  /** Wrap GPU work in validation error scopes (tests and debugging). */
  debug: boolean;
  /**
   * Sleep through most of the expected GPU time before waiting on it. Dawn in Node polls the
   * device in a busy loop while a map is pending, which takes a CPU core away from a software
   * adapter's own threads; a timer costs nothing.
   */
  idleBeforeWait: boolean;
}

export const NO_ADAPTER_HELP =
  'No WebGPU adapter found. In a browser, use a recent Chrome or Edge (or Firefox/Safari with WebGPU enabled). ' +
  'In Node on Linux without a GPU, install a Vulkan driver: on Debian or Ubuntu `apt-get install chromium libvulkan1` ' +
  'provides SwiftShader, which is found automatically (or set VK_ICD_FILENAMES to its vk_swiftshader_icd.json).';

/** Limits worth raising to the adapter's maximum: data size decides how much is used. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupsPerDimension',
] as const;

export function describeAdapter(info: GPUAdapterInfo, isFallback: boolean): AdapterDescription {
  const vendor = info.vendor || 'unknown vendor';
  const architecture = info.architecture || '';
  const device = info.device || '';
  const desc = info.description || '';
  const software = isFallback || /swiftshader|llvmpipe|lavapipe|software|basic render|warp/i.test(`${vendor} ${architecture} ${desc}`);
  const name = desc || [vendor, architecture].filter(Boolean).join(' ') || 'WebGPU adapter';
  const detail = [vendor, architecture].filter(Boolean).join(', ');
  return { vendor, architecture, device, description: `${name} (${detail}${software ? '; software' : ''})`, software };
}

export async function openGpu(
  gpu: GPU | undefined,
  files: ShaderFiles,
  opts: { debug?: boolean; idleBeforeWait?: boolean } = {},
): Promise<GpuContext> {
  if (!gpu) throw new UserError(`WebGPU is not available here. ${NO_ADAPTER_HELP}`);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new UserError(NO_ADAPTER_HELP);
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const hasTimestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    label: 'makemore',
    requiredLimits,
    requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
  });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const isFallback = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const described = describeAdapter(info, isFallback);
  const ctx: GpuContext = {
    device,
    adapter: described,
    description: described.description,
    hasTimestamps,
    files,
    lostReason: null,
    uncapturedError: null,
    pipelines: new Map(),
    debug: opts.debug ?? false,
    idleBeforeWait: opts.idleBeforeWait ?? false,
  };
  device.lost.then((lost) => {
    ctx.lostReason = lost.message || (lost.reason === 'destroyed' ? 'the device was destroyed' : String(lost.reason));
  });
  device.addEventListener('uncapturederror', (event) => {
    ctx.uncapturedError ??= (event as GPUUncapturedErrorEvent).error.message;
  });
  return ctx;
}

/** Throw if the device was lost or reported an error since the last check. */
export function checkDevice(ctx: GpuContext): void {
  if (ctx.lostReason !== null) {
    throw new UserError(`the GPU device was lost (${ctx.lostReason}); the last weights read back are kept`);
  }
  if (ctx.uncapturedError !== null) {
    const message = ctx.uncapturedError;
    ctx.uncapturedError = null;
    throw new Error(`GPU error: ${message}`);
  }
}
