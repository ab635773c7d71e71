/** makemore's rnn, gru and bow: parameter counts and tables at makemore's defaults, PyTorch's initialisation, the registry's entries. */
import { describe, expect, it } from 'vitest';
import { bowParamLayout, initBowParams } from '../src/models/bow/net.ts';
import { NET_MODELS } from '../src/models/registry.ts';
import { initRnnParams, rnnParamLayout } from '../src/models/rnn/net.ts';
import { DEFAULT_SEQUENCE_HYPER } from '../src/train/hyper.ts';

/** makemore's defaults: n_embd = n_embd2 = 64, vocabulary 27, block size 16. */
const V = 27;
const T = 16;

describe('the ladder models at makemore’s defaults', () => {
  it('parameter counts as makemore prints them: rnn 11,803, gru 28,315, bow 12,827', () => {
    expect(rnnParamLayout({ cell: 'rnn', V, C: 64, H: 64 }).count).toBe(11_803);
    expect(rnnParamLayout({ cell: 'gru', V, C: 64, H: 64 }).count).toBe(28_315);
    expect(bowParamLayout({ V, T, C: 64, H: 64 }).count).toBe(12_827);
    expect(rnnParamLayout({ cell: 'gru', V, C: 64, H: 64 }).tensors.map((t) => t.name)).toEqual([
      'start', 'wte', 'cell.xh_to_z.w', 'cell.xh_to_z.b', 'cell.xh_to_r.w', 'cell.xh_to_r.b', 'cell.xh_to_hbar.w', 'cell.xh_to_hbar.b', 'lm_head.w', 'lm_head.b',
    ]);
    expect(bowParamLayout({ V, T, C: 64, H: 64 }).tensors.map((t) => t.name)).toEqual(['wte', 'wpe', 'mlp.fc.w', 'mlp.fc.b', 'mlp.proj.w', 'mlp.proj.b', 'lm_head.w', 'lm_head.b']);
  });

  it('PyTorch’s initialisation: the start state zeros, embeddings N(0, 1), linear layers within ±1/√fan_in', () => {
    const s = { cell: 'gru' as const, V, T, C: 64, H: 48 };
    const layout = rnnParamLayout(s);
    const p = initRnnParams(s, 7, Float64Array, layout);
    const view = (name: string) => layout.view(p, name);
    expect(view('start').every((v) => v === 0)).toBe(true);
    const wte = view('wte');
    const mean = wte.reduce((a, v) => a + v, 0) / wte.length;
    const variance = wte.reduce((a, v) => a + (v - mean) ** 2, 0) / wte.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.1);
    for (const [name, fanIn] of [['cell.xh_to_r.w', 112], ['cell.xh_to_r.b', 112], ['lm_head.w', 48], ['lm_head.b', 48]] as const) {
      const v = view(name);
      const bound = 1 / Math.sqrt(fanIn);
      expect(Math.max(...v.map(Math.abs)), name).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs)), name).toBeGreaterThan(0.8 * bound); // spread over the whole range
    }
    const b = { V, T, C: 64, H: 40 };
    const bl = bowParamLayout(b);
    const bp = initBowParams(b, 7, Float64Array, bl);
    expect(Math.max(...bl.view(bp, 'mlp.proj.w').map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(40));
    expect(initBowParams(b, 7, Float64Array, bl)).toEqual(bp); // a function of the seed
  });

  it('the registry: AdamW at makemore’s 5e-4, betas 0.9 and 0.99, weight decay 0.01, batches of 32; --n-embd and --n-embd2', () => {
    for (const kind of ['rnn', 'gru', 'bow'] as const) {
      const m = NET_MODELS[kind];
      expect(m.kind).toBe(kind);
      expect(m.defaults).toBe(DEFAULT_SEQUENCE_HYPER);
      expect(m.defaults).toMatchObject({ optimizer: 'adamw', lr: 5e-4, lrFinal: 5e-4, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, batchSize: 32, nEmbd: 64, nEmbd2: 64 });
      expect(m.fields.map((f) => f.flag)).toEqual(['n-embd', 'n-embd2']);
    }
  });
});
