/** The counting model on the GPU: bigram_counts over all examples, read back once. */
import { packPairs } from '../models/bigramOps.ts';
import { checkDevice, type GpuContext } from './device.ts';
import { bindGroup, createBuffer, foldGrid, getPipeline, readBuffer, STORAGE } from './kernels.ts';
import { paramsBuffer } from './bigramTrainer.ts';

const WG = 256;

export async function bigramCountsGpu(ctx: GpuContext, xs: Uint32Array, ys: Uint32Array, V: number): Promise<Uint32Array> {
  checkDevice(ctx);
  const N = xs.length;
  const grid = foldGrid(N, WG, ctx.device.limits.maxComputeWorkgroupsPerDimension);
  const pipeline = await getPipeline(ctx, { stem: 'bigram_counts', defines: { V, cols: 1, update: true }, overrides: { WG } });
  const params = paramsBuffer(ctx, 'params bigram_counts', { n: N, total: N, chunkSize: 1, historyLength: 1, lr: 0, reg: 0, seed: 0, rowStride: grid.rowStride, maxChunks: 0 });
  const pairs = createBuffer(ctx, 'pairs', 4 * N, STORAGE, packPairs(xs, ys));
  const counts = createBuffer(ctx, 'counts', 4 * V * V, STORAGE); // zero-initialised by WebGPU
  try {
    const encoder = ctx.device.createCommandEncoder({ label: 'bigram_counts' });
    const pass = encoder.beginComputePass({ label: 'bigram_counts' });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup(ctx, pipeline, 'bigram_counts', [params, pairs, counts]));
    pass.dispatchWorkgroups(grid.x, grid.y);
    pass.end();
    ctx.device.queue.submit([encoder.finish()]);
    return new Uint32Array(await readBuffer(ctx, counts, 4 * V * V));
  } finally {
    for (const b of [params, pairs, counts]) b.destroy();
  }
}
