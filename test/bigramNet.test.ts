import { describe, expect, it } from 'vitest';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { bigramCountsCpu, countsToProbs, countsNll } from '../src/models/bigramCounts.ts';
import {
  bigramNetLossAndGrad, bigramNetProbs, expNonPositive, initBigramWeights, sgdUpdateCpu, softmaxRow,
} from '../src/models/bigramNet.ts';
import { bigramCountsLossAndGrad } from '../src/models/bigramOps.ts';
import { modelProbabilities } from '../src/models/modelFile.ts';
import { sampleWords } from '../src/models/sample.ts';
import { batchIndex, Random } from '../src/random/philox.ts';
import { CpuBigramTrainer, type BigramData } from '../src/train/cpuTrainer.ts';
import { runTraining } from '../src/train/run.ts';
import { freshSeed, randomBigramProblem, shortNames } from './helpers/fixtures.ts';
import { newtonBigramOptimum } from './helpers/newton.ts';

const defaults = loadDefaultDataset();
const D: BigramData = { V: defaults.symbols.length, xs: defaults.xs, ys: defaults.ys };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('bigramNetLossAndGrad', () => {
  it('at W = 0 gives loss ln V and gradient (n_x/V − c_xy)/N (the oracle)', () => {
    const { V, xs, ys } = D;
    const grad = new Float64Array(V * V);
    const r = bigramNetLossAndGrad(new Float64Array(V * V), V, xs, ys, null, 0.01, grad);
    // The N equal terms are summed one by one: rounding error ≤ (N−1)·2^-53·N·ln V, divided by N.
    expect(Math.abs(r.loss - Math.log(V))).toBeLessThanOrEqual(xs.length * 2 ** -53 * Math.log(V));
    expect(r.nll).toBe(r.loss); // reg·mean(0²) = 0
    expect(Math.log(V)).toBeCloseTo(Math.log(28), 15); // ". - a..z": the lecture's ln 27 plus the hyphen
    const counts = bigramCountsCpu(xs, ys, V);
    const N = xs.length;
    for (let x = 0; x < V; x++) {
      let n = 0;
      for (let y = 0; y < V; y++) n += counts[x * V + y];
      // grad sums 1/V n times (rounding ≤ n·2^-53 of a value ≤ n), then divides by N.
      const tol = (n * n * 2 ** -52) / N;
      for (let y = 0; y < V; y++) {
        expect(Math.abs(grad[x * V + y] - (n / V - counts[x * V + y]) / N), `${x},${y}`).toBeLessThanOrEqual(tol);
      }
    }
  });

  // Central differences (f(w+h) − f(w−h))/2h in float64 with h = 1e-5: truncation error
  // h²/6·|f'''| ≤ 2e-11 (each example's logsumexp has |f'''| ≤ 1; the L2 term is quadratic) and
  // rounding error ≈ ε·|f|/h ≈ 2.2e-16·5/1e-5 ≈ 1e-10. The tolerance 1e-8 is 50× above both; a
  // wrong term (e.g. a missing factor 2 in the L2 gradient, ~2·reg/V²·|W| ≥ 1e-3) is 1e5× above it.
  const seeds = [1, 2, 3, freshSeed()];
  it.each(seeds)('matches central finite differences in float64 (problem seed %i)', (seed) => {
    const { V, W, xs, ys, reg } = randomBigramProblem(seed);
    const h = 1e-5;
    const checkAt = (indices: Uint32Array | null) => {
      const grad = new Float64Array(V * V);
      const base = bigramNetLossAndGrad(W, V, xs, ys, indices, reg, grad);
      expect(base.loss).toBeGreaterThan(base.nll);
      let worst = 0;
      for (let k = 0; k < V * V; k++) {
        const w0 = W[k];
        W[k] = w0 + h;
        const up = bigramNetLossAndGrad(W, V, xs, ys, indices, reg, null).loss;
        W[k] = w0 - h;
        const down = bigramNetLossAndGrad(W, V, xs, ys, indices, reg, null).loss;
        W[k] = w0;
        const fd = (up - down) / (2 * h);
        worst = Math.max(worst, Math.abs(fd - grad[k]));
        expect(Math.abs(fd - grad[k]), `seed ${seed} V ${V} entry ${k}: fd ${fd} grad ${grad[k]}`).toBeLessThan(1e-8);
      }
      return worst;
    };
    checkAt(null);
    // A minibatch with repeats, as batchIndex draws it.
    checkAt(Uint32Array.from({ length: 2 * xs.length }, (_, b) => batchIndex(seed, 0, 2 * xs.length, b, xs.length)));
  });

  it('over indices equals the full-batch loss of the gathered examples', () => {
    const { V, W, xs, ys, reg } = randomBigramProblem(7);
    const indices = Uint32Array.from({ length: 25 }, (_, b) => batchIndex(7, 3, 25, b, xs.length));
    const g1 = new Float64Array(V * V), g2 = new Float64Array(V * V);
    const a = bigramNetLossAndGrad(W, V, xs, ys, indices, reg, g1);
    const b = bigramNetLossAndGrad(W, V, indices.map((i) => xs[i]), indices.map((i) => ys[i]), null, reg, g2);
    expect(a).toEqual(b);
    expect(g1).toEqual(g2);
    const full = bigramNetLossAndGrad(W, V, xs, ys, null, reg, null);
    expect(full.loss).not.toBe(a.loss);
  });

  // The step's loops go four symbols at a time: every remainder of V mod 4, against the plain
  // lecture formula in float64 (Math.exp, one example at a time). Only rounding differs: the
  // exponentials (1e-15 relative) and the order of the sums, far below 1e-12.
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 28])('equals the plain per-example formula at V = %i, full batch and minibatch', (V) => {
    const seed = freshSeed();
    const rng = new Random(seed, 5);
    const W = rng.fillNormal(new Float64Array(V * V)).map((w) => 3 * w);
    const N = 200;
    const xs = new Uint32Array(N).map(() => rng.index(V));
    const ys = new Uint32Array(N).map(() => rng.index(V));
    const reg = 0.1;
    for (const indices of [null, Uint32Array.from({ length: 37 }, () => rng.index(N))]) {
      const want = new Float64Array(V * V);
      let nll = 0;
      const list = indices ?? Uint32Array.from({ length: N }, (_, i) => i);
      for (const i of list) {
        const logits = Array.from(W.subarray(xs[i] * V, xs[i] * V + V));
        const m = Math.max(...logits);
        const ex = logits.map((l) => Math.exp(l - m));
        const s = ex.reduce((a, b) => a + b, 0);
        nll -= Math.log(ex[ys[i]] / s);
        for (let j = 0; j < V; j++) want[xs[i] * V + j] += (ex[j] / s - (j === ys[i] ? 1 : 0)) / list.length;
      }
      nll /= list.length;
      let sq = 0;
      for (let k = 0; k < V * V; k++) {
        sq += W[k] * W[k];
        want[k] += (2 * reg * W[k]) / (V * V);
      }
      const grad = new Float64Array(V * V).fill(NaN);
      const got = bigramNetLossAndGrad(W, V, xs, ys, indices, reg, grad);
      expect(Math.abs(got.nll - nll), `seed ${seed}`).toBeLessThan(1e-12);
      expect(Math.abs(got.loss - (nll + (reg * sq) / (V * V))), `seed ${seed}`).toBeLessThan(1e-12);
      expect(maxAbsDiff(grad, want), `seed ${seed}`).toBeLessThan(1e-12);
    }
  });

  it('is stable for huge logits (max subtracted)', () => {
    const V = 3;
    const W = Float64Array.from([1000, 0, -1000, 0, 0, 0, 800, 800, 0]);
    const r = bigramNetLossAndGrad(W, V, Uint32Array.from([0, 2]), Uint32Array.from([0, 1]), null, 0, null);
    // Example (0→0): p ≈ 1, −ln p ≈ 0; example (2→1): p = 1/2.
    expect(r.nll).toBeCloseTo(Math.log(2) / 2, 12);
    const p = softmaxRow(W, V, 2);
    expect(Array.from(p)).toEqual([0.5, 0.5, 0]);
  });
});

describe('bigramCountsLossAndGrad (the count-table algorithm)', () => {
  it('gives the per-example loss and gradient from the V×V table alone', () => {
    const seed = freshSeed();
    const { W, V, xs, ys } = randomBigramProblem(seed);
    const reg = 0.05;
    const perExample = new Float64Array(V * V);
    const fromCounts = new Float64Array(V * V);
    const a = bigramNetLossAndGrad(W, V, xs, ys, null, reg, perExample);
    const b = bigramCountsLossAndGrad(W, bigramCountsCpu(xs, ys, V), V, reg, fromCounts);
    expect(Math.abs(a.loss - b.loss), `seed ${seed}`).toBeLessThan(1e-12);
    expect(Math.abs(a.nll - b.nll), `seed ${seed}`).toBeLessThan(1e-12);
    for (let k = 0; k < V * V; k++) expect(Math.abs(perExample[k] - fromCounts[k]), `seed ${seed} entry ${k}`).toBeLessThan(1e-12);
  });
});

describe('expNonPositive', () => {
  // A few roundings of 2^-53 each (the polynomial, the table entry, the product) plus Math.exp's
  // own error of under an ulp: measured up to 5.3e-16.
  it('is within 1e-15 relative of Math.exp on [−708, 0], exact at 0, 0 below, NaN for NaN', () => {
    const seed = freshSeed();
    const r = new Random(seed, 77);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      // Uniform over the whole range and dense near 0, where training spends its time.
      const x = i % 2 ? -708 * r.uniform() : -10 * r.uniform();
      worst = Math.max(worst, Math.abs(expNonPositive(x) - Math.exp(x)) / Math.exp(x));
    }
    expect(worst, `seed ${seed}`).toBeLessThan(1e-15);
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-800)).toBe(0);
    expect(expNonPositive(-Infinity)).toBe(0);
    expect(expNonPositive(NaN)).toBeNaN();
  });
});

describe('initBigramWeights and reproducibility', () => {
  it('same seed → same weights; another seed → other weights', () => {
    const a = initBigramWeights(28, 3, Float32Array);
    expect(initBigramWeights(28, 3, Float32Array)).toEqual(a);
    const b = initBigramWeights(28, 4, Float32Array);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(0.5);
    // Float64 draws are the same numbers before rounding.
    expect(Float32Array.from(initBigramWeights(28, 3, Float64Array))).toEqual(a);
  });

  it('training with the same seed gives the same weights, bit for bit; another seed does not', async () => {
    const d = shortNames();
    const data = { V: d.symbols.length, xs: d.xs, ys: d.ys };
    const run = async (seed: number, batchSize: number) => {
      const t = new CpuBigramTrainer(data, { steps: 20, lr: 10, reg: 0.01, batchSize, seed });
      const losses = await t.runSteps(20);
      return { W: await t.readWeights(), losses };
    };
    for (const batchSize of [0, 32]) {
      const a = await run(5, batchSize), b = await run(5, batchSize), c = await run(6, batchSize);
      expect(b.W).toEqual(a.W);
      expect(b.losses).toEqual(a.losses);
      expect(maxAbsDiff(a.W, c.W)).toBeGreaterThan(1e-3);
    }
  });
});

describe('CpuBigramTrainer', () => {
  it('starts at ln V from zero weights and its loss falls at every step', async () => {
    const d = shortNames();
    const V = d.symbols.length;
    const t = new CpuBigramTrainer({ V, xs: d.xs, ys: d.ys }, { steps: 100, lr: 5, reg: 0.01, batchSize: 0, seed: 1 }, Float64Array, new Float64Array(V * V));
    const losses = await t.runSteps(100);
    expect(losses[0]).toBe(Math.fround(Math.log(V)));
    for (let s = 1; s < losses.length; s++) expect(losses[s], `step ${s}`).toBeLessThan(losses[s - 1]);
    expect((await t.evaluate()).loss).toBeLessThan(losses[99]);
    expect(t.step).toBe(100);
  });

  it('draws each minibatch from batchIndex(seed, step, B, slot, N)', async () => {
    const d = shortNames();
    const V = d.symbols.length, N = d.xs.length;
    const hyper = { steps: 4, lr: 3, reg: 0.01, batchSize: 16, seed: 11 };
    const t = new CpuBigramTrainer({ V, xs: d.xs, ys: d.ys }, hyper, Float64Array);
    const losses = new Float32Array([...await t.runSteps(1), ...await t.runSteps(3)]); // across calls too

    const W = initBigramWeights(V, hyper.seed, Float64Array);
    const grad = new Float64Array(V * V);
    for (let step = 0; step < 4; step++) {
      const indices = Uint32Array.from({ length: 16 }, (_, b) => batchIndex(hyper.seed, step, 16, b, N));
      const r = bigramNetLossAndGrad(W, V, d.xs, d.ys, indices, hyper.reg, grad);
      expect(losses[step], `step ${step}`).toBe(Math.fround(r.loss));
      sgdUpdateCpu(W, grad, hyper.lr);
    }
    expect(t.W).toEqual(W);
    // And not from the full batch.
    const full = new CpuBigramTrainer({ V, xs: d.xs, ys: d.ys }, { ...hyper, batchSize: 0 }, Float64Array);
    await full.runSteps(4);
    expect(maxAbsDiff(full.W, W)).toBeGreaterThan(1e-4);
  });

  it('keeps the weights of the start of the last runSteps as its checkpoint', async () => {
    const d = shortNames();
    const t = new CpuBigramTrainer({ V: d.symbols.length, xs: d.xs, ys: d.ys }, { steps: 10, lr: 5, reg: 0.01, batchSize: 0, seed: 2 });
    await t.runSteps(3);
    const before = await t.readWeights();
    await t.runSteps(2);
    expect(await t.readCheckpoint()).toEqual(before);
    expect(await t.readWeights()).not.toEqual(before);
  });

  it('float32 stays within 1e-6 relative of float64 on the default dataset', async () => {
    const hyper = { steps: 60, lr: 50, reg: 0.01, batchSize: 0, seed: 5 };
    const t32 = new CpuBigramTrainer(D, hyper);
    const t64 = new CpuBigramTrainer(D, hyper, Float64Array);
    expect(t32.W).toBeInstanceOf(Float32Array);
    for (let chunk = 0; chunk < 3; chunk++) {
      const l32 = await t32.runSteps(20), l64 = await t64.runSteps(20);
      for (let s = 0; s < 20; s++) expect(Math.abs(l32[s] - l64[s]) / l64[s]).toBeLessThan(1e-6);
      const e32 = await t32.evaluate(), e64 = await t64.evaluate();
      expect(Math.abs(e32.loss - e64.loss) / e64.loss, `after ${20 * (chunk + 1)} steps`).toBeLessThan(1e-6);
      expect(Math.abs(e32.nll - e64.nll) / e64.nll).toBeLessThan(1e-6);
    }
    // Weights: each float32 update rounds by ≤ 2^-24 relative, so after K steps the drift is at
    // most about K·2^-24·max|W| (measured ~8e-7 against a bound ~1.5e-5).
    let maxW = 0;
    for (const w of t64.W) maxW = Math.max(maxW, Math.abs(w));
    expect(maxAbsDiff(t32.W, t64.W)).toBeLessThan(hyper.steps * 2 ** -24 * maxW);
  });
});

describe('the trained net against an independent optimum (Newton, float64)', () => {
  const V = D.V;
  const reg = 0.01;
  const counts = bigramCountsCpu(D.xs, D.ys, V);
  const opt = newtonBigramOptimum(counts, V, reg);

  it('Newton converges: every row gradient below 1e-12', () => {
    expect(opt.gradNorm).toBeLessThan(1e-12);
    expect(opt.iterations).toBeLessThan(50);
  });

  it('the Newton optimum is a stationary point of bigramNetLossAndGrad with the same loss', () => {
    const grad = new Float64Array(V * V);
    const r = bigramNetLossAndGrad(opt.W, V, D.xs, D.ys, null, reg, grad);
    expect(Math.abs(r.loss - opt.loss)).toBeLessThan(1e-12);
    expect(Math.abs(r.nll - opt.nll)).toBeLessThan(1e-12);
    expect(maxAbsDiff(grad, new Float64Array(V * V))).toBeLessThan(1e-11);
    // The regularised optimum fits the data slightly worse than the unregularised counts (MLE).
    expect(opt.nll).toBeGreaterThan(countsNll(counts, countsToProbs(counts, V, 0), V));
  });

  it('the CPU trainer (float32, full batch, lr 50, reg 0.01, 1000 steps, seed 1) lands within 1e-4 of it', async () => {
    const t = new CpuBigramTrainer(D, { steps: 1000, lr: 50, reg, batchSize: 0, seed: 1 });
    expect(t.W).toBeInstanceOf(Float32Array);
    const first = bigramNetLossAndGrad(t.W, V, D.xs, D.ys, null, reg, null).loss;
    const losses = await t.runSteps(1000);
    const final = await t.evaluate();
    const gap = final.loss - opt.loss;
    console.log(`newton optimum ${opt.loss.toFixed(10)} (nll ${opt.nll.toFixed(10)}); trained ${final.loss.toFixed(10)} (nll ${final.nll.toFixed(10)}); gap ${gap.toExponential(3)}`);
    expect(losses[0]).toBe(Math.fround(first));
    // The optimum is a lower bound (the loss is strictly convex for reg > 0)...
    expect(gap).toBeGreaterThan(-1e-12);
    // ...and 1000 steps get within 1e-4 of it (measured: 7.5e-5).
    expect(gap).toBeLessThan(1e-4);
    // Full-batch gradient descent at this rate never goes uphill.
    for (let s = 1; s < losses.length; s++) expect(losses[s], `step ${s}`).toBeLessThanOrEqual(losses[s - 1]);
  }, 300_000); // ~22 ms per step on one core: 20–30 s, more when the machine is busy
});

describe('the lecture: the trained net samples the names the counts sample', () => {
  it('on 30 short names, trained to convergence with reg 1e-6, ≥ 45 of 50 samples are identical', async () => {
    const d = shortNames();
    const V = d.symbols.length;
    // lr 10, not 50: the boundary row holds 30 of the 136 examples, and full-batch descent on
    // it is stable only for lr·(30/136)·λmax(diag p − ppᵀ) < 2; at lr 50 it settles into a 2-cycle.
    const hyper = { steps: 20_000, lr: 10, reg: 1e-6, batchSize: 0, seed: 3 };
    const common = { device: 'cpu' as const, hyper, samples: 50, sampleSeed: 1 };
    const net = await runTraining(d, { ...common, model: 'bigram-nn', smoothing: 0, chunk: 1000 });
    const cnt = await runTraining(d, { ...common, model: 'bigram-counts', smoothing: 0 });
    const netProbs = modelProbabilities(net.model);
    const cntProbs = modelProbabilities(cnt.model);
    // Converged: the net's probabilities match the counts' to a few 1e-4 ...
    expect(maxAbsDiff(netProbs, cntProbs)).toBeLessThan(3e-3);
    expect(net.nll - cnt.nll).toBeLessThan(1e-3);
    // ... so the same uniforms pick the same symbols.
    const same = (a: string[], b: string[]) => a.filter((w, i) => w === b[i]).length;
    expect(same(net.samples, cnt.samples)).toBeGreaterThanOrEqual(45);
    for (const seed of [2, 7, 42]) {
      const a = sampleWords(netProbs, d.symbols, 50, seed), b = sampleWords(cntProbs, d.symbols, 50, seed);
      expect(same(a, b), `sample seed ${seed}`).toBeGreaterThanOrEqual(45);
    }
    // An untrained net samples other names.
    const untrained = bigramNetProbs(initBigramWeights(V, 3, Float64Array), V);
    expect(same(sampleWords(untrained, d.symbols, 50, 1), cnt.samples)).toBeLessThan(25);
  });
});
