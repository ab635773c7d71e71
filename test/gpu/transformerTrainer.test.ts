/**
 * The Transformer on the GPU against the CPU: 200 AdamW steps with the same seed (the same
 * batches of words, drawn on the GPU), losses within float32 tolerance, the weights close as a
 * whole, every split's loss; bit-identical reruns. A smaller network than the default (2 layers, 32
 * channels) keeps it to a minute on an emulated GPU; every layer of the default is in it.
 */
import { describe, it } from 'vitest';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { sequenceData } from '../../src/data/sequences.ts';
import { transformerNetSpec } from '../../src/models/transformer/net.ts';
import { DEFAULT_TRANSFORMER_HYPER, type TransformerHyper } from '../../src/train/hyper.ts';
import { TEST_SEED } from './gpuHelpers.ts';
import { expectGpuTrainsAsCpu } from './netTrainerCompare.ts';

const names = loadDefaultDataset();

describe('GPU Transformer against the CPU', () => {
  it('200 steps: the same batches, losses within 1e-4, the weights within 1e-3 of each other as a whole, the splits’ losses; reruns bit-identical', async () => {
    const seed = TEST_SEED % 1000;
    const data = sequenceData(names, seed);
    const hyper: TransformerHyper = { ...DEFAULT_TRANSFORMER_HYPER, nLayer: 2, nHead: 2, nEmbd: 32, steps: 200, seed, lr: 2e-3, lrFinal: 2e-3, blockSize: data.T };
    const spec = transformerNetSpec(data, hyper);
    await expectGpuTrainsAsCpu(spec, data, 0.6);
  }, 600_000);
});
