/** The context model through runTraining (CPU) and its model files: round trip, validation, samples. */
import { describe, expect, it } from 'vitest';
import { parseWordList } from '../src/data/dataset.ts';
import { contextData } from '../src/data/contexts.ts';
import { mlpParamCount } from '../src/models/mlp/net.ts';
import { mlpBigramView, sampleMlpTokens } from '../src/models/mlp/sample.ts';
import { MODEL_FORMAT, MODEL_VERSION, modelProbabilities, modelSamples, parseModel, serializeModel } from '../src/models/modelFile.ts';
import { DEFAULT_MLP_HYPER, DEFAULT_NET_HYPER, type MlpHyper } from '../src/train/hyper.ts';
import { cpuMlp } from './helpers/mlpTrainers.ts';
import { runTraining } from '../src/train/run.ts';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { userError } from './helpers/fixtures.ts';
import { CpuProgram } from '../src/nn/cpuProgram.ts';
import { targetsOf } from '../src/nn/netSpec.ts';
import { rangeRows } from '../src/ops/rows.ts';
import { mlpNetSpec } from '../src/models/mlp/net.ts';

const data = loadDefaultDataset();
const mlp: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 40, hidden: 20, embed: 4, blockSize: 2, seed: 6 };
const run = (h: MlpHyper = mlp) => runTraining(data, { model: 'mlp', device: 'cpu', hyper: DEFAULT_NET_HYPER, mlp: h, smoothing: 1, samples: 8 });


describe('runTraining --model mlp (CPU)', () => {
  it('reports train, dev and test losses of the split; equals the trainer driven by hand', async () => {
    const r = await run();
    const d = contextData(data, 2, 6);
    expect(r.split).toEqual({
      train: { words: d.words.train, examples: d.train.Y.length },
      dev: { words: d.words.dev, examples: d.dev.Y.length },
      test: { words: d.words.test, examples: d.test.Y.length },
    });
    expect(r.steps).toBe(40);
    expect(r.losses).toHaveLength(40);
    const t = cpuMlp(d, mlp);
    expect(await t.runSteps(40)).toEqual(r.losses);
    expect(r.loss).toBe(await t.evaluateSplit('train'));
    expect(r.nll).toBe(r.loss);
    expect(r.devLoss).toBe(await t.evaluateSplit('dev'));
    expect(r.testLoss).toBe(await t.evaluateSplit('test'));
    expect(r.model.weights).toEqual(Array.from(await t.readWeights()));
    expect(r.model).toMatchObject({ kind: 'mlp', steps: 40, loss: r.loss, devLoss: r.devLoss, testLoss: r.testLoss, hyper: mlp });
    expect(r.samples).toEqual(modelSamples(r.model, 8, mlp.seed));
    expect(r.samples).toHaveLength(8);
  });
});

describe('the evaluation of the splits (CPU)', () => {
  it('reports its progress, each split from 0 to its examples, and the loss of one pass over the whole split', async () => {
    const calls: [string, number, number][] = [];
    const r = await runTraining(data, {
      model: 'mlp', device: 'cpu', hyper: DEFAULT_NET_HYPER, mlp, smoothing: 1, samples: 0, onEvalProgress: (split, done, total) => calls.push([split, done, total]),
    });
    const d = contextData(data, 2, 6);
    for (const split of ['train', 'dev', 'test'] as const) {
      const mine = calls.filter((c) => c[0] === split);
      const N = d[split].Y.length;
      expect(mine[0]).toEqual([split, 0, N]);
      expect(mine.at(-1)).toEqual([split, N, N]);
      for (let i = 1; i < mine.length; i++) expect(mine[i][1]).toBeGreaterThan(mine[i - 1][1]);
      if (split === 'train') expect(mine.length).toBeGreaterThan(10); // chunk by chunk, not only at the end
      // One chunk of all N rows: the same sum in float64 of float32 losses, up to its order.
      const t = cpuMlp(d, mlp, Float32Array, r.model.weights);
      const whole = new CpuProgram(mlpNetSpec(d, mlp).graph(N), t.params, t.layout, null, Float32Array);
      const { sum, count } = whole.run({ tokens: d[split].X, targets: targetsOf(d[split]) }, rangeRows(0, N), false);
      expect(count).toBe(N);
      expect(Math.abs((split === 'train' ? r.loss : split === 'dev' ? r.devLoss! : r.testLoss!) - sum / count)).toBeLessThan(1e-6);
    }
    expect(calls.map((c) => c[0]).filter((s, i, a) => s !== a[i - 1])).toEqual(['train', 'dev', 'test']);
  });
});

describe('mlp model files', () => {
  it('round-trip unchanged; samples with context; the bigram view for heatmaps', async () => {
    const m = (await run()).model;
    const text = serializeModel(m);
    const back = parseModel(text, 'mlp.json');
    expect(back).toEqual(m);
    expect(serializeModel(back)).toBe(text);
    const P = Float32Array.from(m.weights);
    const s = { V: data.symbols.length, T: 2, E: 4, H: 20 };
    expect(P.length).toBe(mlpParamCount(s));
    expect(modelSamples(back, 10, 3)).toEqual(sampleMlpTokens(P, s, 10, 3, 100).map((t) => t.map((x) => data.symbols[x]).join('')));
    const view = modelProbabilities(back);
    expect(view).toEqual(mlpBigramView(P, s));
    for (let x = 0; x < s.V; x++) expect(view.subarray(x * s.V, x * s.V + s.V).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  describe('refuses corrupted mlp files, naming the problem', () => {
    const symbols = ['.', 'a', 'b'];
    const hyper = { blockSize: 2, embed: 3, hidden: 4 };
    const P = mlpParamCount({ V: 3, T: 2, E: 3, H: 4 }); // 9 + 24 + 4 + 12 + 3 = 52
    const good = { format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'mlp', symbols, hyper, steps: 1, loss: 1, nll: 1, weights: new Array(P).fill(0.5) };
    const bad = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });

    it('accepts the baseline file', () => {
      expect(P).toBe(52);
      expect(parseModel(JSON.stringify(good), 'm.json').weights).toHaveLength(52);
      const parsed = parseWordList('ab\nba\n', 'w');
      expect(modelSamples(parseModel(JSON.stringify(good), 'm.json'), 3, 1)).toHaveLength(3);
      expect(parsed.symbols).toEqual(symbols);
    });

    it.each([
      ['one weight short', bad({ weights: new Array(51).fill(0) }), /"weights" must hold 52 finite numbers \(an mlp of vocabulary 3: C \(3, 3\), W1 \(6, 4\), b1 \(4\), W2 \(4, 3\), b2 \(3\)\)/],
      ['V×V weights', bad({ weights: new Array(9).fill(0) }), /"weights" must hold 52 finite numbers/],
      ['a NaN weight', bad({ weights: [NaN, ...new Array(51).fill(0)] }), /"weights" must hold 52 finite numbers/],
      ['no block size', bad({ hyper: { embed: 3, hidden: 4 } }), /corrupted model file: "hyper\.blockSize" must be an integer from 1 to 64, got nothing$/],
      ['a fractional hidden size', bad({ hyper: { ...hyper, hidden: 2.5 } }), /"hyper\.hidden" must be an integer/],
      ['no hyper at all', bad({ hyper: undefined }), /"hyper\.blockSize"/],
      ['a hidden size string', bad({ hyper: { ...hyper, hidden: '4' } }), /"hyper\.hidden" must be an integer from 1 to 16,384, got "4"$/],
      ['an unknown optimizer', bad({ hyper: { ...hyper, optimizer: 'lion' } }), /"hyper\.optimizer" must be one of sgd, adamw, got "lion"$/],
      ['an unknown split shuffle', bad({ hyper: { ...hyper, shuffle: 'numpy' } }), /"hyper\.shuffle" must be one of philox, torch, got "numpy"$/],
      ['a beta of 1', bad({ hyper: { ...hyper, beta1: 1 } }), /"hyper\.beta1" must be a finite number ≥ 0 and < 1, got 1$/],
    ])('%s', (_name, text, message) => {
      const e = userError(() => parseModel(text, 'm.json'));
      expect(e.message).toMatch(message);
      expect(e.message.startsWith('m.json: corrupted model file: ')).toBe(true);
    });
  });
});
