/**
 * The page's GPU: one WebGPU backend, created once at load and shared by the runs. When the
 * browser has no WebGPU, or no adapter, the reason is kept to be shown as is and the CPU
 * device remains.
 */
import { createWebGpuBackend } from '../gpu/backend.ts';
import type { GpuBackend } from '../train/run.ts';
import { messageOf } from './dom.ts';

export type GpuState = { ok: true; backend: GpuBackend } | { ok: false; reason: string };

let state: Promise<GpuState> | null = null;

export function gpuState(): Promise<GpuState> {
  state ??= probe();
  return state;
}

/** After a GPU failure (a lost device, say) the next run starts from a fresh backend. */
export function forgetGpu(): void {
  state = null;
}

async function probe(): Promise<GpuState> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    const why = window.isSecureContext
      ? 'this browser has no WebGPU (navigator.gpu is missing): try a current Chrome or Edge, or Firefox/Safari with WebGPU enabled'
      : 'WebGPU needs a secure page (https:// or http://localhost)';
    return { ok: false, reason: why };
  }
  try {
    return { ok: true, backend: await createWebGpuBackend(gpu) };
  } catch (e) {
    return { ok: false, reason: messageOf(e) };
  }
}
