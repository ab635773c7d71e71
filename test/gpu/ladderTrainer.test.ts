/**
 * makemore's rnn, gru and bow on the GPU against the CPU: 200 AdamW steps with the same seed
 * (the same batches of words, drawn on the GPU), losses within float32 tolerance, the weights
 * close as a whole, every split's loss; bit-identical reruns. Small networks on the bundled
 * names of up to 6 letters (T = 7 time steps) keep each to seconds on an emulated GPU.
 */
import { describe, expect, it } from 'vitest';
import { datasetFromWords } from '../../src/data/dataset.ts';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { sequenceData } from '../../src/data/sequences.ts';
import { bowNetSpec } from '../../src/models/bow/net.ts';
import { rnnNetSpec } from '../../src/models/rnn/net.ts';
import { CpuNetTrainer } from '../../src/nn/cpuTrainer.ts';
import { GpuNetTrainer } from '../../src/nn/gpuTrainer.ts';
import type { NetSpec } from '../../src/nn/netSpec.ts';
import { batchIndicesCpu } from '../../src/train/cpuTrainer.ts';
import { DEFAULT_SEQUENCE_HYPER, type SequenceHyper } from '../../src/train/hyper.ts';
import type { ContextData } from '../../src/data/contexts.ts';
import { expectAllClose, expectEqualArrays, gpu, TEST_SEED } from './gpuHelpers.ts';

const names = datasetFromWords(loadDefaultDataset().words.filter((w) => [...w].length <= 6), 'short names');

const SPECS: [string, (data: ContextData, h: SequenceHyper) => NetSpec][] = [
  ['rnn', (data, h) => rnnNetSpec('rnn', data, h)],
  ['gru', (data, h) => rnnNetSpec('gru', data, h)],
  ['bow', bowNetSpec],
];

describe.each(SPECS)('GPU %s against the CPU', (_, specOf) => {
  it('200 steps: the same batches, losses within 1e-4, the weights within 1e-3 of each other as a whole, the splits’ losses; reruns bit-identical', async () => {
    const ctx = await gpu();
    const seed = TEST_SEED % 1000;
    const data = sequenceData(names, seed);
    const hyper: SequenceHyper = { ...DEFAULT_SEQUENCE_HYPER, nEmbd: 12, nEmbd2: 20, steps: 200, seed, lr: 1e-2, lrFinal: 1e-2, blockSize: data.T };
    const spec = specOf(data, hyper);
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
    expect(gl.subarray(180).reduce((a, b) => a + b) / 20).toBeLessThan(gl[0] - 0.5); // it learned
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
  }, 300_000);
});
