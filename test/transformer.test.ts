/**
 * makemore's Transformer on the CPU: its parameter table (204,544 parameters by default), its
 * initialisation, the gradient of the whole model against central finite differences in
 * float64 on a tiny configuration with masked positions, learning, and sampling.
 */
import { describe, expect, it } from 'vitest';
import { datasetFromWords } from '../src/data/dataset.ts';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { sequenceData } from '../src/data/sequences.ts';
import { initTransformerParams, transformerGraph, transformerNetSpec, transformerOptimizer, transformerParamLayout, type TransformerShape } from '../src/models/transformer/net.ts';
import { scheduledLr } from '../src/ops/optimizers.ts';
import { sampleTransformerTokens, TransformerPredictor } from '../src/models/transformer/sample.ts';
import { CpuProgram } from '../src/nn/cpuProgram.ts';
import { CpuNetTrainer } from '../src/nn/cpuTrainer.ts';
import { rangeRows } from '../src/ops/rows.ts';
import { Random } from '../src/random/philox.ts';
import { DEFAULT_TRANSFORMER_HYPER, type TransformerHyper } from '../src/train/hyper.ts';
import { freshSeed } from './helpers/fixtures.ts';

describe('the Transformer\'s learning rate', () => {
  it('is makemore\'s constant rate by default, and --lr-final for the last half of the steps when given', () => {
    const rates = (h: Partial<TransformerHyper>) => {
      const o = transformerOptimizer({ ...DEFAULT_TRANSFORMER_HYPER, steps: 6, ...h });
      return Array.from({ length: 6 }, (_, step) => scheduledLr(step, o));
    };
    expect(rates({})).toEqual(Array(6).fill(5e-4));
    expect(rates({ lr: 1e-3, lrFinal: 1e-4 })).toEqual([1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-4]);
  });
});

describe('the Transformer', () => {
  it('has makemore’s 204,544 parameters at its defaults (V 27, T 16), in the documented order', () => {
    const layout = transformerParamLayout({ V: 27, T: 16, C: 64, nh: 4, L: 4 });
    expect(layout.count).toBe(204_544);
    expect(layout.tensors.slice(0, 4).map((t) => [t.name, t.shape])).toEqual([['wte', [27, 64]], ['wpe', [16, 64]], ['h.0.ln1.w', [64]], ['h.0.ln1.b', [64]]]);
    expect(layout.tensors.at(-1)).toMatchObject({ name: 'lm_head.w', shape: [64, 27] });
    expect(layout.tensors.filter((t) => t.name.startsWith('h.1.')).reduce((n, t) => n + t.size, 0)).toBe(49_984);
  });

  it('initialises as PyTorch does: embeddings N(0, 1), linear layers U(±1/√fan_in), LayerNorm 1 and 0; seeded', () => {
    const s: TransformerShape = { V: 27, T: 16, C: 64, nh: 4, L: 2 };
    const layout = transformerParamLayout(s);
    const P = initTransformerParams(s, 3, Float64Array);
    expect(initTransformerParams(s, 3, Float64Array)).toEqual(P);
    expect(initTransformerParams(s, 4, Float64Array)).not.toEqual(P);
    const v = (name: string) => layout.view(P, name);
    const std = (a: Float64Array) => Math.sqrt(a.reduce((s2, x) => s2 + x * x, 0) / a.length);
    expect(std(v('wte'))).toBeGreaterThan(0.9);
    expect(std(v('wte'))).toBeLessThan(1.1);
    expect(v('h.0.ln1.w').every((x) => x === 1)).toBe(true);
    expect(v('ln_f.b').every((x) => x === 0)).toBe(true);
    for (const [name, bound] of [['h.0.attn.qkv.w', 1 / 8], ['h.0.attn.qkv.b', 1 / 8], ['h.1.mlp.proj.w', 1 / 16], ['h.1.mlp.proj.b', 1 / 16], ['lm_head.w', 1 / 8]] as const) {
      const a = v(name);
      expect(Math.max(...a.map(Math.abs)), name).toBeLessThanOrEqual(bound);
      expect(Math.max(...a.map(Math.abs)), name).toBeGreaterThan(0.9 * bound); // uniform over the whole interval
    }
  });

  it.each([1, 2, freshSeed()])('its gradient matches central finite differences in float64 (2 layers, 2 heads, 8 channels, T 5, masked positions; seed %i)', (seed) => {
    const r = new Random(seed, 900);
    const s: TransformerShape = { V: 5, T: 5, C: 8, nh: 2, L: 2 };
    const words = ['ab', 'cdab', 'a', 'dd'];
    const d = datasetFromWords(words, 'tiny');
    const data = sequenceData(d, 1, s.T);
    const ex = data.train.X.length ? data.train : data.test;
    const N = ex.Y.length / s.T;
    const rows = Uint32Array.from({ length: 3 }, () => r.index(N));
    const g = transformerGraph({ ...s, V: d.symbols.length }, rows.length);
    const layout = g.paramLayout();
    const P = initTransformerParams({ ...s, V: d.symbols.length }, seed, Float64Array, layout);
    const targets = new Int32Array(ex.Y.buffer, ex.Y.byteOffset, ex.Y.length);
    expect([...targets].some((t) => t === -1)).toBe(true); // masked positions in the batch
    const run = (grad: Float64Array | null) => {
      const { sum, count } = new CpuProgram(g, P, layout, grad, Float64Array).run({ tokens: ex.X, targets }, rows, grad !== null);
      return sum / count;
    };
    const grad = new Float64Array(P.length);
    run(grad);
    const dlt = 1e-5;
    // Every parameter of the small tensors, and a sample of the larger ones.
    for (const t of layout.tensors) {
      const ks = t.size <= 16 ? [...Array(t.size).keys()] : Array.from({ length: 6 }, () => r.index(t.size));
      for (const j of ks) {
        const k = t.offset + j;
        const p0 = P[k];
        P[k] = p0 + dlt;
        const up = run(null);
        P[k] = p0 - dlt;
        const down = run(null);
        P[k] = p0;
        expect(Math.abs((up - down) / (2 * dlt) - grad[k]), `${t.name}[${j}]`).toBeLessThan(1e-7 + 1e-6 * Math.abs(grad[k]));
      }
    }
  });

  it('learns on the CPU: 60 AdamW steps at a small size take the loss well below ln V; the causal forward ignores later tokens', async () => {
    const names = loadDefaultDataset();
    const data = sequenceData(names, 2);
    const hyper: TransformerHyper = { ...DEFAULT_TRANSFORMER_HYPER, nLayer: 1, nHead: 2, nEmbd: 16, steps: 60, lr: 1e-2, lrFinal: 1e-2, batchSize: 16, blockSize: data.T };
    const t = new CpuNetTrainer(transformerNetSpec(data, hyper), data);
    const losses = await t.runSteps(60);
    expect(losses[0]).toBeGreaterThan(Math.log(data.V) - 0.6);
    expect(losses.subarray(50).reduce((a, b) => a + b) / 10).toBeLessThan(losses[0] - 0.5);
    const dev = await t.evaluateSplit('dev');
    expect(dev).toBeLessThan(Math.log(data.V) - 0.4);
    // Causality: the logits of positions 0 and 1 do not depend on the tokens after them.
    const s = { V: data.V, T: data.T, C: 16, nh: 2, L: 1 };
    const w = await t.readWeights();
    const g1 = transformerGraph(s, 1, false);
    const prog = new CpuProgram(g1, Float64Array.from(w), g1.paramLayout(), null, Float64Array);
    const logitsFor = (tokens: number[]) => {
      prog.run({ tokens: Uint32Array.from({ length: data.T }, (_, i) => tokens[i] ?? 0), targets: new Int32Array(data.T) }, new Uint32Array(1), false);
      return Float64Array.from(prog.activation('logits'));
    };
    const [a, b] = [logitsFor([0, 1, 2, 3]), logitsFor([0, 1, 9, 9, 4])];
    expect(a.subarray(0, 2 * data.V)).toEqual(b.subarray(0, 2 * data.V));
    expect(a.subarray(2 * data.V, 3 * data.V)).not.toEqual(b.subarray(2 * data.V, 3 * data.V));
    const p = new TransformerPredictor(w, s);
    expect(p.next([0, 1])).toEqual(p.next([0, 1]));
    expect(p.next([0, 1]).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    const samples = sampleTransformerTokens(w, s, 10, 5, 30);
    expect(sampleTransformerTokens(w, s, 10, 5, 30)).toEqual(samples);
    for (const x of samples) expect(x.length).toBeLessThanOrEqual(data.T - 1);
    // A full-split evaluation equals the mean over its examples' valid targets, whatever the chunk.
    const all = new CpuProgram(transformerGraph(s, data.dev.Y.length / data.T), Float64Array.from(w), transformerParamLayout(s), null, Float64Array)
      .run({ tokens: data.dev.X, targets: new Int32Array(data.dev.Y.buffer) }, rangeRows(0, data.dev.Y.length / data.T), false);
    expect(Math.abs(all.sum / all.count - dev)).toBeLessThan(1e-5);
  }, 120_000);
});
