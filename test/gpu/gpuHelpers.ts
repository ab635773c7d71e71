/**
 * Shared by the GPU tests: one real WebGPU device (Dawn; SwiftShader when there is no GPU),
 * fresh random inputs from a seed printed on failure, NaN-poisoned outputs, one-off kernel
 * dispatches and an allclose that names the first bad indices.
 */
import { openNodeGpu } from '../../src/gpu/nodeBackend.ts';
import type { GpuContext } from '../../src/gpu/device.ts';
import { bindGroup, createBuffer, getPipeline, readBuffer, STORAGE, type KernelSpec } from '../../src/gpu/kernels.ts';
import { Random } from '../../src/random/philox.ts';
import { encodeDispatches, type Dispatch } from '../../src/gpu/stepLoop.ts';

/** TEST_SEED=… reproduces a failing run; otherwise every run draws new inputs. */
export const TEST_SEED = Number(process.env.TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

let context: Promise<GpuContext> | null = null;

/** The device for this test file. No adapter is a failure that says how to get one, never a skip. */
export function gpu(): Promise<GpuContext> {
  context ??= openNodeGpu({ debug: true }).catch((e: Error) => {
    throw new Error(`GPU tests need a WebGPU adapter: ${e.message}`);
  });
  return context;
}

export function rng(stream: number): Random {
  return new Random(TEST_SEED, 1000 + stream);
}

export function randomNormal(r: Random, n: number, scale = 1): Float32Array {
  const a = r.fillNormal(new Float32Array(n));
  for (let i = 0; i < n; i++) a[i] *= scale;
  return a;
}

/** Random examples packed as x | y << 16, with every x in [0, V). */
export function randomPairs(r: Random, n: number, V: number): Uint32Array {
  const pairs = new Uint32Array(n);
  for (let i = 0; i < n; i++) pairs[i] = (r.index(V) | (r.index(V) << 16)) >>> 0;
  return pairs;
}

/** A storage buffer filled with NaN (or 0xffffffff for integers): an unwritten element shows. */
export function poisoned(ctx: GpuContext, label: string, elements: number): GPUBuffer {
  return createBuffer(ctx, label, 4 * elements, STORAGE, new Uint32Array(Math.max(1, elements)).fill(0x7fc00000));
}

export function input(ctx: GpuContext, label: string, data: Float32Array | Uint32Array): GPUBuffer {
  return createBuffer(ctx, label, data.byteLength, STORAGE, data);
}

/** Compile `spec`, bind `buffers` to bindings 0.. (null skips one) and dispatch once. */
export async function runKernel(ctx: GpuContext, spec: KernelSpec, buffers: (GPUBuffer | null)[], grid: { x: number; y: number }): Promise<void> {
  const pipeline = await getPipeline(ctx, spec);
  ctx.device.pushErrorScope('validation');
  const encoder = ctx.device.createCommandEncoder({ label: spec.stem });
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup(ctx, pipeline, spec.stem, buffers));
  pass.dispatchWorkgroups(grid.x, grid.y);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(`${spec.stem}: ${error.message}`);
}

export async function readF32(ctx: GpuContext, b: GPUBuffer, n: number): Promise<Float32Array> {
  return new Float32Array(await readBuffer(ctx, b, 4 * n));
}

export async function readU32(ctx: GpuContext, b: GPUBuffer, n: number): Promise<Uint32Array> {
  return new Uint32Array(await readBuffer(ctx, b, 4 * n));
}

/**
 * |actual − expected| ≤ atol + rtol·|expected| elementwise (atol may be per element); throws
 * with the first bad indices and the seed, so a failure can be replayed.
 */
export function expectAllClose(
  label: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { rtol: number; atol: number | ArrayLike<number> },
): void {
  if (actual.length < expected.length) throw new Error(`${label}: ${actual.length} values, expected ${expected.length}`);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const atol = typeof tol.atol === 'number' ? tol.atol : tol.atol[i];
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + tol.rtol * Math.abs(e))) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] got ${a}, expected ${e} (diff ${Math.abs(a - e).toExponential(2)})`);
    }
  }
  if (count > 0) {
    throw new Error(`${label}: ${count} of ${expected.length} values off (rtol ${tol.rtol}), TEST_SEED=${TEST_SEED}:\n  ${bad.join('\n  ')}`);
  }
}

export function expectEqualArrays(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      throw new Error(`${label}: first difference at [${i}]: got ${actual[i]}, expected ${expected[i]} (TEST_SEED=${TEST_SEED})`);
    }
  }
}

/** float32 machine epsilon: the unit of every tolerance below. */
export const EPS32 = 2 ** -23;

/** Run already-encoded dispatches once, in one pass, with validation errors reported. */
export async function runDispatches(ctx: GpuContext, dispatches: Dispatch[]): Promise<void> {
  ctx.device.pushErrorScope('validation');
  const encoder = ctx.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  encodeDispatches(pass, dispatches);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(error.message);
}
