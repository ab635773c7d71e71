/**
 * Whole training runs on the GPU against the CPU reference: loss trajectories, final weights,
 * minibatches, the counting model, determinism, convergence to the independent optimum,
 * divergence, a lost device, and data far larger than one dispatch.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { datasetFromWords, type Dataset } from '../../src/data/dataset.ts';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { bigramCountsCpu } from '../../src/models/bigramCounts.ts';
import { backendFromContext } from '../../src/gpu/gpuBackend.ts';
import { GpuBigramTrainer, type BigramPath } from '../../src/gpu/bigramTrainer.ts';
import { LAUNCH_CANDIDATES } from '../../src/gpu/launchShape.ts';
import { openNodeGpu } from '../../src/gpu/nodeBackend.ts';
import { CpuBigramTrainer } from '../../src/train/cpuTrainer.ts';
import { DivergedError, InterruptedError, trainLoop } from '../../src/train/trainer.ts';
import { runTraining } from '../../src/train/run.ts';
import { parseModel, serializeModel } from '../../src/models/modelFile.ts';
import type { BigramNetHyper } from '../../src/train/hyper.ts';
import { newtonBigramOptimum } from '../helpers/newton.ts';
import { expectAllClose, expectEqualArrays, gpu } from './gpuHelpers.ts';

const names = loadDefaultDataset();
const data = (d: Dataset) => ({ V: d.symbols.length, xs: d.xs, ys: d.ys });

async function pair(d: Dataset, hyper: BigramNetHyper, path: BigramPath) {
  const ctx = await gpu();
  return {
    gpu: await GpuBigramTrainer.create(ctx, data(d), hyper, { path, historyLength: 64 }),
    cpu: new CpuBigramTrainer(data(d), hyper),
  };
}

describe.each(['fused', 'unfused'] as const)('GPU trainer (%s) against the CPU', (path) => {
  it('100 full-batch steps: losses within 1e-4 relative, final weights within 1e-4', async () => {
    const hyper = { steps: 100, lr: 50, reg: 0.01, batchSize: 0, seed: 3 };
    const { gpu: g, cpu } = await pair(names, hyper, path);
    // 100 steps in two submits of different sizes: the history ring wraps (H = 64).
    const gpuLosses = Float32Array.of(...(await g.runSteps(70)), ...(await g.runSteps(30)));
    const cpuLosses = await cpu.runSteps(100);
    expectAllClose(`${path} losses`, gpuLosses, cpuLosses, { rtol: 1e-4, atol: 0 });
    expect(gpuLosses[99]).toBeLessThan(gpuLosses[0] - 1); // it learned
    expectAllClose(`${path} weights`, await g.readWeights(), await cpu.readWeights(), { rtol: 1e-4, atol: 1e-4 });
    const [ge, ce] = [await g.evaluate(), await cpu.evaluate()];
    expectAllClose(`${path} evaluate`, [ge.loss, ge.nll], [ce.loss, ce.nll], { rtol: 1e-5, atol: 0 });
    g.dispose();
  });

  it('minibatch steps draw the CPU indices: the same losses and weights', async () => {
    const hyper = { steps: 60, lr: 10, reg: 0.01, batchSize: 77, seed: 11 };
    const { gpu: g, cpu } = await pair(names, hyper, path);
    expectAllClose(`${path} minibatch losses`, await g.runSteps(60), await cpu.runSteps(60), { rtol: 1e-4, atol: 0 });
    expectAllClose(`${path} minibatch weights`, await g.readWeights(), await cpu.readWeights(), { rtol: 1e-4, atol: 1e-4 });
    g.dispose();
  });
});

describe('GPU trainer', () => {
  it('the fused step takes 2 dispatches (3 with minibatches); the unfused 7', async () => {
    const ctx = await gpu();
    const d = datasetFromWords(['ab', 'ba'], 'tiny');
    const counts = [];
    for (const [path, batchSize] of [['fused', 0], ['fused', 4], ['unfused', 0]] as const) {
      const t = await GpuBigramTrainer.create(ctx, data(d), { steps: 1, lr: 1, reg: 0, batchSize, seed: 0 }, { path });
      counts.push(t.dispatchesPerStep);
      t.dispose();
    }
    expect(counts).toEqual([2, 3, 7]);
  });

  it('timestamp queries time every kernel of a step and leave the run untouched', async () => {
    const ctx = await gpu();
    expect(ctx.hasTimestamps).toBe(true); // SwiftShader and every desktop GPU here has them
    for (const path of ['fused', 'unfused'] as const) {
      const t = await GpuBigramTrainer.create(ctx, data(names), { steps: 3, lr: 50, reg: 0.01, batchSize: 0, seed: 1 }, { path });
      await t.runSteps(1);
      const before = await t.readWeights();
      const timings = (await t.profileStep(2))!;
      expect(timings.map((k) => k.stem)).toEqual(path === 'fused'
        ? ['bigram_step_fused_vec4', 'bigram_update_fused']
        : ['onehot_matmul', 'softmax_forward', 'nll_forward', 'loss_finalize', 'softmax_nll_backward', 'onehot_matmul_backward', 'sgd_update']);
      for (const k of timings) expect(k.ms).toBeGreaterThan(0);
      expectEqualArrays(`${path} weights after profiling`, await t.readWeights(), before);
      // The step counter was restored too: the next loss is the one an unprofiled run gets.
      const reference = await GpuBigramTrainer.create(ctx, data(names), { steps: 3, lr: 50, reg: 0.01, batchSize: 0, seed: 1 }, { path });
      await reference.runSteps(1);
      expectEqualArrays(`${path} next loss`, await t.runSteps(1), await reference.runSteps(1));
      t.dispose();
      reference.dispose();
    }
  });

  it('both fused kernels, at every candidate launch shape, train alike', async () => {
    const ctx = await gpu();
    const hyper = { steps: 20, lr: 50, reg: 0.01, batchSize: 0, seed: 8 };
    const reference = await new CpuBigramTrainer(data(names), hyper).runSteps(20);
    for (const fusedKernel of ['loop', 'vec4'] as const) {
      for (const launch of LAUNCH_CANDIDATES) {
        const t = await GpuBigramTrainer.create(ctx, data(names), hyper, { fusedKernel, ...launch });
        expectAllClose(`${fusedKernel} ${JSON.stringify(launch)}`, await t.runSteps(20), reference, { rtol: 1e-5, atol: 0 });
        t.dispose();
      }
    }
  });

  it('the count-table algorithm (O(V²) per step) takes the same steps as the per-example ones', async () => {
    const ctx = await gpu();
    const hyper = { steps: 50, lr: 50, reg: 0.01, batchSize: 0, seed: 12 };
    const cpu = new CpuBigramTrainer(data(names), hyper);
    const t = await GpuBigramTrainer.create(ctx, data(names), hyper, { path: 'counts' });
    expect(t.dispatchesPerStep).toBe(1);
    expectAllClose('counts-path losses', await t.runSteps(50), await cpu.runSteps(50), { rtol: 1e-5, atol: 0 });
    expectAllClose('counts-path weights', await t.readWeights(), await cpu.readWeights(), { rtol: 1e-4, atol: 1e-5 });
    t.dispose();
    await expect(GpuBigramTrainer.create(ctx, data(names), { ...hyper, batchSize: 8 }, { path: 'counts' })).rejects.toThrow(/full batch only/);
  });

  it('two runs with the same seed are bit-identical', async () => {
    const ctx = await gpu();
    const hyper = { steps: 30, lr: 50, reg: 0.01, batchSize: 0, seed: 5 };
    const runs = [];
    for (let r = 0; r < 2; r++) {
      const t = await GpuBigramTrainer.create(ctx, data(names), hyper);
      runs.push({ losses: await t.runSteps(30), W: await t.readWeights() });
      t.dispose();
    }
    expectEqualArrays('losses', new Uint32Array(runs[0].losses.buffer), new Uint32Array(runs[1].losses.buffer));
    expectEqualArrays('weights', new Uint32Array(runs[0].W.buffer), new Uint32Array(runs[1].W.buffer));
  });

  it('the counting model on the GPU gives exactly the CPU table', async () => {
    const backend = backendFromContext(await gpu());
    const V = names.symbols.length;
    expectEqualArrays('bigram_counts', await backend.bigramCounts(names.xs, names.ys, V), bigramCountsCpu(names.xs, names.ys, V));
  });

  it('converges to the independent float64 optimum (reg > 0: strictly convex)', async () => {
    const ctx = await gpu();
    // 300 names: fast on an emulated GPU, the same convex problem.
    const d = datasetFromWords(names.words.filter((_, i) => i % 28 === 0), '300 names');
    const V = d.symbols.length;
    const reg = 0.01;
    const optimum = newtonBigramOptimum(bigramCountsCpu(d.xs, d.ys, V), V, reg);
    const t = await GpuBigramTrainer.create(ctx, data(d), { steps: 1500, lr: 50, reg, batchSize: 0, seed: 9 });
    await trainLoop(t, { steps: 1500, chunk: 500, lr: 50 });
    const { loss } = await t.evaluate();
    expect(Math.abs(loss - optimum.loss)).toBeLessThan(1e-4);
    t.dispose();
  });

  it.each(['fused', 'unfused', 'counts'] as const)('a diverging run (%s) stops with a message naming the learning rate, keeping finite weights', async (path) => {
    const ctx = await gpu();
    const t = await GpuBigramTrainer.create(ctx, data(names), { steps: 50, lr: 1e30, reg: 0.01, batchSize: 0, seed: 1 }, { path });
    const err = await trainLoop(t, { steps: 50, chunk: 1, lr: 1e30 }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergedError);
    expect(err.message).toMatch(/learning rate 1e\+30/);
    expect(err.lastGoodWeights === null || err.lastGoodWeights.every(Number.isFinite)).toBe(true);
    t.dispose();
  });

  it('a lost device stops training with a clear message', async () => {
    const ctx = await openNodeGpu(); // its own device: this test destroys it
    const t = await GpuBigramTrainer.create(ctx, data(names), { steps: 5, lr: 1, reg: 0, batchSize: 0, seed: 1 });
    await t.runSteps(1);
    // Lost while a submit is in flight (its read-back fails), then on the next call.
    const inFlight = t.runSteps(20);
    ctx.device.destroy();
    await expect(inFlight).rejects.toThrow(/GPU device was lost/);
    await expect(t.runSteps(1)).rejects.toThrow(/GPU device was lost \(.*destroyed/);
  });

  it('a device lost mid-run keeps the weights read back last, as a loadable model', async () => {
    const ctx = await openNodeGpu(); // its own device: this test destroys it
    const err = await runTraining(names, {
      model: 'bigram-nn', device: 'gpu', hyper: { steps: 500, lr: 50, reg: 0.01, batchSize: 0, seed: 1 }, smoothing: 0, samples: 0,
      gpu: async () => backendFromContext(ctx), chunk: 10, keepWeights: true,
      onProgress: (p) => { if (p.step === 30) ctx.device.destroy(); },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.message).toMatch(/GPU device was lost/);
    expect(err.lastStep).toBe(30);
    const model = parseModel(serializeModel(err.partialModel), 'partial.json');
    expect(model.steps).toBe(30);
    // They are the weights of step 30: the CPU reaches the same after 30 steps.
    const cpu = new CpuBigramTrainer(data(names), { steps: 30, lr: 50, reg: 0.01, batchSize: 0, seed: 1 });
    await cpu.runSteps(30);
    expectAllClose('kept weights', model.weights, await cpu.readWeights(), { rtol: 1e-4, atol: 1e-4 });
  });

  it('grids folded into 2-D give the same steps as flat ones', async () => {
    const ctx = await gpu();
    const d = datasetFromWords(names.words.slice(0, 800), '800 names');
    const hyper = { steps: 5, lr: 50, reg: 0.01, batchSize: 0, seed: 4 };
    for (const path of ['fused', 'unfused'] as const) {
      const flat = await GpuBigramTrainer.create(ctx, data(d), hyper, { path, chunkSize: 50 });
      // At most 3 workgroups per dimension: every multi-workgroup dispatch is folded.
      const folded = await GpuBigramTrainer.create(ctx, data(d), hyper, { path, chunkSize: 50, maxWorkgroupsPerDimension: 3 });
      expectEqualArrays(`${path} folded losses`, await folded.runSteps(5), await flat.runSteps(5));
      expectEqualArrays(`${path} folded weights`, await folded.readWeights(), await flat.readWeights());
      flat.dispose();
      folded.dispose();
    }
  });

  it('trains on millions of examples with the same loss as the CPU', async () => {
    const ctx = await gpu();
    const words: string[] = createRequire(import.meta.url)('an-array-of-english-words');
    const d = datasetFromWords(words, 'an-array-of-english-words');
    expect(d.xs.length).toBeGreaterThan(2_000_000);
    const hyper = { steps: 2, lr: 50, reg: 0.01, batchSize: 0, seed: 2 };
    const g = await GpuBigramTrainer.create(ctx, data(d), hyper);
    const cpu = new CpuBigramTrainer(data(d), hyper);
    expectAllClose('large-data losses', await g.runSteps(2), await cpu.runSteps(2), { rtol: 1e-5, atol: 0 });
    expectAllClose('large-data weights', await g.readWeights(), await cpu.readWeights(), { rtol: 1e-4, atol: 1e-5 });
    g.dispose();
  });
});
