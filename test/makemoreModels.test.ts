/** makemore's own mlp and bigram: parameter counts and tables at makemore's defaults, their initialisation, the first loss, the registry's entries. */
import { describe, expect, it } from 'vitest';
import { datasetFromWords } from '../src/data/dataset.ts';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { initMakemoreMlpParams, makemoreBigramParamLayout, makemoreMlpParamLayout } from '../src/models/makemore/net.ts';
import { MODELS, NET_MODELS } from '../src/models/registry.ts';
import { CpuNetTrainer } from '../src/nn/cpuTrainer.ts';
import { DEFAULT_SEQUENCE_HYPER, type SequenceHyper } from '../src/train/hyper.ts';

/** makemore's defaults on names.txt: n_embd = n_embd2 = 64, vocabulary 27, block size 16. */
const V = 27;
const T = 16;

describe('makemore’s mlp and bigram at makemore’s defaults', () => {
  it('parameter counts as makemore prints them: mlp 69,147 (an embedding row for the blank token), bigram 729', () => {
    const mlp = makemoreMlpParamLayout({ V, T, C: 64, H: 64 });
    expect(mlp.count).toBe(69_147);
    expect(mlp.tensors.map((t) => [t.name, t.shape])).toEqual([
      ['wte', [28, 64]], ['mlp.fc.w', [1024, 64]], ['mlp.fc.b', [64]], ['lm_head.w', [64, 27]], ['lm_head.b', [27]],
    ]);
    expect(makemoreBigramParamLayout(V).count).toBe(729);
  });

  it('PyTorch’s initialisation: wte N(0, 1), the linear layers within ±1/√fan_in, a function of the seed', () => {
    const s = { V, T: 5, C: 8, H: 30 };
    const layout = makemoreMlpParamLayout(s);
    const p = initMakemoreMlpParams(s, 7, Float64Array, layout);
    const wte = layout.view(p, 'wte');
    const mean = wte.reduce((a, v) => a + v, 0) / wte.length;
    const variance = wte.reduce((a, v) => a + (v - mean) ** 2, 0) / wte.length;
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.abs(variance - 1)).toBeLessThan(0.15);
    for (const [name, fanIn] of [['mlp.fc.w', 40], ['mlp.fc.b', 40], ['lm_head.w', 30], ['lm_head.b', 30]] as const) {
      const v = layout.view(p, name);
      const bound = 1 / Math.sqrt(fanIn);
      expect(Math.max(...v.map(Math.abs)), name).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs)), name).toBeGreaterThan(0.7 * bound);
    }
    expect(initMakemoreMlpParams(s, 7, Float64Array, layout)).toEqual(p);
  });

  it('the bigram starts at zero: its first loss is exactly ln V, on any batch', async () => {
    const def = NET_MODELS['makemore-bigram'];
    const d = datasetFromWords(loadDefaultDataset().words.slice(0, 300), 'names');
    const h: SequenceHyper = { ...DEFAULT_SEQUENCE_HYPER, steps: 3 };
    const data = def.data(d, h);
    const t = new CpuNetTrainer(def.spec(data, def.resolve(h, data)), data, Float64Array);
    expect((await t.readWeights()).every((w) => w === 0)).toBe(true);
    const [first, second] = await t.runSteps(2);
    expect(Math.abs(first - Math.log(data.V))).toBeLessThan(1e-6); // float32 of the loss
    expect(second).toBeLessThan(first);
  });

  it('the registry: names of their own, AdamW at makemore’s 5e-4, betas 0.9 and 0.99, weight decay 0.01, batches of 32', () => {
    for (const kind of ['makemore-mlp', 'makemore-bigram'] as const) {
      const m = NET_MODELS[kind];
      expect(m.kind).toBe(kind);
      expect(MODELS[kind].help).toContain("makemore.py's");
      expect(m.defaults).toMatchObject({ optimizer: 'adamw', lr: 5e-4, lrFinal: 5e-4, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, batchSize: 32 });
    }
    expect(NET_MODELS['makemore-mlp'].fields.map((f) => f.flag)).toEqual(['n-embd', 'n-embd2']);
    expect(NET_MODELS['makemore-bigram'].fields).toEqual([]);
  });
});
