/**
 * The plumbing every GPU op shares: compiling kernels once (cached by source and constants,
 * with the compiler's line:column messages on failure), buffers, grids folded into 2-D past
 * the per-dimension workgroup limit, and reading buffers back.
 */
import { assembleShader, type Defines } from './shaders.ts';
import { checkDevice, type GpuContext } from './device.ts';

export interface KernelSpec {
  /** File stem in shaders/: the op's name everywhere. */
  stem: string;
  /** `${name}` values (sizes that must be constants, #if flags). */
  defines: Defines;
  /** WGSL override constants (workgroup size). */
  overrides?: Record<string, number>;
  /** Snippets of shaders/lib/ put before the kernel (default SHADER_LIBS). */
  libs?: readonly string[];
}

export async function getPipeline(ctx: GpuContext, spec: KernelSpec): Promise<GPUComputePipeline> {
  const code = assembleShader(ctx.files, spec.stem, spec.defines, spec.libs);
  const key = JSON.stringify([code, spec.overrides ?? {}]);
  let pipeline = ctx.pipelines.get(key);
  if (!pipeline) {
    pipeline = compile(ctx, spec, code);
    ctx.pipelines.set(key, pipeline);
    pipeline.catch(() => ctx.pipelines.delete(key));
  }
  return pipeline;
}

async function compile(ctx: GpuContext, spec: KernelSpec, code: string): Promise<GPUComputePipeline> {
  const { device } = ctx;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label: spec.stem, code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    await device.popErrorScope();
    throw new Error(`WGSL compile error in ${spec.stem}:\n` + errors.map((m) => formatMessage(code, m)).join('\n'));
  }
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await device.createComputePipelineAsync({
      label: spec.stem,
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: spec.overrides },
    });
  } finally {
    const error = await device.popErrorScope();
    if (error) throw new Error(`pipeline ${spec.stem}: ${error.message}`);
  }
  return pipeline;
}

/** "shaders/x.wgsl:12:5: message" with the source line, mapped back from the assembled code. */
function formatMessage(code: string, m: GPUCompilationMessage): string {
  const lines = code.split('\n');
  let file = '?';
  let fileLine = m.lineNum;
  for (let i = m.lineNum - 1; i >= 0; i--) {
    const header = /^\/\/ ---- (shaders\/\S+)$/.exec(lines[i] ?? '');
    if (header) {
      file = header[1];
      fileLine = m.lineNum - 1 - i;
      break;
    }
  }
  return `${file}:${fileLine}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1]?.trim() ?? ''}`;
}

export function createBuffer(ctx: GpuContext, label: string, size: number, usage: number, data?: ArrayBufferView): GPUBuffer {
  // Zero-size bindings are invalid and sizes must be multiples of 4.
  const padded = Math.max(16, Math.ceil(size / 16) * 16);
  const buffer = ctx.device.createBuffer({ label, size: padded, usage, mappedAtCreation: data !== undefined });
  if (data) {
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
  }
  return buffer;
}

export const STORAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST (GPUBufferUsage values, usable before globals exist)
export const UNIFORM = 0x40 | 0x8; // UNIFORM | COPY_DST

export interface Grid {
  /** Workgroups in x and y. */
  x: number;
  y: number;
  /** Threads per row of the folded grid (x · workgroup size): flat id = y · rowStride + x. */
  rowStride: number;
}

/** Enough workgroups of `wg` threads for `threads`, folded into 2-D past `maxPerDim`. */
export function foldGrid(threads: number, wg: number, maxPerDim: number): Grid {
  const groups = Math.max(1, Math.ceil(threads / wg));
  if (groups <= maxPerDim) return { x: groups, y: 1, rowStride: groups * wg };
  const y = Math.ceil(groups / maxPerDim);
  const x = Math.ceil(groups / y);
  return { x, y, rowStride: x * wg };
}

/**
 * Bind `buffers` to bindings 0, 1, 2, …; null leaves a binding out (a kernel variant that does
 * not use it: layout 'auto' drops unused bindings). A { buffer, offset, size } binds a range.
 */
export function bindGroup(ctx: GpuContext, pipeline: GPUComputePipeline, label: string, buffers: (GPUBuffer | GPUBufferBinding | null)[]): GPUBindGroup {
  const entries: GPUBindGroupEntry[] = [];
  buffers.forEach((buffer, binding) => {
    if (buffer) entries.push({ binding, resource: 'buffer' in buffer ? buffer : { buffer } });
  });
  return ctx.device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(0), entries });
}

/**
 * Copy `size` bytes of a buffer to a staging buffer and read them (one wait). `expectedMs`:
 * how long the GPU work queued before it should take, slept through first where the context
 * asks for it (see GpuContext.idleBeforeWait).
 */
export async function readBuffer(ctx: GpuContext, source: GPUBuffer, size: number, offset = 0, expectedMs = 0): Promise<ArrayBuffer> {
  const staging = ctx.device.createBuffer({ label: `${source.label} readback`, size: Math.ceil(size / 4) * 4, usage: 0x1 | 0x8 }); // MAP_READ | COPY_DST
  const encoder = ctx.device.createCommandEncoder({ label: 'readback' });
  encoder.copyBufferToBuffer(source, offset, staging, 0, staging.size);
  ctx.device.queue.submit([encoder.finish()]);
  if (ctx.idleBeforeWait && expectedMs > 1) await new Promise((r) => setTimeout(r, expectedMs));
  try {
    await staging.mapAsync(0x1);
  } catch (e) {
    // A destroyed or lost device fails the map before device.lost has resolved: give it a
    // moment, so the message says what happened rather than "buffer unmapped".
    await Promise.race([ctx.device.lost, new Promise((r) => setTimeout(r, 200))]);
    checkDevice(ctx);
    throw e;
  }
  const copy = staging.getMappedRange().slice(0, size);
  staging.unmap();
  staging.destroy();
  checkDevice(ctx);
  return copy;
}
