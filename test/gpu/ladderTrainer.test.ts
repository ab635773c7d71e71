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
import type { NetSpec } from '../../src/nn/netSpec.ts';
import { DEFAULT_SEQUENCE_HYPER, type SequenceHyper } from '../../src/train/hyper.ts';
import type { ContextData } from '../../src/data/contexts.ts';
import { CpuNetTrainer } from '../../src/nn/cpuTrainer.ts';
import { GpuNetTrainer } from '../../src/nn/gpuTrainer.ts';
import { expectAllClose, gpu, TEST_SEED } from './gpuHelpers.ts';
import { expectGpuTrainsAsCpu } from './netTrainerCompare.ts';

const names = datasetFromWords(loadDefaultDataset().words.filter((w) => [...w].length <= 6), 'short names');

const SPECS: [string, (data: ContextData, h: SequenceHyper) => NetSpec][] = [
  ['rnn (the time loop one op)', (data, h) => rnnNetSpec('rnn', data, h, true)],
  ['gru (the time loop one op)', (data, h) => rnnNetSpec('gru', data, h, true)],
  ['rnn (unrolled)', (data, h) => rnnNetSpec('rnn', data, h, false)],
  ['gru (unrolled)', (data, h) => rnnNetSpec('gru', data, h, false)],
  ['bow', bowNetSpec],
];

describe.each(SPECS)('GPU %s against the CPU', (_, specOf) => {
  it('200 steps: the same batches, losses within 1e-4, the weights within 1e-3 of each other as a whole, the splits’ losses; reruns bit-identical', async () => {
    const seed = TEST_SEED % 1000;
    const data = sequenceData(names, seed);
    const hyper: SequenceHyper = { ...DEFAULT_SEQUENCE_HYPER, nEmbd: 12, nEmbd2: 20, steps: 200, seed, lr: 1e-2, lrFinal: 1e-2, blockSize: data.T };
    const spec = specOf(data, hyper);
    await expectGpuTrainsAsCpu(spec, data, 0.5);
  }, 300_000);
});

describe('GPU evaluation of a sequence model in chunks', () => {
  it('chunks of 7 words, the last one short (its missing targets ignored), each split reported as it goes: the CPU\'s losses', async () => {
    const ctx = await gpu();
    const data = sequenceData(names, 5);
    const hyper: SequenceHyper = { ...DEFAULT_SEQUENCE_HYPER, nEmbd: 12, nEmbd2: 20, steps: 10, seed: 5, blockSize: data.T };
    const spec = rnnNetSpec('gru', data, hyper);
    const g = await GpuNetTrainer.create(ctx, spec, data, { evalRows: 7 });
    const c = new CpuNetTrainer(spec, data);
    for (const split of ['train', 'dev', 'test'] as const) {
      const done: number[] = [];
      const loss = await g.evaluateSplit(split, (d) => done.push(d));
      expectAllClose(`${split} loss`, [loss], [await c.evaluateSplit(split)], { rtol: 1e-5, atol: 0 });
      expect(data.words[split] % 7, `${split}: a short last chunk`).not.toBe(0);
      expect(done.length).toBeGreaterThan(1);
      expect(done.at(-1)).toBe(data.words[split]);
    }
    g.dispose();
  }, 300_000);
});
