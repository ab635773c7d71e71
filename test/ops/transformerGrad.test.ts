/**
 * The Transformer's ops on the CPU: each twin's backward against central finite differences in
 * float64 of L = Σ r·out (r random), for every input; and the forward's own oracles (LayerNorm's
 * rows have mean b and spread w; attention's rows are causal distributions summing to 1).
 */
import { describe, expect, it } from 'vitest';
import { attentionBackwardCpu, attentionForwardCpu, type AttentionShape } from '../../src/ops/attention.ts';
import { geluBackwardCpu, geluForwardCpu } from '../../src/ops/gelu.ts';
import { layernormBackwardCpu, layernormForwardCpu } from '../../src/ops/layernorm.ts';
import { positionBackwardCpu, positionForwardCpu } from '../../src/ops/position.ts';
import { Random } from '../../src/random/philox.ts';
import { freshSeed } from '../helpers/fixtures.ts';
import { dot, expectGradient, normal } from '../helpers/finiteDifferences.ts';


describe.each([1, 2, freshSeed()])('Transformer ops’ CPU twins (seed %i)', (seed) => {
  const r = new Random(seed, 500);

  it('layernorm: forward oracles; dx, dw, db against finite differences', () => {
    const n = 1 + r.index(5);
    const C = 2 + r.index(9);
    const x = normal(r, n * C, 2);
    const w = normal(r, C);
    const b = normal(r, C);
    const weights = normal(r, n * C);
    const out = new Float64Array(n * C);
    const mean = new Float64Array(n);
    const rstd = new Float64Array(n);
    const loss = () => {
      layernormForwardCpu(out, mean, rstd, x, w, b, n, C);
      return dot(out, weights);
    };
    loss();
    // With w = 1, b = 0 each row has mean 0 and variance var/(var + eps) ≈ 1.
    const unit = new Float64Array(n * C);
    layernormForwardCpu(unit, new Float64Array(n), new Float64Array(n), x, new Float64Array(C).fill(1), new Float64Array(C), n, C);
    for (let row = 0; row < n; row++) expect(Math.abs(unit.subarray(row * C, row * C + C).reduce((a, v) => a + v, 0))).toBeLessThan(1e-12);
    const [dx, dw, db] = [new Float64Array(n * C), new Float64Array(C), new Float64Array(C)];
    layernormBackwardCpu(dx, dw, db, weights, x, w, mean, rstd, n, C);
    expectGradient('dx', loss, x, dx);
    expectGradient('dw', loss, w, dw);
    expectGradient('db', loss, b, db);
  });

  it('gelu: against finite differences, and its tanh form at known points', () => {
    const x = normal(r, 17, 3);
    x[0] = 0;
    const weights = normal(r, 17);
    const out = new Float64Array(17);
    const loss = () => {
      geluForwardCpu(out, x);
      return dot(out, weights);
    };
    loss();
    expect(out[0]).toBe(0);
    const one = new Float64Array(1);
    geluForwardCpu(one, [1]);
    expect(one[0]).toBeCloseTo(0.8411919906, 9); // ½·(1 + tanh(√(2/π)·1.044715))
    const dx = new Float64Array(17);
    geluBackwardCpu(dx, weights, x);
    expectGradient('dx', loss, x, dx);
  });

  it('position: forward adds wpe[t] to every sequence’s row t; dwpe against finite differences', () => {
    const T = 1 + r.index(6);
    const B = 1 + r.index(4);
    const C = 1 + r.index(5);
    const wpe = normal(r, T * C);
    const base = normal(r, B * T * C);
    const weights = normal(r, B * T * C);
    const loss = () => {
      const x = Float64Array.from(base);
      positionForwardCpu(x, wpe, B * T, T, C);
      return dot(x, weights);
    };
    const dwpe = new Float64Array(T * C);
    positionBackwardCpu(dwpe, weights, B * T, T, C);
    expectGradient('dwpe', loss, wpe, dwpe);
  });

  it('attention: causal rows summing to 1; dqkv against finite differences', () => {
    const nh = 1 + r.index(3);
    const s: AttentionShape = { B: 1 + r.index(2), T: 1 + r.index(5), C: nh * (1 + r.index(3)), nh };
    const qkv = normal(r, s.B * s.T * 3 * s.C);
    const weights = normal(r, s.B * s.T * s.C);
    const out = new Float64Array(s.B * s.T * s.C);
    const att = new Float64Array(s.B * s.nh * s.T * s.T);
    const loss = () => {
      attentionForwardCpu(out, att, qkv, s);
      return dot(out, weights);
    };
    loss();
    for (let row = 0; row < s.B * s.nh * s.T; row++) {
      const t = row % s.T;
      const p = att.subarray(row * s.T, row * s.T + s.T);
      expect(Math.abs(p.reduce((a, v) => a + v, 0) - 1)).toBeLessThan(1e-12);
      for (let t2 = t + 1; t2 < s.T; t2++) expect(p[t2]).toBe(0); // no look ahead
    }
    const dqkv = new Float64Array(qkv.length);
    attentionBackwardCpu(dqkv, weights, qkv, att, s);
    expectGradient('dqkv', loss, qkv, dqkv);
  });
});
