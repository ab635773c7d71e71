/**
 * The op harness: every kernel of the op library (shaders/ops/) against its CPU twin
 * (src/ops/), on fresh random inputs of awkward shapes (1, and sizes that are no multiple of
 * any workgroup or tile), outputs poisoned with NaN first (an unwritten element fails), at
 * several workgroup sizes and with grids folded into 2-D. TEST_SEED replays a failure.
 * Tolerances come from float32 arithmetic: one rounding is within ε·|x|; a sum of K terms is
 * within K·ε·Σ|terms| whatever its order. Copies must be exact.
 */
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/device.ts';
import { batchIndicesDispatch } from '../../src/ops/batch.ts';
import { biasAddDispatch, biasAddCpu, biasBackwardCpu, biasBackwardDispatch, BIAS_WG } from '../../src/ops/bias.ts';
import {
  crossentropyBackwardCpu, crossentropyBackwardKernel, crossentropyForwardCpu, crossentropyForwardKernel, crossentropyForwardLaunch, lossRecordCpu, lossRecordDispatch,
} from '../../src/ops/crossentropy.ts';
import { elementwiseDispatch } from '../../src/ops/elementwise.ts';
import { embeddingBackwardCpu, embeddingBackwardKernel, embeddingForwardCpu, embeddingForwardKernel } from '../../src/ops/embedding.ts';
import { fillZeroDispatch } from '../../src/ops/fillZero.ts';
import { geluBackwardCpu, geluForwardCpu } from '../../src/ops/gelu.ts';
import { OpEncoder, type Binding } from '../../src/ops/kernel.ts';
import { matmulDispatch } from '../../src/ops/linear.ts';
import { matmulAbsSum, matmulCpu } from '../../src/ops/matmulCpu.ts';
import { matmulConfig } from '../../src/ops/matmulTiling.ts';
import { adamwUpdateCpu, optimizerDispatch, type OptimizerConfig } from '../../src/ops/optimizers.ts';
import { residualBackwardCpu, residualBackwardKernel, residualForwardCpu, residualForwardKernel } from '../../src/ops/residual.ts';
import { rangeRows } from '../../src/ops/rows.ts';
import { softmaxForwardCpu, softmaxForwardDispatch } from '../../src/ops/softmax.ts';
import { tanhBackwardCpu, tanhBackwardKernel, tanhForwardCpu, tanhForwardKernel } from '../../src/ops/tanh.ts';
import { batchIndicesCpu } from '../../src/train/cpuTrainer.ts';
import { EPS32, expectAllClose, expectEqualArrays, gpu, input, poisoned, randomNormal, readF32, readU32, rng, runDispatches, TEST_SEED } from './gpuHelpers.ts';

/** Run dispatches once, in one pass, with validation errors reported. */
const run = runDispatches;

/** Encoders: the device's grids, and grids folded past 3 workgroups per dimension. */
const encoders = async () => {
  const ctx = await gpu();
  return { ctx, encs: [new OpEncoder(ctx), new OpEncoder(ctx, 3)] };
};
const tokens = (stream: number, n: number, V: number) => {
  const r = rng(stream);
  return Uint32Array.from({ length: n }, () => r.index(V));
};
const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);
const state = (ctx: GpuContext, step: number, valid: number) => input(ctx, 'state', new Uint32Array([step, valid]));

/** n rows, V classes, T tokens per row, E and H widths, N examples. */
const SHAPES = [
  { n: 1, V: 2, T: 1, E: 1, H: 1, N: 1 },
  { n: 33, V: 27, T: 3, E: 10, H: 200, N: 500 },
  { n: 77, V: 97, T: 5, E: 7, H: 37, N: 301 },
  { n: 300, V: 61, T: 2, E: 17, H: 130, N: 1000 },
];

describe.each(SHAPES)('ops, n=$n V=$V T=$T E=$E H=$H', ({ n, V, T, E, H, N }) => {
  it('matmul (linear): all transposes, bias, accumulate, both tile configurations, against matmulCpu', async () => {
    const { ctx, encs } = await encoders();
    const r = rng(1);
    const cases = [
      { M: n, K: T * E, N: H }, { M: H, K: n, N: V }, { M: n, K: V, N: H },
    ];
    for (const c of cases) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const a = randomNormal(r, c.M * c.K);
        const b = randomNormal(r, c.K * c.N, 0.3);
        const bias = randomNormal(r, c.N);
        const old = randomNormal(r, c.M * c.N);
        for (const withBias of [false, true]) {
          for (const accumulate of [false, true]) {
            const want = accumulate ? Float64Array.from(old) : new Float64Array(c.M * c.N);
            matmulCpu(want, a, b, c.M, c.K, c.N, { transA: tA, transB: tB, accumulate, bias: withBias ? bias : undefined });
            const scale = matmulAbsSum(a, b, c.M, c.K, c.N, tA, tB);
            const atol = scale.map((s, i) => (c.K + 2) * EPS32 * (s + (withBias ? Math.abs(bias[i % c.N]) : 0) + (accumulate ? Math.abs(old[i]) : 0)) + 1e-30);
            for (const config of [matmulConfig(true), matmulConfig(false)]) {
              const out = accumulate ? input(ctx, 'out', old.slice()) : poisoned(ctx, 'out', c.M * c.N);
              await run(ctx, [await matmulDispatch(encs[0], config, {
                M: c.M, K: c.K, N: c.N, transA: tA, transB: tB, accumulate, a: input(ctx, 'a', a), b: input(ctx, 'b', b), bias: withBias ? input(ctx, 'bias', bias) : undefined, out,
              })]);
              const label = `matmul (${c.M},${c.K},${c.N}) tA ${tA} tB ${tB} bias ${withBias} acc ${accumulate} tile ${config.tileRows}`;
              expectAllClose(label, await readF32(ctx, out, c.M * c.N), want, { rtol: 0, atol });
            }
          }
        }
      }
    }
  });

  it('matmul epilogues: tanh, gelu and a residual after the bias, tanhGrad and geluGrad before accumulate, biasGrad (every transpose), both tile configurations', async () => {
    const { ctx, encs } = await encoders();
    const enc = encs[0]; // folded matmul grids: test/gpu/opsMatmul.test.ts
    const r = rng(40);
    const configs = [matmulConfig(true), matmulConfig(false)];
    const product = (c: { M: number; K: number; N: number }) => ({ a: randomNormal(r, c.M * c.K), b: randomNormal(r, c.K * c.N, 0.3) });
    // tanh: hidden = tanh(x·W + b); a derivative ≤ 1 carries the sum's error through, tanh adds a few ulps.
    {
      const c = { M: n, K: T * E, N: H };
      const { a, b } = product(c);
      const bias = randomNormal(r, c.N);
      const want = new Float64Array(c.M * c.N);
      matmulCpu(want, a, b, c.M, c.K, c.N, { bias, tanh: true });
      const scale = matmulAbsSum(a, b, c.M, c.K, c.N, false, false);
      const atol = scale.map((s, i) => (c.K + 2) * EPS32 * (s + Math.abs(bias[i % c.N])) + 4 * EPS32);
      for (const config of configs) {
        {
          const out = poisoned(ctx, 'out', c.M * c.N);
          await run(ctx, [await matmulDispatch(enc, config, { ...c, a: input(ctx, 'a', a), b: input(ctx, 'b', b), bias: input(ctx, 'bias', bias), tanh: true, out })]);
          expectAllClose(`matmul tanh tile ${config.tileRows}`, await readF32(ctx, out, c.M * c.N), want, { rtol: 0, atol });
        }
      }
    }
    // tanhGrad: dpre (+)= (dy·Wᵀ) ⊙ (1 − h²).
    {
      const c = { M: n, K: V, N: H };
      const { a, b } = product(c);
      const h = Float32Array.from(randomNormal(r, c.M * c.N), Math.tanh);
      const old = randomNormal(r, c.M * c.N);
      const scale = matmulAbsSum(a, b, c.M, c.K, c.N, false, true);
      for (const accumulate of [false, true]) {
        const want = accumulate ? Float64Array.from(old) : new Float64Array(c.M * c.N);
        matmulCpu(want, a, b, c.M, c.K, c.N, { transB: true, accumulate, tanhGrad: h });
        const atol = scale.map((s, i) => (c.K + 4) * EPS32 * (s + (accumulate ? Math.abs(old[i]) : 0)) + 1e-30);
        for (const config of configs) {
          {
            const out = accumulate ? input(ctx, 'out', old) : poisoned(ctx, 'out', c.M * c.N);
            await run(ctx, [await matmulDispatch(enc, config, { ...c, transB: true, accumulate, a: input(ctx, 'a', a), b: input(ctx, 'b', b), tanhGrad: input(ctx, 'h', h), out })]);
            expectAllClose(`matmul tanhGrad acc ${accumulate} tile ${config.tileRows}`, await readF32(ctx, out, c.M * c.N), want, { rtol: 0, atol });
          }
        }
      }
    }
    // gelu: out = gelu(x·W + b), pre = x·W + b; |gelu'| < 1.13 carries the sum's error through.
    {
      const c = { M: n, K: T * E, N: H };
      const { a, b } = product(c);
      const bias = randomNormal(r, c.N);
      const wantPre = new Float64Array(c.M * c.N);
      matmulCpu(wantPre, a, b, c.M, c.K, c.N, { bias });
      const want = new Float64Array(c.M * c.N);
      geluForwardCpu(want, wantPre);
      const scale = matmulAbsSum(a, b, c.M, c.K, c.N, false, false);
      const atolPre = scale.map((s, i) => (c.K + 2) * EPS32 * (s + Math.abs(bias[i % c.N])));
      const atol = atolPre.map((e, i) => 1.2 * e + 8 * EPS32 * Math.abs(want[i]) + 4 * EPS32);
      for (const config of configs) {
        const out = poisoned(ctx, 'out', c.M * c.N);
        const pre = poisoned(ctx, 'pre', c.M * c.N);
        await run(ctx, [await matmulDispatch(enc, config, { ...c, a: input(ctx, 'a', a), b: input(ctx, 'b', b), bias: input(ctx, 'bias', bias), geluPre: pre, out })]);
        expectAllClose(`matmul gelu pre tile ${config.tileRows}`, await readF32(ctx, pre, c.M * c.N), wantPre, { rtol: 0, atol: atolPre });
        expectAllClose(`matmul gelu tile ${config.tileRows}`, await readF32(ctx, out, c.M * c.N), want, { rtol: 0, atol });
      }
    }
    // residual: out = res + (x·W + b), the residual stream added after the bias.
    {
      const c = { M: n, K: T * E, N: H };
      const { a, b } = product(c);
      const bias = randomNormal(r, c.N);
      const res = randomNormal(r, c.M * c.N, 3);
      const want = new Float64Array(c.M * c.N);
      matmulCpu(want, a, b, c.M, c.K, c.N, { bias });
      const scale = matmulAbsSum(a, b, c.M, c.K, c.N, false, false);
      const atol = scale.map((s, i) => (c.K + 2) * EPS32 * (s + Math.abs(bias[i % c.N])) + 2 * EPS32 * (Math.abs(want[i]) + Math.abs(res[i])));
      for (let i = 0; i < want.length; i++) want[i] += res[i];
      for (const config of configs) {
        const out = poisoned(ctx, 'out', c.M * c.N);
        await run(ctx, [await matmulDispatch(enc, config, { ...c, a: input(ctx, 'a', a), b: input(ctx, 'b', b), bias: input(ctx, 'bias', bias), residual: input(ctx, 'res', res), out })]);
        expectAllClose(`matmul residual tile ${config.tileRows}`, await readF32(ctx, out, c.M * c.N), want, { rtol: 0, atol });
      }
    }
    // geluGrad: dpre (+)= (dy·Wᵀ) ⊙ gelu'(x), x spread over GELU's curved range.
    {
      const c = { M: n, K: V, N: H };
      const { a, b } = product(c);
      const x = randomNormal(r, c.M * c.N, 2);
      const old = randomNormal(r, c.M * c.N);
      const scale = matmulAbsSum(a, b, c.M, c.K, c.N, false, true);
      const sum = new Float64Array(c.M * c.N);
      matmulCpu(sum, a, b, c.M, c.K, c.N, { transB: true });
      const slope = new Float64Array(c.M * c.N);
      geluBackwardCpu(slope, new Float64Array(c.M * c.N).fill(1), Float32Array.from(x));
      for (const accumulate of [false, true]) {
        const want = sum.map((v, i) => v * slope[i] + (accumulate ? old[i] : 0));
        const atol = scale.map((s, i) => (c.K + 4) * EPS32 * (1.2 * s + (accumulate ? Math.abs(old[i]) : 0)) + 8 * EPS32 * Math.abs(sum[i] * slope[i]) + 1e-30);
        for (const config of configs) {
          const out = accumulate ? input(ctx, 'out', old) : poisoned(ctx, 'out', c.M * c.N);
          await run(ctx, [await matmulDispatch(enc, config, { ...c, transB: true, accumulate, a: input(ctx, 'a', a), b: input(ctx, 'b', b), geluGrad: input(ctx, 'x', x), out })]);
          expectAllClose(`matmul geluGrad acc ${accumulate} tile ${config.tileRows}`, await readF32(ctx, out, c.M * c.N), want, { rtol: 0, atol });
        }
      }
    }
    // biasGrad: dW += op(A)·op(B) and dbias += Σ_k op(B)[k, :], both accumulated.
    for (const c of [{ M: T * E, K: n, N: H }, { M: H, K: n, N: V }]) {
      for (const [tA, tB] of [[true, false], [false, false], [true, true], [false, true]]) {
        const { a, b } = product(c);
        const old = randomNormal(r, c.M * c.N);
        const oldDb = randomNormal(r, c.N);
        const want = Float64Array.from(old);
        const wantDb = Float64Array.from(oldDb);
        matmulCpu(want, a, b, c.M, c.K, c.N, { transA: tA, transB: tB, accumulate: true, biasGrad: wantDb });
        const scale = matmulAbsSum(a, b, c.M, c.K, c.N, tA, tB);
        const atol = scale.map((s, i) => (c.K + 2) * EPS32 * (s + Math.abs(old[i])) + 1e-30);
        const colAbs = new Float64Array(c.N);
        for (let k = 0; k < c.K; k++) for (let j = 0; j < c.N; j++) colAbs[j] += Math.abs(tB ? b[j * c.K + k] : b[k * c.N + j]);
        const atolDb = colAbs.map((s, j) => (c.K + 2) * EPS32 * (s + Math.abs(oldDb[j])) + 1e-30);
        for (const config of configs) {
          {
            const out = input(ctx, 'out', old);
            const db = input(ctx, 'db', oldDb);
            await run(ctx, [await matmulDispatch(enc, config, { ...c, transA: tA, transB: tB, accumulate: true, a: input(ctx, 'a', a), b: input(ctx, 'b', b), biasGrad: db, out })]);
            const label = `matmul biasGrad (${c.M},${c.K},${c.N}) tA ${tA} tB ${tB} tile ${config.tileRows}`;
            expectAllClose(`${label} dW`, await readF32(ctx, out, c.M * c.N), want, { rtol: 0, atol });
            expectAllClose(`${label} db`, await readF32(ctx, db, c.N), wantDb, { rtol: 0, atol: atolDb });
          }
        }
      }
    }
  });

  it('embedding_forward (exact) and embedding_backward (accumulated), minibatch rows and contiguous rows', async () => {
    const { ctx, encs } = await encoders();
    const X = tokens(2, N * T, V);
    const table = randomNormal(rng(3), V * E);
    const batch = tokens(4, n, N);
    const first = rng(5).index(N);
    const m = Math.min(n, N - first);
    for (const [rows, indexed] of [[batch, true], [rangeRows(first, m), false]] as const) {
      const want = new Float64Array(rows.length * T * E);
      embeddingForwardCpu(want, table, X, rows, T, E);
      const dout = randomNormal(rng(6), rows.length * T * E);
      const oldGrad = randomNormal(rng(7), V * E);
      const wantGrad = Float64Array.from(oldGrad);
      embeddingBackwardCpu(wantGrad, dout, X, rows, T, E, V);
      for (const enc of encs) {
        for (const WG of [64, 256]) {
          const bind = (extra: Record<string, Binding>) => ({ tokens: input(ctx, 'X', X), ...(indexed ? { indices: input(ctx, 'rows', rows) } : {}), ...extra });
          const out = poisoned(ctx, 'emb', rows.length * T * E + 5);
          const g1 = enc.grid(rows.length * T, WG); // a thread per (row, position)
          const dtable = input(ctx, 'dtable', oldGrad);
          const g2 = enc.grid(V, WG === 64 ? 4 : 64); // a thread per table row
          await run(ctx, [
            await enc.dispatch(embeddingForwardKernel, { defines: { indexed }, overrides: { WG }, grid: g1, uniform: { n: rows.length, first, T, E, V, rowStride: g1.rowStride }, bind: bind({ table: input(ctx, 'table', table), out }) }),
            await enc.dispatch(embeddingBackwardKernel, { defines: { indexed, E }, overrides: { WG: WG === 64 ? 4 : 64 }, grid: g2, uniform: { n: rows.length, first, T, E, V, rowStride: g2.rowStride }, bind: bind({ dout: input(ctx, 'dout', dout), dtable }) }),
          ]);
          const got = await readF32(ctx, out, rows.length * T * E + 5);
          expectEqualArrays(`embedding_forward indexed ${indexed} WG ${WG}`, got, want);
          for (let i = rows.length * T * E; i < got.length; i++) expect(got[i]).toBeNaN(); // nothing past the output
          // Each (v, e) sums its uses and the old value: at most n·T + 1 terms.
          const atol = new Float64Array(V * E).fill((rows.length * T + 2) * EPS32 * (Math.max(...abs(dout)) * rows.length * T + Math.max(...abs(oldGrad))));
          expectAllClose(`embedding_backward indexed ${indexed} WG ${WG === 64 ? 4 : 64}`, await readF32(ctx, dtable, V * E), wantGrad, { rtol: 0, atol });
        }
      }
    }
  });

  it('bias_add and bias_backward (accumulated)', async () => {
    const { ctx, encs } = await encoders();
    const x = randomNormal(rng(8), n * H, 3);
    const bias = randomNormal(rng(9), H);
    const old = randomNormal(rng(10), H);
    const want = Float64Array.from(x);
    biasAddCpu(want, bias, n, H);
    const wantGrad = Float64Array.from(old);
    biasBackwardCpu(wantGrad, x, n, H);
    for (const enc of encs) {
      const xb = input(ctx, 'x', x);
      const db = input(ctx, 'db', old);
      await run(ctx, [
        await biasBackwardDispatch(enc, { M: n, N: H, dout: xb, dbias: db }), // before the add: the gradient of x as it was
        await biasAddDispatch(enc, { M: n, N: H, bias: input(ctx, 'bias', bias), x: xb }),
      ]);
      expectAllClose('bias_add', await readF32(ctx, xb, n * H), want, { rtol: 0, atol: Float64Array.from(x, (v, i) => EPS32 * (Math.abs(v) + Math.abs(bias[i % H]))) });
      const colAbs = new Float64Array(H);
      for (let i = 0; i < n * H; i++) colAbs[i % H] += Math.abs(x[i]);
      expectAllClose('bias_backward', await readF32(ctx, db, H), wantGrad, { rtol: 0, atol: colAbs.map((s, j) => (n + 2) * EPS32 * (s + Math.abs(old[j]))) });
    }
    expect(BIAS_WG.backward).toBeLessThan(BIAS_WG.add);
  });

  it('tanh_forward, tanh_backward (written and accumulated), residual_forward and residual_backward, fill_zero', async () => {
    const { ctx, encs } = await encoders();
    const count = n * H;
    const x = randomNormal(rng(11), count, 3);
    for (const [i, v] of [[0, 100], [1, -100], [2, 20], [3, -1e-3]]) if (i < count) x[i] = v;
    const y = randomNormal(rng(12), count);
    const dout = randomNormal(rng(13), count);
    const old = randomNormal(rng(14), count);
    for (const enc of encs) {
      for (const WG of [64, 256]) {
        const h = poisoned(ctx, 'h', count);
        await run(ctx, [await elementwiseDispatch(enc, tanhForwardKernel, count, { x: input(ctx, 'x', x), out: h }, { WG })]);
        const hv = await readF32(ctx, h, count);
        const wantH = new Float64Array(count);
        tanhForwardCpu(wantH, x);
        expectAllClose('tanh_forward', hv, wantH, { rtol: 4 * EPS32, atol: 4 * EPS32 });
        for (const accumulate of [false, true]) {
          const dx = accumulate ? input(ctx, 'dx', old) : poisoned(ctx, 'dx', count);
          await run(ctx, [await elementwiseDispatch(enc, tanhBackwardKernel, count, { dout: input(ctx, 'dout', dout), out: h, dx }, { WG, defines: { accumulate } })]);
          const want = accumulate ? Float64Array.from(old) : new Float64Array(count);
          tanhBackwardCpu(want, dout, hv);
          expectAllClose(`tanh_backward acc ${accumulate}`, await readF32(ctx, dx, count), want, { rtol: 0, atol: Float64Array.from(dout, (d, i) => 4 * EPS32 * (Math.abs(d) + (accumulate ? Math.abs(old[i]) : 0))) });
        }
        const sum = poisoned(ctx, 'sum', count);
        const [da, db] = [poisoned(ctx, 'da', count), input(ctx, 'db', old)];
        await run(ctx, [
          await elementwiseDispatch(enc, residualForwardKernel, count, { a: input(ctx, 'a', x), b: input(ctx, 'b', y), out: sum }, { WG }),
          await elementwiseDispatch(enc, residualBackwardKernel, count, { dout: input(ctx, 'dout', dout), da, db }, { WG, defines: { accumulateA: false, accumulateB: true } }),
        ]);
        const wantSum = new Float64Array(count);
        residualForwardCpu(wantSum, x, y);
        expectAllClose('residual_forward', await readF32(ctx, sum, count), wantSum, { rtol: EPS32, atol: 0 });
        const [wa, wb] = [new Float64Array(count), Float64Array.from(old)];
        residualBackwardCpu(wa, wb, dout);
        expectEqualArrays('residual_backward da (written)', await readF32(ctx, da, count), wa);
        expectAllClose('residual_backward db (accumulated)', await readF32(ctx, db, count), wb, { rtol: EPS32, atol: 0 });
        const z = input(ctx, 'z', x);
        await run(ctx, [await fillZeroDispatch(enc, z, count)]);
        expectEqualArrays('fill_zero', await readF32(ctx, z, count), new Float64Array(count));
      }
    }
  });

  it('softmax_forward rows sum to 1 and match the twin, logits past exp’s range included', async () => {
    const { ctx, encs } = await encoders();
    const x = randomNormal(rng(15), n * V, 4);
    x[0] = 200;
    if (V > 1) x[1] = -200;
    const want = new Float64Array(n * V);
    softmaxForwardCpu(want, x, n, V);
    for (const enc of encs) {
      const probs = poisoned(ctx, 'probs', n * V);
      await run(ctx, [await softmaxForwardDispatch(enc, { n, V, x: input(ctx, 'x', x), probs })]);
      // exp of a shifted logit: a few ulps relative; the sum and the division add V + 2 roundings.
      expectAllClose('softmax_forward', await readF32(ctx, probs, n * V), want, { rtol: (V + 8) * EPS32, atol: 1e-38 });
    }
  });

  it.each([1, 3])('crossentropy_forward + loss_record and crossentropy_backward, with ignored targets (−1), %i targets per example', async (P) => {
    const { ctx, encs } = await encoders();
    const targets = Int32Array.from(tokens(16, N * P, V), (y, i) => (i % 3 === 1 ? -1 : y)); // a third ignored
    const logits = randomNormal(rng(17), n * P * V, 4);
    const batch = tokens(18, n, N);
    const old = randomNormal(rng(19), n * P * V);
    for (const [rows, indexed, first] of [[batch, true, 0], [rangeRows(0, Math.min(n, N)), false, 0]] as const) {
      const m = rows.length * P; // logits rows
      const whole = crossentropyForwardCpu(logits, targets, rows, V, Infinity, P);
      const ref = lossRecordCpu(whole.sums, whole.counts);
      for (const enc of encs) {
        for (const [WG, ROWS] of [[4, 8], [64, 1], [256, 3]]) {
          const { grid, overrides, pairs } = crossentropyForwardLaunch(enc, m, { WG, ROWS });
          const partials = poisoned(ctx, 'partials', 2 * pairs + 2);
          const history = poisoned(ctx, 'history', 4);
          const st = state(ctx, 6, 0);
          const bind = (extra: Record<string, Binding>) => ({ targets: input(ctx, 'targets', new Uint32Array(targets.buffer)), ...(indexed ? { indices: input(ctx, 'rows', rows) } : {}), logits: input(ctx, 'logits', logits), ...extra });
          await run(ctx, [
            await enc.dispatch(crossentropyForwardKernel, { defines: { indexed }, overrides, grid, uniform: { n: m, first, V, partial: 1, rowStride: grid.rowStride, P }, bind: bind({ partials }) }),
            await lossRecordDispatch(enc, { partials: pairs + 1, historyLength: 4, partialBuffer: partials, history, state: st }),
          ].slice(0, 1));
          const raw = await readU32(ctx, partials, 2 * pairs + 2);
          const groups = crossentropyForwardCpu(logits, targets, rows, V, ROWS, P);
          const sums = new Float32Array(raw.buffer).filter((_, i) => i % 2 === 0).slice(1);
          const counts = raw.filter((_, i) => i % 2 === 1).slice(1);
          expectEqualArrays(`valid counts WG ${WG}`, counts, groups.counts);
          // A row's NLL is log Σ − (l_y − m): a difference, off by a few ulps of its terms' size.
          const rowScale = Math.max(...abs(logits)) + Math.log(V) + 1;
          expectAllClose(`partial sums WG ${WG}`, sums, groups.sums, { rtol: 0, atol: Float64Array.from(groups.counts, (c) => (ROWS + V + 8) * EPS32 * c * rowScale) });
          // loss_record over the pairs (the first, unused, pair zeroed).
          const zeroed = new Uint32Array(raw);
          zeroed[0] = 0;
          zeroed[1] = 0;
          const closing = input(ctx, 'pairs', zeroed);
          await run(ctx, [await lossRecordDispatch(enc, { partials: pairs + 1, historyLength: 4, partialBuffer: closing, history, state: st })]);
          const hist = await readF32(ctx, history, 4);
          expectAllClose(`loss_record WG ${WG}`, [hist[6 % 4]], [ref.loss], { rtol: 0, atol: (m + V + WG + 8) * EPS32 * rowScale });
          expectEqualArrays('state after loss_record', await readU32(ctx, st, 2), [7, ref.valid]);
          for (const accumulate of [false, true]) {
            const dlogits = accumulate ? input(ctx, 'dlogits', old) : poisoned(ctx, 'dlogits', n * P * V);
            const g = enc.grid(m, 64);
            await run(ctx, [await enc.dispatch(crossentropyBackwardKernel, {
              defines: { indexed, accumulate }, overrides: { WG: 64 }, grid: g, uniform: { n: m, first, V, rowStride: g.rowStride, P }, bind: bind({ dlogits, state: st }),
            })]);
            const want = accumulate ? Float64Array.from(old) : new Float64Array(n * P * V);
            crossentropyBackwardCpu(want, logits, targets, rows, V, ref.valid, P);
            const atol = Float64Array.from(want, (_, i) => (V + 8) * EPS32 * (1 / ref.valid + (accumulate ? Math.abs(old[i]) : 0)) + 1e-30);
            expectAllClose(`crossentropy_backward acc ${accumulate}`, (await readF32(ctx, dlogits, n * P * V)).subarray(0, m * V), want.subarray(0, m * V), { rtol: 0, atol: atol.subarray(0, m * V) });
          }
        }
      }
    }
  });
});

describe('step ops', () => {
  it('batch_indices draws the CPU minibatch exactly (seed above 2^32, positions past 2^32)', async () => {
    const { ctx, encs } = await encoders();
    const seed = Math.floor(rng(20).uniform() * 2 ** 40);
    for (const [B, total] of [[1, 1], [77, 1000], [300, 229_000]]) {
      for (const step of [0, 7, 3 + rng(21).index(1 << 30)]) {
        for (const enc of encs) {
          const indices = poisoned(ctx, 'indices', B);
          const st = state(ctx, step, 0);
          await run(ctx, [await batchIndicesDispatch(enc, { B, total, seed, indices, state: st })]);
          expectEqualArrays(`batch_indices B ${B} step ${step}`, await readU32(ctx, indices, B), batchIndicesCpu(seed, step, B, total));
          expect((await readU32(ctx, st, 1))[0]).toBe(step);
        }
      }
    }
  });

  it('AdamW: 10 steps on a small tensor (an odd count, and a multiple of 4: the vec4 path) against a float64 reference written from the formula; SGD with its schedule', async () => {
    const { ctx, encs } = await encoders();
    // An odd count runs the scalar kernels, a multiple of 4 their vec4 variant.
    for (const count of [1 + 2 * rng(22).index(350), 4 * (1 + rng(21).index(175))]) {
      const p0 = randomNormal(rng(23), count);
      const grads = Array.from({ length: 10 }, (_, s) => randomNormal(rng(30 + s), count, 0.1 * (s + 1)));
      const o: OptimizerConfig = { kind: 'adamw', lr: 0.01, lrFinal: 0.002, decayStep: 6, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };
      // The reference: PyTorch's AdamW, step t = 1..10, in float64, written out here.
      const p = Float64Array.from(p0);
      const m = new Float64Array(count);
      const v = new Float64Array(count);
      for (let t = 1; t <= 10; t++) {
        const lr = t - 1 < o.decayStep ? o.lr : o.lrFinal;
        for (let i = 0; i < count; i++) {
          const g = grads[t - 1][i];
          p[i] *= 1 - lr * o.weightDecay;
          m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
          v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
          const mhat = m[i] / (1 - o.beta1 ** t);
          const vhat = v[i] / (1 - o.beta2 ** t);
          p[i] -= (lr * mhat) / (Math.sqrt(vhat) + o.eps);
        }
      }
      // The CPU twin in float32 storage, as the CPU trainer holds it.
      const cp = Float32Array.from(p0);
      const [cm, cv] = [new Float32Array(count), new Float32Array(count)];
      for (let t = 1; t <= 10; t++) adamwUpdateCpu(cp, grads[t - 1], cm, cv, t, Math.fround(t - 1 < o.decayStep ? o.lr : o.lrFinal), o);
      // Each step moves p by at most ~lr; float32 rounds |p| and the step: a few ulps of |p| + lr per step.
      const atol = Float64Array.from(p, (x) => 10 * 8 * EPS32 * (Math.abs(x) + o.lr));
      expectAllClose('adamw (CPU twin, float32 storage)', cp, p, { rtol: 0, atol });
      for (const enc of encs) {
        const P = input(ctx, 'P', p0);
        const [mb, vb] = [input(ctx, 'm', new Float32Array(count)), input(ctx, 'v', new Float32Array(count))];
        for (let t = 1; t <= 10; t++) {
          await run(ctx, [await optimizerDispatch(enc, o, count, { grad: input(ctx, 'g', grads[t - 1]), P, m: mb, v: vb, state: state(ctx, t, 0) })]);
        }
        expectAllClose(`adamw_update GPU (TEST_SEED ${TEST_SEED})`, await readF32(ctx, P, count), p, { rtol: 0, atol });
        // SGD: step 5 (state 6) at lr, step 6 (state 7) at lrFinal.
        for (const [st, lr] of [[6, o.lr], [7, o.lrFinal]]) {
          const Q = input(ctx, 'Q', p0);
          await run(ctx, [await optimizerDispatch(enc, { ...o, kind: 'sgd' }, count, { grad: input(ctx, 'g', grads[0]), P: Q, state: state(ctx, st, 0) })]);
          // p − lr·g rounds the product and the difference (or once, fused): within 2ε of the terms' sizes.
          const terms = Float64Array.from(p0, (x, i) => 2 * EPS32 * (Math.abs(x) + Math.abs(Math.fround(lr) * grads[0][i])));
          expectAllClose(`sgd_update lr ${lr}`, await readF32(ctx, Q, count), Float64Array.from(p0, (x, i) => x - Math.fround(lr) * grads[0][i]), { rtol: 0, atol: terms });
        }
      }
    }
  });
});
