/**
 * A neural model's 200 AdamW steps on the GPU against the CPU with the same seed: the same
 * batches (drawn on the GPU), losses within 1e-4, learning (the last 20 steps' mean at least
 * `learnedBy` below the first loss), the weights within 1e-3 of each other as a whole, every
 * split's loss within 1e-4, and a bit-identical rerun of the first 20 steps.
 */
import { expect } from 'vitest';
import type { ContextData } from '../../src/data/contexts.ts';
import { CpuNetTrainer } from '../../src/nn/cpuTrainer.ts';
import { GpuNetTrainer } from '../../src/nn/gpuTrainer.ts';
import type { NetSpec } from '../../src/nn/netSpec.ts';
import { batchIndicesCpu } from '../../src/train/cpuTrainer.ts';
import { expectAllClose, expectEqualArrays, gpu } from './gpuHelpers.ts';

export async function expectGpuTrainsAsCpu(spec: NetSpec, data: ContextData, learnedBy: number): Promise<void> {
  const ctx = await gpu();
  const g = await GpuNetTrainer.create(ctx, spec, data, { historyLength: 64 });
  const c = new CpuNetTrainer(spec, data);
  const gl = new Float32Array(200);
  const cl = new Float32Array(200);
  for (const [start, count] of [[0, 1], [1, 99], [100, 100]]) {
    gl.set(await g.runSteps(count), start);
    cl.set(await c.runSteps(count), start);
    const want = batchIndicesCpu(spec.seed, start + count - 1, spec.batchSize, data.words.train);
    expectEqualArrays(`words of step ${start + count - 1}`, await g.readBatchIndices(), want);
    expectEqualArrays('CPU words', c.batch, want);
  }
  expectAllClose('losses', gl, cl, { rtol: 0, atol: 1e-4 });
  expect(gl.subarray(180).reduce((a, b) => a + b) / 20).toBeLessThan(gl[0] - learnedBy); // it learned
  // AdamW divides each gradient by its own running scale, so a parameter whose gradient is
  // nearly all rounding (the attention's key bias: softmax ignores a score added to every key)
  // moves by up to lr a step either way on either device. The weights agree as a whole.
  const [gw, cw] = [await g.readWeights(), await c.readWeights()];
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < gw.length; i++) {
    diff += (gw[i] - cw[i]) ** 2;
    norm += cw[i] ** 2;
  }
  expect(Math.sqrt(diff / norm), 'relative distance of the weights').toBeLessThan(1e-3);
  for (const split of ['train', 'dev', 'test'] as const) {
    expectAllClose(`${split} loss`, [await g.evaluateSplit(split)], [await c.evaluateSplit(split)], { rtol: 1e-4, atol: 0 });
  }
  const again = await GpuNetTrainer.create(ctx, spec, data, { historyLength: 64 });
  const rerun = await again.runSteps(20);
  expectEqualArrays('rerun losses (bits)', new Uint32Array(rerun.buffer), new Uint32Array(gl.slice(0, 20).buffer));
  g.dispose();
  again.dispose();
}
