/**
 * The context model trained on the GPU against the CPU reference: 2000 steps of the default
 * recipe (minibatches, the lr step at half-way, several submits), whole-split evaluation in
 * chunks, determinism, folded grids, initial weights, divergence, tiny data and a lost device.
 */
import { describe, expect, it } from 'vitest';
import { contextData } from '../../src/data/contexts.ts';
import { UserError } from '../../src/errors.ts';
import { checkDevice } from '../../src/gpu/device.ts';
import { datasetFromWords } from '../../src/data/dataset.ts';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { initMlpParams, mlpShape } from '../../src/models/mlp/net.ts';
import type { GpuNetTrainer } from '../../src/nn/gpuTrainer.ts';
import { matmulConfig } from '../../src/ops/matmulTiling.ts';
import { openNodeGpu } from '../../src/gpu/nodeBackend.ts';
import { backendFromContext } from '../../src/gpu/gpuBackend.ts';
import { batchIndicesCpu } from '../../src/train/cpuTrainer.ts';
import { DEFAULT_MLP_HYPER, type MlpHyper } from '../../src/train/hyper.ts';
import { cpuMlp, gpuMlp } from '../helpers/mlpTrainers.ts';
import { DivergedError, trainLoop } from '../../src/train/trainer.ts';
import { expectAllClose, expectEqualArrays, gpu, TEST_SEED } from './gpuHelpers.ts';

const names = loadDefaultDataset();

describe('GPU context model against the CPU', () => {
  it('2000 steps of the default recipe: the same minibatches, losses within 1e-4, the same weights and splits’ losses', async () => {
    const ctx = await gpu();
    const seed = TEST_SEED % 1000;
    const data = contextData(names, 3, seed);
    const hyper: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 2000, seed };
    const g = await gpuMlp(ctx, data, hyper, { historyLength: 256 });
    const c = cpuMlp(data, hyper);
    const N = data.train.Y.length;
    const gpuLosses = new Float32Array(2000);
    const cpuLosses = new Float32Array(2000);
    // Chunks of different sizes, several submits each (history ring of 256); the lr drops at step 1000.
    for (const [start, count] of [[0, 1], [1, 599], [600, 400], [1000, 1], [1001, 999]]) {
      gpuLosses.set(await g.runSteps(count), start);
      cpuLosses.set(await c.runSteps(count), start);
      const step = start + count - 1;
      const want = batchIndicesCpu(seed, step, hyper.batchSize, N);
      expectEqualArrays(`minibatch of step ${step}`, await g.readBatchIndices(), want);
      expectEqualArrays(`CPU minibatch of step ${step}`, c.batch, want);
    }
    // Float32 on both sides, summed in different orders: measured within 5e-7 (an ulp at 2–4).
    expectAllClose('losses', gpuLosses, cpuLosses, { rtol: 0, atol: 1e-4 });
    expect(gpuLosses.subarray(1900).reduce((a, b) => a + b) / 100).toBeLessThan(gpuLosses[0] - 0.7); // it learned
    expectAllClose('weights', await g.readWeights(), await c.readWeights(), { rtol: 0, atol: 1e-4 });
    for (const split of ['train', 'dev', 'test'] as const) {
      expectAllClose(`${split} loss`, [await g.evaluateSplit(split)], [await c.evaluateSplit(split)], { rtol: 1e-5, atol: 0 });
    }
    const [ge, ce] = [await g.evaluate(), await c.evaluate()];
    expectAllClose('evaluate', [ge.loss, ge.nll], [ce.loss, ce.nll], { rtol: 1e-5, atol: 0 });
    g.dispose();
  }, 600_000); // 2000 emulated GPU steps: about a minute alone, several when the machine is shared

  it('AdamW: 300 steps with the step schedule, GPU against CPU: losses within 1e-4, the same weights', async () => {
    const ctx = await gpu();
    const seed = (TEST_SEED % 1000) + 1;
    const data = contextData(names, 3, seed);
    const hyper: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 300, seed, optimizer: 'adamw', lr: 0.01, lrFinal: 0.001, weightDecay: 0.1 };
    const g = await gpuMlp(ctx, data, hyper, { historyLength: 128 });
    const c = cpuMlp(data, hyper);
    const [gl, cl] = [await g.runSteps(300), await c.runSteps(300)];
    expectAllClose('AdamW losses', gl, cl, { rtol: 0, atol: 1e-4 });
    expect(gl.subarray(250).reduce((a, b) => a + b) / 50).toBeLessThan(gl[0] - 0.5); // it learned
    expectAllClose('AdamW weights', await g.readWeights(), await c.readWeights(), { rtol: 0, atol: 1e-4 });
    expectAllClose('AdamW dev loss', [await g.evaluateSplit('dev')], [await c.evaluateSplit('dev')], { rtol: 1e-5, atol: 0 });
    g.dispose();
  }, 300_000);

  it('evaluates a split in chunks of any size, reporting progress: the same loss as one pass on the CPU', async () => {
    const ctx = await gpu();
    const data = contextData(names, 4, 3);
    const hyper: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 10, seed: 3, blockSize: 4, embed: 7, hidden: 33 };
    const initial = initMlpParams(mlpShape(data, hyper), 99, Float32Array).map((w) => w * 1.5);
    const c = cpuMlp(data, hyper, Float32Array, initial);
    // Chunks of 333 rows: many, the last one short; 8192 (the default); one chunk per split.
    for (const evalRows of [333, 8192, 100_000]) {
      const g = await gpuMlp(ctx, data, hyper, { evalRows }, initial);
      expect(await g.readWeights()).toEqual(await c.readWeights());
      for (const split of evalRows === 333 ? (['dev', 'test'] as const) : (['train', 'dev', 'test'] as const)) {
        const done: number[] = [];
        const N = data[split].Y.length;
        expectAllClose(`${split} (chunks of ${evalRows})`, [await g.evaluateSplit(split, (d, total) => { expect(total).toBe(N); done.push(d); })], [await c.evaluateSplit(split)], { rtol: 1e-5, atol: 0 });
        // Progress after each submit: several when the split is many chunks (the first submit is one chunk).
        expect(done.at(-1)).toBe(N);
        for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThan(done[i - 1]);
        if (N > evalRows) expect(done.length).toBeGreaterThan(1);
        // Evaluated again (the buffers reused): the same loss to the bit.
        if (evalRows === 333) expect(await g.evaluateSplit(split)).toBe(await g.evaluateSplit(split));
      }
      g.dispose();
    }
  }, 300_000);

  it('stops an evaluation between chunks once its signal is aborted (NaN), on the GPU and the CPU', async () => {
    const ctx = await gpu();
    const data = contextData(names, 4, 3);
    const hyper: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 10, seed: 3, blockSize: 4, embed: 7, hidden: 33 };
    const g = await gpuMlp(ctx, data, hyper, { evalRows: 333 });
    const c = cpuMlp(data, hyper, Float32Array);
    for (const t of [g, c]) {
      const aborted = new AbortController();
      aborted.abort();
      expect(await t.evaluateSplit('dev', undefined, aborted.signal)).toBeNaN();
      // Aborted after the first chunk's progress: no more chunks, NaN.
      const cut = new AbortController();
      const done: number[] = [];
      expect(await t.evaluateSplit('dev', (d) => { done.push(d); cut.abort(); }, cut.signal)).toBeNaN();
      expect(done).toHaveLength(1);
      expect(done[0]).toBeLessThan(data.dev.Y.length);
      // A signal that is not aborted changes nothing.
      expect(await t.evaluateSplit('dev', undefined, new AbortController().signal)).toBe(await t.evaluateSplit('dev'));
    }
    g.dispose();
  }, 120_000);

  it('a split larger than a GPU buffer may hold is evaluated in pieces; a train split too large is refused by name', async () => {
    const ctx = await gpu();
    // Most words in dev: its examples take more bytes than one buffer may hold, the train split's fewer.
    const data = contextData(names, 3, 4, { dev: 0.7, test: 0.1 });
    const hyper: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 10, seed: 4, hidden: 16, embed: 4 };
    const maxBufferBytes = 4 * data.train.X.length + 4;
    expect(4 * data.dev.X.length).toBeGreaterThan(maxBufferBytes);
    const g = await gpuMlp(ctx, data, hyper, { maxBufferBytes, evalRows: 4096 });
    const c = cpuMlp(data, hyper);
    for (const split of ['train', 'dev', 'test'] as const) {
      expectAllClose(`${split} loss`, [await g.evaluateSplit(split)], [await c.evaluateSplit(split)], { rtol: 1e-5, atol: 0 });
    }
    g.dispose();
    const err = await gpuMlp(ctx, data, hyper, { maxBufferBytes: 4 * data.train.X.length - 4 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^the GPU buffer "X train" needs \d+ bytes, above this device's limit of \d+ bytes per storage binding; use a smaller model, batch or data set$/);
    checkDevice(ctx); // and the device is fine
  }, 300_000);
});

describe('GPU context model', () => {
  const data = contextData(names, 3, 8);
  const hyper: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 40, seed: 8 };

  it('a step is 14 dispatches (tanh fused into two matmuls, the bias gradients into the weight gradients); the backend creates the trainer', async () => {
    const backend = backendFromContext(await gpu());
    const t = await backend.createNetTrainer!('mlp', data, hyper);
    expect((t as GpuNetTrainer).dispatchesPerStep).toBe(14);
    expect(t.device).toBe('gpu');
    t.dispose();
  });

  it('two runs with the same seed are bit-identical', async () => {
    const ctx = await gpu();
    const runs = [];
    for (let r = 0; r < 2; r++) {
      const t = await gpuMlp(ctx, data, hyper);
      runs.push({ losses: await t.runSteps(40), W: await t.readWeights(), dev: await t.evaluateSplit('dev') });
      t.dispose();
    }
    expectEqualArrays('losses', new Uint32Array(runs[0].losses.buffer), new Uint32Array(runs[1].losses.buffer));
    expectEqualArrays('weights', new Uint32Array(runs[0].W.buffer), new Uint32Array(runs[1].W.buffer));
    expect(runs[1].dev).toBe(runs[0].dev);
  });

  it('grids folded into 2-D and other matmul tiles give the same steps', async () => {
    const ctx = await gpu();
    const h = { ...hyper, batchSize: 300, steps: 5 };
    const flat = await gpuMlp(ctx, data, h);
    // At most 9 workgroups per dimension: every larger dispatch is folded (matmul's 70 tiles too).
    const folded = await gpuMlp(ctx, data, h, { maxWorkgroupsPerDimension: 9, evalRows: 256 });
    const [a, b] = [await flat.runSteps(5), await folded.runSteps(5)];
    expectEqualArrays('folded losses', b, a);
    expectEqualArrays('folded weights', await folded.readWeights(), await flat.readWeights());
    // The real GPU's tiles sum each product in the same order: the same numbers again.
    const tiled = await gpuMlp(ctx, data, h, { matmul: matmulConfig(false) });
    expectEqualArrays('tile 8 losses', await tiled.runSteps(5), a);
    for (const t of [flat, folded, tiled]) t.dispose();
  });

  it('starts from given weights and keeps each chunk’s start as the checkpoint', async () => {
    const ctx = await gpu();
    const initial = initMlpParams(mlpShape(data, hyper), 123, Float32Array);
    const t = await gpuMlp(ctx, data, hyper, {}, initial);
    expect(await t.readWeights()).toEqual(initial);
    await t.runSteps(3);
    const before = await t.readWeights();
    await t.runSteps(2);
    expect(await t.readCheckpoint()).toEqual(before);
    expect(t.step).toBe(5);
    t.dispose();
  });

  it('a diverging run stops with a message naming the learning rate, keeping finite weights', async () => {
    const ctx = await gpu();
    // tanh bounds the activations: only a rate that overflows the weights makes the loss non-finite.
    const h = { ...hyper, lr: 1e37, lrFinal: 1e37, steps: 30 };
    const t = await gpuMlp(ctx, data, h);
    const err = await trainLoop(t, { steps: 30, chunk: 3, lr: h.lr }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergedError);
    expect(err.message).toMatch(/learning rate 1e\+37/);
    expect(err.lastGoodWeights === null || err.lastGoodWeights.every(Number.isFinite)).toBe(true);
    t.dispose();
  });

  it('tiny data: an empty dev split evaluates to NaN; no train split is refused', async () => {
    const ctx = await gpu();
    const five = contextData(datasetFromWords(['ab', 'ba', 'abba', 'b', 'a'], 'five'), 3, 1);
    expect(five.dev.Y.length).toBe(0);
    const t = await gpuMlp(ctx, five, { ...hyper, steps: 3 });
    const c = cpuMlp(five, { ...hyper, steps: 3 });
    expectAllClose('tiny losses', await t.runSteps(3), await c.runSteps(3), { rtol: 0, atol: 1e-6 });
    expect(await t.evaluateSplit('dev')).toBeNaN();
    expectAllClose('tiny test loss', [await t.evaluateSplit('test')], [await c.evaluateSplit('test')], { rtol: 1e-5, atol: 0 });
    t.dispose();
    const one = contextData(datasetFromWords(['solo'], 'one'), 3, 1);
    await expect(gpuMlp(ctx, one, hyper)).rejects.toThrow(/train split is empty/);
  });

  it('a lost device stops training with a clear message', async () => {
    const ctx = await openNodeGpu(); // its own device: this test destroys it
    const t = await gpuMlp(ctx, data, hyper);
    await t.runSteps(1);
    ctx.device.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await expect(t.runSteps(1)).rejects.toThrow(/GPU device was lost/);
  });
});
