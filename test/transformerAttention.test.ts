/**
 * The Transformer's attention maps (src/models/transformer/attention.ts) on a tiny random model:
 * one map per layer and head, each row a distribution over the keys up to its query (causal),
 * layer 0 equal to softmax(q·k/√hs) computed here by hand from the weights, and the typed
 * word's problems said in words.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.ts';
import { attentionMaps, wordTokens } from '../src/models/transformer/attention.ts';
import { initTransformerParams, transformerParamLayout, type TransformerShape } from '../src/models/transformer/net.ts';
import { LAYERNORM_EPS } from '../src/ops/layernorm.ts';

const SYMBOLS = ['.', 'a', 'b', 'e', 'm'];
const SHAPE: TransformerShape = { V: SYMBOLS.length, T: 6, C: 8, nh: 2, L: 3 };

/** Layer 0's attention for `tokens`, from the weights alone: embeddings, LayerNorm, qkv, softmax. */
function layer0ByHand(P: Float64Array, s: TransformerShape, tokens: number[]): Float64Array[] {
  const layout = transformerParamLayout(s);
  const v = (name: string) => layout.view(P, name);
  const [wte, wpe, lnW, lnB, qkvW, qkvB] = ['wte', 'wpe', 'h.0.ln1.w', 'h.0.ln1.b', 'h.0.attn.qkv.w', 'h.0.attn.qkv.b'].map(v);
  const { C, nh } = s;
  const hs = C / nh;
  const n = tokens.length;
  const qkv = tokens.map((tok, t) => {
    const x = Array.from({ length: C }, (_, c) => wte[tok * C + c] + wpe[t * C + c]);
    const mean = x.reduce((a, b) => a + b, 0) / C;
    const rstd = 1 / Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / C + LAYERNORM_EPS);
    const ln = x.map((xc, c) => (xc - mean) * rstd * lnW[c] + lnB[c]);
    return Array.from({ length: 3 * C }, (_, j) => ln.reduce((a, lc, c) => a + lc * qkvW[c * 3 * C + j], qkvB[j]));
  });
  return Array.from({ length: nh }, (_, h) => {
    const out = new Float64Array(n * n);
    for (let t = 0; t < n; t++) {
      const scores = Array.from({ length: t + 1 }, (_, t2) => {
        let d = 0;
        for (let i = 0; i < hs; i++) d += qkv[t][h * hs + i] * qkv[t2][C + h * hs + i];
        return d / Math.sqrt(hs);
      });
      const m = Math.max(...scores);
      const e = scores.map((x) => Math.exp(x - m));
      const sum = e.reduce((a, b) => a + b, 0);
      e.forEach((x, t2) => (out[t * n + t2] = x / sum));
    }
    return out;
  });
}

describe('the Transformer’s attention maps', () => {
  const P = initTransformerParams(SHAPE, 7, Float64Array);

  it('one per layer and head, T′×T′ for a word of T′ − 1 symbols; rows sum to 1 and are zero above the diagonal', () => {
    const tokens = wordTokens('emma', SYMBOLS, SHAPE.T);
    expect(tokens).toEqual([0, 3, 4, 4, 1]);
    const maps = attentionMaps(P, SHAPE, tokens);
    expect(maps.map((m) => [m.layer, m.head])).toEqual([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]);
    const n = tokens.length;
    for (const { layer, head, probs } of maps) {
      expect(probs.length).toBe(n * n);
      for (let t = 0; t < n; t++) {
        const row = probs.subarray(t * n, (t + 1) * n);
        expect(row.reduce((a, b) => a + b, 0), `layer ${layer} head ${head} row ${t}`).toBeCloseTo(1, 12);
        for (let t2 = t + 1; t2 < n; t2++) expect(row[t2]).toBe(0);
        for (let t2 = 0; t2 <= t; t2++) expect(row[t2]).toBeGreaterThan(0);
      }
      // The start attends to itself only.
      expect(probs[0]).toBe(1);
    }
    // Random weights: the heads differ.
    expect(maps[0].probs).not.toEqual(maps[1].probs);
  });

  it('layer 0 is softmax(q·k / √hs) of the LayerNormed embeddings, computed by hand', () => {
    for (const word of ['emma', 'b', 'abeab']) {
      const tokens = wordTokens(word, SYMBOLS, SHAPE.T);
      const maps = attentionMaps(P, SHAPE, tokens);
      const byHand = layer0ByHand(P, SHAPE, tokens);
      for (let h = 0; h < SHAPE.nh; h++) {
        const got = maps[h].probs;
        for (let k = 0; k < got.length; k++) expect(got[k], `${word} head ${h} cell ${k}`).toBeCloseTo(byHand[h][k], 12);
      }
    }
  });

  it('a word’s map does not depend on what would follow it (causal), and the longest word fills the block', () => {
    const short = attentionMaps(P, SHAPE, wordTokens('em', SYMBOLS, SHAPE.T));
    const long = attentionMaps(P, SHAPE, wordTokens('emabe', SYMBOLS, SHAPE.T));
    expect(long[0].probs.length).toBe(SHAPE.T * SHAPE.T);
    for (let i = 0; i < short.length; i++) {
      for (let t = 0; t < 3; t++) {
        for (let t2 = 0; t2 < 3; t2++) expect(short[i].probs[t * 3 + t2]).toBeCloseTo(long[i].probs[t * SHAPE.T + t2], 12);
      }
    }
  });

  it('bad words are UserErrors that say what is wrong', () => {
    const message = (word: string) => {
      try {
        wordTokens(word, SYMBOLS, SHAPE.T);
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      }
      throw new Error(`${word} was accepted`);
    };
    expect(message('')).toMatch(/empty/);
    expect(message('emmz')).toBe('"z" is not in the model\'s vocabulary (its symbols: abem)');
    expect(message('Emma')).toMatch(/^"E" is not in the model's vocabulary/);
    expect(message('em.a')).toMatch(/^"\." marks where a word starts and ends/);
    expect(message('emmaab')).toBe('"emmaab" has 6 symbols: the model reads at most 5 (block size 6, the first position is the start)');
    expect(() => attentionMaps(P, SHAPE, [0, 9])).toThrow(/not in 0\.\.4/);
    expect(() => attentionMaps(P, SHAPE, [])).toThrow(/1 to 6/);
  });
});
