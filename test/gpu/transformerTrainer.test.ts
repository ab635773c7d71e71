/**
 * The Transformer on the GPU against the CPU: 200 AdamW steps with the same seed (the same
 * batches of words, drawn on the GPU), losses within float32 tolerance, the weights close as a
 * whole, every split's loss; bit-identical reruns. A smaller network than the default (2 layers, 32
 * channels) keeps it to a minute on an emulated GPU; every layer of the default is in it.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { sequenceData } from '../../src/data/sequences.ts';
import { transformerNetSpec } from '../../src/models/transformer/net.ts';
import { CpuNetTrainer } from '../../src/nn/cpuTrainer.ts';
import { GpuNetTrainer } from '../../src/nn/gpuTrainer.ts';
import { batchIndicesCpu } from '../../src/train/cpuTrainer.ts';
import { DEFAULT_TRANSFORMER_HYPER, type TransformerHyper } from '../../src/train/hyper.ts';
import { expectAllClose, expectEqualArrays, gpu, TEST_SEED } from './gpuHelpers.ts';

const names = loadDefaultDataset();

describe('GPU Transformer against the CPU', () => {
  it('200 steps: the same batches, losses within 1e-4, the weights within 1e-3 of each other as a whole, the splits’ losses; reruns bit-identical', async () => {
    const ctx = await gpu();
    const seed = TEST_SEED % 1000;
    const data = sequenceData(names, seed);
    const hyper: TransformerHyper = { ...DEFAULT_TRANSFORMER_HYPER, nLayer: 2, nHead: 2, nEmbd: 32, steps: 200, seed, lr: 2e-3, lrFinal: 2e-3, blockSize: data.T };
    const spec = transformerNetSpec(data, hyper);
    const g = await GpuNetTrainer.create(ctx, spec, data, { historyLength: 64 });
    const c = new CpuNetTrainer(spec, data);
    const gl = new Float32Array(200);
    const cl = new Float32Array(200);
    for (const [start, count] of [[0, 1], [1, 99], [100, 100]]) {
      gl.set(await g.runSteps(count), start);
      cl.set(await c.runSteps(count), start);
      const want = batchIndicesCpu(seed, start + count - 1, hyper.batchSize, data.words.train);
      expectEqualArrays(`words of step ${start + count - 1}`, await g.readBatchIndices(), want);
      expectEqualArrays('CPU words', c.batch, want);
    }
    expectAllClose('losses', gl, cl, { rtol: 0, atol: 1e-4 });
    expect(gl.subarray(180).reduce((a, b) => a + b) / 20).toBeLessThan(gl[0] - 0.6); // it learned
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
  }, 600_000);
});
