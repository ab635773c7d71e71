/**
 * The page's dev curve (src/page/trainingRun.ts), in Node: a Transformer run through runOnPage
 * with the CLI's CPU trainer behind a stand-in GPU backend and a clock that moves only when the
 * trainer works. The dev loss is taken at evenly spaced steps, each the loss a plain run to
 * that step has; the chunks split at those steps train exactly as a plain run; ms per step
 * leaves the evaluations out; slow evaluations are spaced out; a stopped run still ends its
 * curve at the step it reached.
 */
import { describe, expect, it } from 'vitest';
import { datasetFromWords } from '../src/data/dataset.ts';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { sequenceData } from '../src/data/sequences.ts';
import { transformerNetSpec } from '../src/models/transformer/net.ts';
import { CpuNetTrainer } from '../src/nn/cpuTrainer.ts';
import { runOnPage } from '../src/page/trainingRun.ts';
import type { PauseGate } from '../src/page/pauseGate.ts';
import type { GpuBackend } from '../src/train/run.ts';
import { DEFAULT_MLP_HYPER, DEFAULT_NET_HYPER, DEFAULT_TRANSFORMER_HYPER, type TransformerHyper } from '../src/train/hyper.ts';
import type { MlpTrainer } from '../src/train/trainer.ts';

const dataset = datasetFromWords(loadDefaultDataset().words.slice(0, 400), 'names');
const HYPER: TransformerHyper = { ...DEFAULT_TRANSFORMER_HYPER, nLayer: 1, nHead: 2, nEmbd: 8, steps: 50, lr: 0.01, lrFinal: 0.01, batchSize: 4 };
const MS_PER_STEP = 10;

function cpuTrainer(): CpuNetTrainer {
  const data = sequenceData(dataset, HYPER.seed);
  return new CpuNetTrainer(transformerNetSpec(data, { ...HYPER, blockSize: data.T }), data);
}

/** runOnPage on the CPU trainer; the clock moves MS_PER_STEP per step and evalMs per split evaluated. */
async function run(evalMs: number, stopAtDevPoint = Infinity) {
  let clock = 0;
  const gate = { wait: () => Promise.resolve(), now: () => clock, paused: false } as unknown as PauseGate;
  const backend: GpuBackend = {
    description: 'the CPU, standing in',
    bigramCounts: () => Promise.reject(new Error('not here')),
    createBigramTrainer: () => Promise.reject(new Error('not here')),
    createNetTrainer: async () => {
      const inner = cpuTrainer();
      return {
        device: 'gpu', deviceDescription: 'stand-in', V: inner.V,
        get step() { return inner.step; },
        runSteps: (count: number) => ((clock += MS_PER_STEP * count), inner.runSteps(count)),
        evaluateSplit: (split) => ((clock += evalMs), inner.evaluateSplit(split)),
        readWeights: () => inner.readWeights(),
        readCheckpoint: () => inner.readCheckpoint(),
        evaluate: () => inner.evaluate(),
        dispose: () => inner.dispose(),
      } satisfies MlpTrainer;
    },
  };
  const controller = new AbortController();
  const dev: [number, number][] = [];
  const losses: number[] = [];
  const outcome = await runOnPage(
    { dataset, model: 'transformer', device: 'gpu', hyper: DEFAULT_NET_HYPER, mlp: DEFAULT_MLP_HYPER, transformer: HYPER, smoothing: 1 },
    {
      signal: controller.signal, gate, gpu: async () => backend,
      onLosses: (l) => losses.push(...l),
      onDevLoss: (step, loss) => {
        dev.push([step, loss]);
        if (dev.length === stopAtDevPoint) controller.abort();
      },
    },
  );
  return { outcome, dev, losses };
}

describe('the page’s dev curve', () => {
  it('takes the dev loss every ⌈steps/16⌉ steps and at the end, as a plain run has it; the steps and ms per step are unchanged', async () => {
    const { outcome, dev, losses } = await run(1);
    const every = Math.ceil(HYPER.steps / 16);
    const want = [...Array.from({ length: Math.floor((HYPER.steps - 1) / every) }, (_, i) => (i + 1) * every), HYPER.steps];
    expect(dev.map(([s]) => s)).toEqual(want);
    expect(outcome.msPerStep).toBe(MS_PER_STEP);
    expect(outcome.devLoss).toBe(dev.at(-1)![1]);

    const plain = cpuTrainer();
    const plainLosses: number[] = [];
    for (const [step, loss] of dev) {
      plainLosses.push(...await plain.runSteps(step - plain.step));
      expect(loss, `dev loss at step ${step}`).toBe(await plain.evaluateSplit('dev'));
    }
    expect(losses).toEqual(plainLosses);
    // It learns: the curve falls.
    expect(dev.at(-1)![1]).toBeLessThan(dev[0][1]);
  });

  it('spaces the points out while evaluating costs more than a quarter of the training time', async () => {
    // An evaluation costs as much as 10 steps: the second may come only after 40 steps.
    const { outcome, dev } = await run(10 * MS_PER_STEP);
    expect(dev.map(([s]) => s)).toEqual([4, 40, 50]);
    expect(outcome.msPerStep).toBe(MS_PER_STEP);
  });

  it('a stopped run takes no more points, and ends its curve at the step it reached', async () => {
    const { outcome, dev } = await run(1, 1);
    expect(outcome.cancelled).toBe(true);
    expect(outcome.steps).toBeLessThan(HYPER.steps);
    expect(dev.map(([s]) => s)).toEqual([4, outcome.steps]);
  });
});
