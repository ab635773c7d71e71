/**
 * The context model's CPU reference: its examples, its parameter table, its initialisation,
 * its gradient (central finite differences in float64), the kernels' CPU twins chained into
 * the same step, the schedule, float32 against float64 training, and sampling.
 */
import { describe, expect, it } from 'vitest';
import { contextData, contextExamples } from '../src/data/contexts.ts';
import { datasetFromWords } from '../src/data/dataset.ts';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { initMlpParams, mlpDecayStep, mlpGraph, mlpInitScales, mlpNetSpec, mlpParamCount, mlpParamLayout, mlpShape, type MlpShape } from '../src/models/mlp/net.ts';
import { mlpBigramView, mlpNextProbs, sampleMlpTokens } from '../src/models/mlp/sample.ts';
import { CpuProgram } from '../src/nn/cpuProgram.ts';
import { CpuNetTrainer } from '../src/nn/cpuTrainer.ts';
import { GPU_ALIGN } from '../src/nn/layout.ts';
import { scheduledLr } from '../src/ops/optimizers.ts';
import { rangeRows } from '../src/ops/rows.ts';
import { Random } from '../src/random/philox.ts';
import { batchIndicesCpu } from '../src/train/cpuTrainer.ts';
import { DEFAULT_MLP_HYPER, type MlpHyper } from '../src/train/hyper.ts';
import { freshSeed } from './helpers/fixtures.ts';
import { mlpLossAndGrad } from './helpers/mlpReference.ts';

/** The composed model (the trainers' forward and backward) on the CPU in float64: loss and gradient. */
function graphLossAndGrad(P: Float64Array, s: MlpShape, X: Uint32Array, Y: Uint32Array, rows: Uint32Array): { loss: number; grad: Float64Array } {
  const g = mlpGraph(s, rows.length);
  const grad = new Float64Array(P.length);
  const { sum, count } = new CpuProgram(g, P, g.paramLayout(), grad, Float64Array).run({ tokens: X, targets: new Int32Array(Y) }, rows, true);
  return { loss: sum / count, grad };
}

class CpuMlpTrainer extends CpuNetTrainer {
  constructor(data: Parameters<typeof mlpNetSpec>[0] & ConstructorParameters<typeof CpuNetTrainer>[1], hyper: MlpHyper, make: new (n: number) => Float32Array | Float64Array = Float32Array) {
    super(mlpNetSpec(data, hyper), data, make);
  }
}

const names = loadDefaultDataset();

/** A random small problem: shape, float64 parameters of unit-ish scale, examples and a batch (with repeats). */
function randomProblem(seed: number, opts: { B?: number } = {}) {
  const rng = new Random(seed, 1000);
  const s: MlpShape = { V: 3 + rng.index(5), T: 1 + rng.index(4), E: 1 + rng.index(4), H: 1 + rng.index(6) };
  const P = rng.fillNormal(new Float64Array(mlpParamCount(s)));
  const N = 5 + rng.index(20);
  const X = Uint32Array.from({ length: N * s.T }, () => rng.index(s.V));
  const Y = Uint32Array.from({ length: N }, () => rng.index(s.V));
  const B = opts.B ?? 1 + rng.index(12);
  const rows = Uint32Array.from({ length: B }, () => rng.index(N));
  return { s, P, X, Y, rows };
}

describe('contextExamples', () => {
  it('"emma" with block size 3 gives the lecture’s five examples', () => {
    const symbols = ['.', 'a', 'e', 'm'];
    const { X, Y } = contextExamples(['emma'], symbols, 3);
    const text = (t: number) => symbols[t];
    const rows = Array.from(Y, (y, i) => `${Array.from(X.subarray(3 * i, 3 * i + 3), text).join('')} → ${text(y)}`);
    expect(rows).toEqual(['... → e', '..e → m', '.em → m', 'emm → a', 'mma → .']);
  });

  it('block size 1 gives the bigram examples; each word gives length + 1 examples', () => {
    const { X, Y } = contextExamples(names.words, names.symbols, 1);
    expect(X).toEqual(names.xs);
    expect(Y).toEqual(names.ys);
    const five = contextExamples(names.words, names.symbols, 5);
    expect(five.Y.length).toBe(names.xs.length);
    expect(five.X.length).toBe(5 * names.xs.length);
  });

  it('contextData splits the words 80/10/10 by the seed, the vocabulary of all words', () => {
    const a = contextData(names, 3, 7);
    const b = contextData(names, 3, 8);
    expect(a.V).toBe(names.symbols.length);
    const W = names.words.length;
    expect(a.words).toEqual({ train: Math.floor(0.8 * W), dev: Math.floor(0.9 * W) - Math.floor(0.8 * W), test: W - Math.floor(0.9 * W) });
    expect(a.train.Y.length + a.dev.Y.length + a.test.Y.length).toBe(names.xs.length);
    expect(a.train.Y).not.toEqual(b.train.Y);
    expect(contextData(names, 3, 7)).toEqual(a);
  });
});

describe('parameters', () => {
  it('the lecture’s network (V 27, T 3, E 10, H 200) has 11,897 parameters, in the documented order', () => {
    const s = { V: 27, T: 3, E: 10, H: 200 };
    expect(mlpParamCount(s)).toBe(11_897);
    expect(mlpParamLayout(s).tensors.map((e) => [e.name, e.shape, e.offset])).toEqual([
      ['C', [27, 10], 0], ['W1', [30, 200], 270], ['b1', [200], 6270], ['W2', [200, 27], 6470], ['b2', [27], 11_870],
    ]);
  });

  it('the GPU layout starts every tensor at a multiple of 64 floats; pad and unpad are inverse', () => {
    const { s, P } = randomProblem(freshSeed());
    const packed = mlpParamLayout(s);
    const gpu = packed.aligned(GPU_ALIGN);
    for (const e of gpu.tensors) expect(e.offset % GPU_ALIGN).toBe(0);
    expect(gpu.size % GPU_ALIGN).toBe(0);
    const flat = Float32Array.from(P);
    const padded = gpu.convert(flat, packed, Float32Array);
    expect(padded.length).toBe(gpu.size);
    expect(packed.convert(padded, gpu, Float32Array)).toEqual(flat);
    expect(padded[gpu.get('b2').offset]).toBe(flat[packed.get('b2').offset]);
    expect(gpu.view(padded, 'W2')).toEqual(packed.view(flat, 'W2'));
  });

  it('initialisation: seeded, scaled per tensor, first loss near ln V, tanh far from saturation', () => {
    const data = contextData(names, 3, 1);
    const s = mlpShape(data, DEFAULT_MLP_HYPER);
    const P = initMlpParams(s, 1, Float64Array);
    expect(initMlpParams(s, 1, Float64Array)).toEqual(P);
    expect(initMlpParams(s, 2, Float64Array)).not.toEqual(P);
    const scales = mlpInitScales(s);
    for (const e of mlpParamLayout(s).tensors) {
      const v = P.subarray(e.offset, e.offset + e.size);
      const std = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / e.size);
      const initScale = scales[e.name];
      if (initScale === 0) expect(std).toBe(0);
      else expect(std / initScale, e.name).toBeGreaterThan(e.size > 500 ? 0.9 : 0.6);
      if (initScale > 0) expect(std / initScale, e.name).toBeLessThan(e.size > 500 ? 1.1 : 1.4);
    }
    // Logits near 0: the first loss is within 0.05 of a uniform guess's ln V.
    const rows = batchIndicesCpu(1, 0, 1000, data.train.Y.length);
    expect(Math.abs(mlpLossAndGrad(P, s, data.train.X, data.train.Y, rows, null) - Math.log(s.V))).toBeLessThan(0.05);
    // Hidden units: |h| > 0.99 (gradient below 2%) for few of them.
    const g = mlpGraph(s, rows.length);
    const program = new CpuProgram(g, P, g.paramLayout(), null, Float64Array);
    program.run({ tokens: data.train.X, targets: new Int32Array(data.train.Y) }, rows, false);
    const h = program.activation('h');
    expect(h.filter((x) => Math.abs(x) > 0.99).length / h.length).toBeLessThan(0.15);
  });
});

describe('mlpLossAndGrad', () => {
  // Central differences (f(p+δ) − f(p−δ))/2δ in float64, δ = 1e-5: truncation error δ²/6·|f'''|
  // (|f'''| of a few units for unit-scale parameters: ~1e-10) and rounding ε·|f|/δ ≈ 1e-10.
  // A wrong term (a missing (1 − h²), a transposed index) is off by O(|g|), far above 1e-7.
  it.each([1, 2, 3, 4, freshSeed()])('matches central finite differences in float64 for every parameter (seed %i)', (seed) => {
    for (const B of [undefined, 1]) {
      const { s, P, X, Y, rows } = randomProblem(seed, { B });
      const grad = new Float64Array(P.length);
      mlpLossAndGrad(P, s, X, Y, rows, grad);
      const d = 1e-5;
      for (let k = 0; k < P.length; k++) {
        const p0 = P[k];
        P[k] = p0 + d;
        const up = mlpLossAndGrad(P, s, X, Y, rows, null);
        P[k] = p0 - d;
        const down = mlpLossAndGrad(P, s, X, Y, rows, null);
        P[k] = p0;
        const numeric = (up - down) / (2 * d);
        expect(Math.abs(numeric - grad[k]), `seed ${seed} B ${rows.length} ${JSON.stringify(s)} param ${k}`).toBeLessThan(1e-7 + 1e-6 * Math.abs(grad[k]));
      }
    }
  });

  it('rows null evaluates every example; a batch of all rows equals it', () => {
    const { s, P, X, Y } = randomProblem(freshSeed());
    const all = mlpLossAndGrad(P, s, X, Y, null, null);
    expect(mlpLossAndGrad(P, s, X, Y, rangeRows(0, Y.length), null)).toBe(all);
  });

  it('the composed model (the op library’s layers, its backward the forward reversed) gives the reference’s loss and gradient', () => {
    for (const seed of [freshSeed(), freshSeed() + 1]) {
      const { s, P, X, Y, rows } = randomProblem(seed);
      const grad = new Float64Array(P.length);
      const want = mlpLossAndGrad(P, s, X, Y, rows, grad);
      const got = graphLossAndGrad(P, s, X, Y, rows);
      expect(Math.abs(got.loss - want)).toBeLessThan(1e-12);
      for (let k = 0; k < P.length; k++) expect(Math.abs(got.grad[k] - grad[k]), `param ${k}`).toBeLessThan(1e-12 * (1 + Math.abs(grad[k])));
    }
  });
});

describe('the step schedule', () => {
  it('lr for the first half of the steps, lrFinal for the last half', () => {
    const h = { lr: 0.1, lrFinal: 0.01, decayStep: mlpDecayStep(20_000) };
    expect(h.decayStep).toBe(10_000);
    expect(scheduledLr(0, h)).toBe(0.1);
    expect(scheduledLr(9_999, h)).toBe(0.1);
    expect(scheduledLr(10_000, h)).toBe(0.01);
    expect(scheduledLr(19_999, h)).toBe(0.01);
    expect(mlpDecayStep(5)).toBe(2); // steps 2, 3, 4 at lrFinal
  });
});

describe('CpuMlpTrainer', () => {
  const data = contextData(names, 3, 5);
  const hyper: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 300, seed: 5, hidden: 64 };

  it('float32 training follows float64 training closely (300 steps)', async () => {
    const f32 = new CpuMlpTrainer(data, hyper);
    const f64 = new CpuMlpTrainer(data, hyper, Float64Array);
    const [a, b] = [await f32.runSteps(300), await f64.runSteps(300)];
    let worst = 0;
    for (let i = 0; i < 300; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(Math.abs((await f32.evaluateSplit('dev')) - (await f64.evaluateSplit('dev')))).toBeLessThan(1e-4);
  });

  it('learns: the train and dev losses fall well below ln V; the checkpoint is the chunk’s start', async () => {
    const t = new CpuMlpTrainer(data, hyper);
    const start = await t.readWeights();
    const first = await t.runSteps(100);
    expect(await t.readCheckpoint()).toEqual(start);
    await t.runSteps(200);
    expect(t.step).toBe(300);
    expect(first[0]).toBeGreaterThan(Math.log(data.V) - 0.05);
    const { loss, nll } = await t.evaluate();
    expect(loss).toBe(nll);
    expect(loss).toBe(await t.evaluateSplit('train'));
    expect(loss).toBeLessThan(2.8);
    expect(await t.evaluateSplit('dev')).toBeLessThan(2.8);
    // The last minibatch is the shared generator's.
    expect(t.batch).toEqual(batchIndicesCpu(hyper.seed, 299, hyper.batchSize, data.train.Y.length));
  });

  it('refuses data with an empty train split', () => {
    const one = contextData(datasetFromWords(['solo'], 'one word'), 3, 1);
    expect(() => new CpuMlpTrainer(one, hyper)).toThrow(/train split is empty/);
  });
});

describe('sampling', () => {
  const s = { V: 28, T: 3, E: 10, H: 50 };
  const P = initMlpParams(s, 3, Float32Array);

  it('next-symbol distributions sum to 1; the bigram view’s rows too', () => {
    const p = mlpNextProbs(P, s, [0, 0, 0]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    const view = mlpBigramView(P, s);
    for (let x = 0; x < s.V; x++) expect(view.subarray(x * s.V, x * s.V + s.V).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(view.subarray(0, s.V)).toEqual(p);
  });

  it('is a function of the seed; every word ends at the boundary or the length limit', () => {
    const a = sampleMlpTokens(P, s, 20, 7, 30);
    expect(sampleMlpTokens(P, s, 20, 7, 30)).toEqual(a);
    expect(sampleMlpTokens(P, s, 20, 8, 30)).not.toEqual(a);
    for (const w of a) {
      expect(w.length).toBeLessThanOrEqual(30);
      for (const t of w) expect(t > 0 && t < s.V).toBe(true);
    }
  });
});
