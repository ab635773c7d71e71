/**
 * The Transformer's kernels (LayerNorm, GELU, the position embedding, causal attention) against
 * their CPU twins (src/ops/), on fresh random inputs of awkward shapes, outputs poisoned with NaN
 * first, at two workgroup sizes and with grids folded into 2-D; gradients written and
 * accumulated. Tolerances from float32 arithmetic: a sum of K terms within K·ε·Σ|terms|.
 */
import { describe, it } from 'vitest';
import { attentionBackwardCpu, attentionBackwardDispatches, attentionForwardCpu, attentionForwardDispatch, type AttentionShape } from '../../src/ops/attention.ts';
import { elementwiseDispatch } from '../../src/ops/elementwise.ts';
import { geluBackwardCpu, geluBackwardKernel, geluForwardCpu, geluForwardKernel } from '../../src/ops/gelu.ts';
import { OpEncoder } from '../../src/ops/kernel.ts';
import { layernormBackwardCpu, layernormBackwardDispatches, layernormForwardCpu, layernormForwardDispatch } from '../../src/ops/layernorm.ts';
import { positionBackwardCpu, positionBackwardKernel, positionForwardCpu, positionForwardKernel } from '../../src/ops/position.ts';
import { EPS32, expectAllClose, gpu, input, poisoned, randomNormal, readF32, rng, runDispatches } from './gpuHelpers.ts';

const encoders = async () => {
  const ctx = await gpu();
  return { ctx, encs: [new OpEncoder(ctx), new OpEncoder(ctx, 3)] };
};
const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/** B sequences of T positions, C channels in nh heads. */
const SHAPES: AttentionShape[] = [
  { B: 1, T: 1, C: 1, nh: 1 },
  { B: 3, T: 16, C: 64, nh: 4 }, // makemore's default, a batch of 3
  { B: 5, T: 7, C: 12, nh: 3 }, // C a multiple of 4 (also 64): LayerNorm rows in vec4
  { B: 2, T: 33, C: 10, nh: 2 },
  { B: 2, T: 3, C: 130, nh: 2 }, // rows wider than LayerNorm writes out: its loop kernels
];

describe.each(SHAPES)('Transformer kernels, B=$B T=$T C=$C nh=$nh', (s) => {
  const n = s.B * s.T;
  const { C } = s;

  it('layernorm_forward, layernorm_backward (written, accumulated) and layernorm_param_backward', async () => {
    const { ctx, encs } = await encoders();
    const x = randomNormal(rng(1), n * C, 2);
    const w = randomNormal(rng(2), C);
    const b = randomNormal(rng(3), C);
    const dout = randomNormal(rng(4), n * C);
    const old = randomNormal(rng(5), n * C);
    const oldW = randomNormal(rng(6), C);
    const out = new Float64Array(n * C);
    const mean = new Float64Array(n);
    const rstd = new Float64Array(n);
    layernormForwardCpu(out, mean, rstd, x, w, b, n, C);
    for (const enc of encs) {
      // The rows written out (WG 32) and the loop kernels (WG 64): the same arithmetic.
      for (const WG of [32, 64]) {
        const loops = WG === 64;
        const bufs = { out: poisoned(ctx, 'out', n * C), mean: poisoned(ctx, 'mean', n), rstd: poisoned(ctx, 'rstd', n) };
        const xb = input(ctx, 'x', x);
        const wb = input(ctx, 'w', w);
        await runDispatches(ctx, [await layernormForwardDispatch(enc, { n, C, x: xb, w: wb, b: input(ctx, 'b', b), ...bufs, loops }, WG)]);
        // Each output: two sums of C terms (mean, variance), a square root, a product and a sum.
        const scale = Float64Array.from(out, (_, i) => Math.abs(w[i % C]) * (Math.abs((x[i] - mean[Math.floor(i / C)]) * rstd[Math.floor(i / C)]) + 1) + Math.abs(b[i % C]));
        expectAllClose(`layernorm out WG ${WG}`, await readF32(ctx, bufs.out, n * C), out, { rtol: 0, atol: scale.map((v) => (2 * C + 8) * EPS32 * v) });
        expectAllClose('layernorm mean', await readF32(ctx, bufs.mean, n), mean, { rtol: 0, atol: (C + 2) * EPS32 * maxAbs(x) });
        expectAllClose('layernorm rstd', await readF32(ctx, bufs.rstd, n), rstd, { rtol: (2 * C + 8) * EPS32 * 4, atol: 0 });
        for (const accumulate of [false, true]) {
          const dx = accumulate ? input(ctx, 'dx', old) : poisoned(ctx, 'dx', n * C);
          const [dw, db] = [input(ctx, 'dw', oldW), input(ctx, 'db', oldW)];
          await runDispatches(ctx, await layernormBackwardDispatches(enc, {
            n, C, dout: input(ctx, 'dout', dout), x: xb, w: wb, mean: bufs.mean, rstd: bufs.rstd, dx, accumulate, dw, db, loops,
          }, WG, WG / 2));
          const [wantDx, wantDw, wantDb] = [accumulate ? Float64Array.from(old) : new Float64Array(n * C), Float64Array.from(oldW), Float64Array.from(oldW)];
          // The GPU's mean and rstd are float32: the reference takes them as the GPU has them.
          const gm = await readF32(ctx, bufs.mean, n);
          const gr = await readF32(ctx, bufs.rstd, n);
          layernormBackwardCpu(wantDx, wantDw, wantDb, dout, x, w, gm, gr, n, C);
          const g = maxAbs(dout) * maxAbs(w) * maxAbs(gr) * (maxAbs(x) * maxAbs(gr) + 1);
          expectAllClose(`layernorm dx acc ${accumulate}`, await readF32(ctx, dx, n * C), wantDx, { rtol: 0, atol: (3 * C + 8) * EPS32 * (g + (accumulate ? maxAbs(old) : 0)) });
          const colScale = n * maxAbs(dout) * (maxAbs(x) * maxAbs(gr) + 1) + maxAbs(oldW);
          expectAllClose('layernorm dw', await readF32(ctx, dw, C), wantDw, { rtol: 0, atol: (n + 8) * EPS32 * colScale });
          expectAllClose('layernorm db', await readF32(ctx, db, C), wantDb, { rtol: 0, atol: (n + 8) * EPS32 * colScale });
        }
      }
    }
  });

  it('gelu_forward and gelu_backward, saturated inputs included', async () => {
    const { ctx, encs } = await encoders();
    const count = n * 4 * C;
    const x = randomNormal(rng(7), count, 3);
    for (const [i, v] of [[0, 40], [1, -40], [2, 0]] as const) if (i < count) x[i] = v;
    const dout = randomNormal(rng(8), count);
    const old = randomNormal(rng(9), count);
    const want = new Float64Array(count);
    geluForwardCpu(want, x);
    for (const enc of encs) {
      for (const WG of [64, 256]) {
        const out = poisoned(ctx, 'out', count);
        const xb = input(ctx, 'x', x);
        await runDispatches(ctx, [await elementwiseDispatch(enc, geluForwardKernel, count, { x: xb, out }, { WG })]);
        // tanh to a few ulps of 1, times ½x; the cube's roundings.
        expectAllClose(`gelu_forward WG ${WG}`, await readF32(ctx, out, count), want, { rtol: 0, atol: Float64Array.from(x, (v) => 8 * EPS32 * (Math.abs(v) + 1)) });
        for (const accumulate of [false, true]) {
          const dx = accumulate ? input(ctx, 'dx', old) : poisoned(ctx, 'dx', count);
          await runDispatches(ctx, [await elementwiseDispatch(enc, geluBackwardKernel, count, { dout: input(ctx, 'dout', dout), x: xb, dx }, { WG, defines: { accumulate } })]);
          const wantDx = accumulate ? Float64Array.from(old) : new Float64Array(count);
          geluBackwardCpu(wantDx, dout, x);
          const atol = Float64Array.from(x, (v, i) => 16 * EPS32 * Math.abs(dout[i]) * (1 + v * v * Math.abs(v)) + (accumulate ? EPS32 * Math.abs(old[i]) : 0));
          expectAllClose(`gelu_backward acc ${accumulate}`, await readF32(ctx, dx, count), wantDx, { rtol: 0, atol });
        }
      }
    }
  });

  it('position_forward (in place) and position_backward (accumulated)', async () => {
    const { ctx, encs } = await encoders();
    const wpe = randomNormal(rng(10), s.T * C);
    const x = randomNormal(rng(11), n * C);
    const old = randomNormal(rng(12), s.T * C);
    const want = Float64Array.from(x);
    positionForwardCpu(want, wpe, n, s.T, C);
    const wantGrad = Float64Array.from(old);
    positionBackwardCpu(wantGrad, x, n, s.T, C);
    for (const enc of encs) {
      const xb = input(ctx, 'x', x);
      const dwpe = input(ctx, 'dwpe', old);
      const g1 = enc.grid(n * C, 256);
      const g2 = enc.grid(s.T * C, 64);
      await runDispatches(ctx, [
        await enc.dispatch(positionBackwardKernel, { overrides: { WG: 64 }, grid: g2, uniform: { n, T: s.T, C, rowStride: g2.rowStride }, bind: { dout: xb, dwpe } }),
        await enc.dispatch(positionForwardKernel, { overrides: { WG: 256 }, grid: g1, uniform: { n, T: s.T, C, rowStride: g1.rowStride }, bind: { wpe: input(ctx, 'wpe', wpe), x: xb } }),
      ]);
      expectAllClose('position_forward', await readF32(ctx, xb, n * C), want, { rtol: 0, atol: Float64Array.from(x, (v, i) => EPS32 * (Math.abs(v) + Math.abs(wpe[((Math.floor(i / C)) % s.T) * C + (i % C)]))) });
      expectAllClose('position_backward', await readF32(ctx, dwpe, s.T * C), wantGrad, { rtol: 0, atol: (s.B + 2) * EPS32 * (s.B * maxAbs(x) + maxAbs(old)) });
    }
  });

  it('attention_forward (out and the probabilities) and its backward (dq; dk and dv), written and accumulated', async () => {
    const { ctx, encs } = await encoders();
    const qkv = randomNormal(rng(13), n * 3 * C);
    const dout = randomNormal(rng(14), n * C);
    const old = randomNormal(rng(15), n * 3 * C);
    const out = new Float64Array(n * C);
    const att = new Float64Array(s.B * s.nh * s.T * s.T);
    attentionForwardCpu(out, att, qkv, s);
    const hs = C / s.nh;
    const qk = maxAbs(qkv) ** 2 * hs; // the scores' scale
    for (const enc of encs) {
      for (const WG of [16, 64]) {
        const [ob, ab] = [poisoned(ctx, 'out', n * C), poisoned(ctx, 'att', att.length)];
        const qb = input(ctx, 'qkv', qkv);
        await runDispatches(ctx, [await attentionForwardDispatch(enc, s, { qkv: qb, out: ob, att: ab }, WG)]);
        // A probability: exp of a score off by ~hs·ε·qk, normalised by a sum of T terms.
        const pTol = (hs + s.T + 8) * EPS32 * (qk + 1);
        expectAllClose(`attention att WG ${WG}`, await readF32(ctx, ab, att.length), att, { rtol: 0, atol: pTol });
        expectAllClose(`attention out WG ${WG}`, await readF32(ctx, ob, n * C), out, { rtol: 0, atol: s.T * pTol * maxAbs(qkv) + (s.T + 2) * EPS32 * maxAbs(qkv) });
        for (const accumulate of [false, true]) {
          const dqkv = accumulate ? input(ctx, 'dqkv', old) : poisoned(ctx, 'dqkv', n * 3 * C);
          const gpuAtt = await readF32(ctx, ab, att.length);
          await runDispatches(ctx, await attentionBackwardDispatches(enc, s, { dout: input(ctx, 'dout', dout), qkv: qb, att: ab, dpre: poisoned(ctx, 'dpre', att.length), dqkv }, accumulate, WG));
          const want = accumulate ? Float64Array.from(old) : new Float64Array(n * 3 * C);
          attentionBackwardCpu(want, dout, qkv, gpuAtt, s);
          const g = s.T * (hs + s.T + 8) * EPS32 * maxAbs(dout) * maxAbs(qkv) ** 2 * (hs + 1);
          expectAllClose(`attention dqkv acc ${accumulate} WG ${WG}`, await readF32(ctx, dqkv, n * 3 * C), want, { rtol: 0, atol: g + (accumulate ? EPS32 * maxAbs(old) : 0) + 1e-30 });
        }
      }
    }
  });
});
