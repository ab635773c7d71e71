/**
 * Matrix-product benchmarks: the GPU kernel (ops/matmul, or its version 1 layout for
 * comparison) and the CPU twin (src/ops/matmulCpu.ts, or a naive loop), at the shapes of
 * the MLP and the Transformer, each as forward (NN), input gradient (NT) and weight gradient (TN).
 *
 * GPU timing: R dispatches in one compute pass, one submit, wall time until the queue is done,
 * divided by R; after a warm-up that also picks R (≥ ~20 ms per sample); median of `repeats`.
 * While waiting, the process sleeps through most of the expected time first: Dawn polls in a
 * busy loop, which would take one of the software adapter's CPU cores.
 */
import type { GpuContext } from '../src/gpu/device.ts';
import { bindGroup, createBuffer, getPipeline, STORAGE, UNIFORM } from '../src/gpu/kernels.ts';
import { matmulCpu } from '../src/ops/matmulCpu.ts';
import { matmulConfig, matmulGrid, type MatmulConfig } from '../src/ops/matmulTiling.ts';
import { matmulVec4 } from '../src/ops/linear.ts';
import { summarize } from './stats.ts';

export interface Shape {
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
}

export interface Row extends Shape {
  /** Median ms per product. */
  ms: number;
  gflops: number;
}

/** The products of a linear layer x (B, I) · W (I, O): forward, input gradient, weight gradient. */
export function layerShapes(B: number, I: number, O: number): Shape[] {
  return [
    { M: B, K: I, N: O, transA: false, transB: false }, // y = x·W
    { M: B, K: O, N: I, transA: false, transB: true }, // dx = dy·Wᵀ
    { M: I, K: B, N: O, transA: true, transB: false }, // dW = xᵀ·dy
  ];
}

/** 512×64·64×192, 512×64·64×256, 512×256·256×64 (Transformer), 512×30·30×200, 512×200·200×27 (MLP). */
export const BENCH_SHAPES: Shape[] = [
  [512, 64, 192], [512, 64, 256], [512, 256, 64], [512, 30, 200], [512, 200, 27],
].flatMap(([B, I, O]) => layerShapes(B, I, O));

export const gflops = (s: Shape, ms: number) => (2 * s.M * s.K * s.N) / 1e6 / ms;

/** A GPU matmul implementation to time: how to compile, bind and grid it. */
export interface GpuMatmul {
  name: string;
  pipeline(s: Shape): Promise<GPUComputePipeline>;
  bind(pipeline: GPUComputePipeline, s: Shape, a: GPUBuffer, b: GPUBuffer, out: GPUBuffer): GPUBindGroup;
  grid(s: Shape): { x: number; y: number };
}

/** ops/matmul with a config (default: the adapter's). */
export function newMatmul(ctx: GpuContext, config: MatmulConfig = matmulConfig(ctx.adapter.software), name = 'new'): GpuMatmul {
  const maxDim = ctx.device.limits.maxComputeWorkgroupsPerDimension;
  return {
    name,
    pipeline: (s) =>
      getPipeline(ctx, { stem: 'ops/matmul', defines: { ...matmulVec4(config, s), tiled: config.tiled, transA: s.transA, transB: s.transB, bias: false, accumulate: false, tanh: false, tanhGrad: false, gelu: false, geluGrad: false, aux: false, residual: false, biasGrad: false }, overrides: config.overrides, libs: [] }),
    bind: (p, s, a, b, out) => bindGroup(ctx, p, name, [matmulParams(ctx, s.M, s.K, s.N), a, b, null, out]),
    grid: (s) => matmulGrid(s.M, s.N, config, maxDim),
  };
}

/**
 * Version 1, the kernel this one replaced: its tiled path with 4×4 threads (the old software
 * layout: workgroup tiles of K staged 16 at a time, a barrier per slab).
 */
export function oldMatmul(ctx: GpuContext): GpuMatmul {
  return newMatmul(ctx, { tiled: true, vec4: false, overrides: { WG: 16, TX: 1, TS: 4, KT: 16 }, tileRows: 16, tileCols: 16 }, 'v1 tiled');
}

export function matmulParams(ctx: GpuContext, M: number, K: number, N: number): GPUBuffer {
  return createBuffer(ctx, 'matmul params', 16, UNIFORM, new Uint32Array([M, K, N, 0]));
}

function randomData(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A prepared GPU product: `sample()` times one submit of R dispatches, in ms per product. */
async function prepareGpu(ctx: GpuContext, impl: GpuMatmul, s: Shape): Promise<{ sample: () => Promise<number>; dispose: () => void }> {
  const a = createBuffer(ctx, 'a', 4 * s.M * s.K, STORAGE, randomData(s.M * s.K, 1));
  const b = createBuffer(ctx, 'b', 4 * s.K * s.N, STORAGE, randomData(s.K * s.N, 2));
  const out = createBuffer(ctx, 'out', 4 * s.M * s.N, STORAGE);
  const pipeline = await impl.pipeline(s);
  const bind = impl.bind(pipeline, s, a, b, out);
  const grid = impl.grid(s);
  const run = async (R: number, expectedMs: number) => {
    const t0 = performance.now();
    const encoder = ctx.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    for (let r = 0; r < R; r++) pass.dispatchWorkgroups(grid.x, grid.y);
    pass.end();
    ctx.device.queue.submit([encoder.finish()]);
    if (expectedMs > 2) await sleep(0.8 * expectedMs);
    await ctx.device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  await run(1, 0);
  const once = Math.max(0.01, (await run(3, 0)) / 3);
  const R = Math.max(3, Math.min(200, Math.ceil(20 / once)));
  let best = once;
  return {
    sample: async () => {
      const t = (await run(R, best * R)) / R;
      best = Math.min(best, t);
      return t;
    },
    dispose: () => [a, b, out].forEach((x) => x.destroy()),
  };
}

/** Median ms per product of each implementation at one shape, their samples alternated. */
export async function timeGpuSideBySide(ctx: GpuContext, impls: GpuMatmul[], s: Shape, repeats: number): Promise<number[]> {
  const prepared = [];
  for (const impl of impls) prepared.push(await prepareGpu(ctx, impl, s));
  const samples: number[][] = impls.map(() => []);
  for (let i = 0; i < repeats; i++) for (let j = 0; j < impls.length; j++) samples[j].push(await prepared[j].sample());
  prepared.forEach((p) => p.dispose());
  return samples.map((x) => summarize(x).median);
}

export async function timeGpu(ctx: GpuContext, impl: GpuMatmul, s: Shape, repeats: number): Promise<number> {
  return (await timeGpuSideBySide(ctx, [impl], s, repeats))[0];
}

export async function benchMatmulGpu(ctx: GpuContext, shapes: Shape[], repeats: number, impl: GpuMatmul = newMatmul(ctx)): Promise<Row[]> {
  const rows: Row[] = [];
  for (const s of shapes) {
    const ms = await timeGpu(ctx, impl, s, repeats);
    rows.push({ ...s, ms, gflops: gflops(s, ms) });
  }
  return rows;
}

export type CpuMatmul = (s: Shape, a: Float32Array, b: Float32Array, out: Float64Array) => void;
export const newCpu: CpuMatmul = (s, a, b, out) => matmulCpu(out, a, b, s.M, s.K, s.N, { transA: s.transA, transB: s.transB });
/** Version 1 of the twin: the naive triple loop, one output at a time. */
export const oldCpu: CpuMatmul = (s, a, b, out) => {
  for (let m = 0; m < s.M; m++) {
    for (let n = 0; n < s.N; n++) {
      let t = 0;
      for (let k = 0; k < s.K; k++) t += (s.transA ? a[k * s.M + m] : a[m * s.K + k]) * (s.transB ? b[n * s.K + k] : b[k * s.N + n]);
      out[m * s.N + n] = t;
    }
  }
};

/** Median ms per product of each CPU implementation at one shape, samples alternated (≥ ~20 ms each). */
export function timeCpuSideBySide(impls: CpuMatmul[], s: Shape, repeats: number): number[] {
  const a = randomData(s.M * s.K, 1);
  const b = randomData(s.K * s.N, 2);
  const out = new Float64Array(s.M * s.N);
  const Rs = impls.map((impl) => {
    impl(s, a, b, out); // warm-up (and JIT)
    const t0 = performance.now();
    impl(s, a, b, out);
    return Math.max(1, Math.min(200, Math.ceil(20 / Math.max(0.01, performance.now() - t0))));
  });
  const samples: number[][] = impls.map(() => []);
  for (let i = 0; i < repeats; i++) {
    impls.forEach((impl, j) => {
      const t0 = performance.now();
      for (let r = 0; r < Rs[j]; r++) impl(s, a, b, out);
      samples[j].push((performance.now() - t0) / Rs[j]);
    });
  }
  return samples.map((x) => summarize(x).median);
}

export function timeCpu(impl: CpuMatmul, s: Shape, repeats: number): number {
  return timeCpuSideBySide([impl], s, repeats)[0];
}

export function benchMatmulCpu(shapes: Shape[], repeats: number, impl: CpuMatmul = newCpu): Row[] {
  return shapes.map((s) => {
    const ms = timeCpu(impl, s, repeats);
    return { ...s, ms, gflops: gflops(s, ms) };
  });
}
