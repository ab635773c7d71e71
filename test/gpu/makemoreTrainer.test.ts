/**
 * makemore's own mlp and bigram on the GPU against the CPU: 200 AdamW steps with the same seed
 * (the same batches of words, drawn on the GPU), losses within float32 tolerance, the weights
 * close as a whole, every split's loss; bit-identical reruns. Small networks on the bundled
 * names of up to 6 letters (T = 7) keep each to seconds on an emulated GPU.
 */
import { describe, it } from 'vitest';
import { datasetFromWords } from '../../src/data/dataset.ts';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { sequenceData } from '../../src/data/sequences.ts';
import { makemoreBigramNetSpec, makemoreMlpNetSpec } from '../../src/models/makemore/net.ts';
import type { NetSpec } from '../../src/nn/netSpec.ts';
import { DEFAULT_SEQUENCE_HYPER, type SequenceHyper } from '../../src/train/hyper.ts';
import type { ContextData } from '../../src/data/contexts.ts';
import { TEST_SEED } from './gpuHelpers.ts';
import { expectGpuTrainsAsCpu } from './netTrainerCompare.ts';

const names = datasetFromWords(loadDefaultDataset().words.filter((w) => [...w].length <= 6), 'short names');

const SPECS: [string, (data: ContextData, h: SequenceHyper) => NetSpec, number][] = [
  ['makemore-mlp', makemoreMlpNetSpec, 0.5],
  ['makemore-bigram', makemoreBigramNetSpec, 0.3],
];

describe.each(SPECS)('GPU %s against the CPU', (_, specOf, learnedBy) => {
  it('200 steps: the same batches, losses within 1e-4, the weights within 1e-3 of each other as a whole, the splits’ losses; reruns bit-identical', async () => {
    const seed = TEST_SEED % 1000;
    const data = sequenceData(names, seed);
    const hyper: SequenceHyper = { ...DEFAULT_SEQUENCE_HYPER, nEmbd: 12, nEmbd2: 20, steps: 200, seed, lr: 1e-2, lrFinal: 1e-2, blockSize: data.T };
    await expectGpuTrainsAsCpu(specOf(data, hyper), data, learnedBy);
  }, 300_000);
});
