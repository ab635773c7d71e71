/**
 * Every kernel of the context model against its CPU twin (src/models/mlpOps.ts), on fresh
 * random inputs of awkward shapes (batch 1, dimensions that are no multiple of any tile or
 * workgroup size), outputs poisoned with NaN first, several workgroup and tile sizes, grids
 * folded into 2-D. Tolerances come from float32 arithmetic: a sum of K products is within
 * K·ε·Σ|a||b| of the exact value whatever its order; one rounding is within ε·|x|. Integer
 * outputs (minibatch indices) and copies (embedding lookups) must be identical.
 */
import { describe, expect, it } from 'vitest';
import {
  biasAddCpu, biasBackwardCpu, crossentropyForwardCpu, crossentropySoftmaxBackwardCpu, embeddingBackwardCpu, embeddingForwardCpu,
  matmulCpu, mlpLossRecordCpu, mlpSgdUpdateCpu, rangeRows, tanhBackwardCpu, tanhForwardCpu,
} from '../../src/models/mlpOps.ts';
import { softmaxForwardCpu } from '../../src/models/bigramOps.ts';
import { batchIndicesCpu } from '../../src/train/cpuTrainer.ts';
import { matmulGrid, mlpKernel, mlpParamsBuffer, type MlpUniform } from '../../src/gpu/mlpTrainer.ts';
import { foldGrid } from '../../src/gpu/kernels.ts';
import type { GpuContext } from '../../src/gpu/device.ts';
import {
  EPS32, expectAllClose, expectEqualArrays, gpu, input, poisoned, randomNormal, readF32, readU32, rng, runKernel,
} from './gpuHelpers.ts';

/** N examples, B batch (rows), V vocabulary, T context, E embedding, H hidden. */
const SHAPES = [
  { N: 1, B: 1, V: 2, T: 1, E: 1, H: 1 },
  { N: 500, B: 33, V: 27, T: 3, E: 10, H: 200 }, // the lecture's network, a batch of no tile multiple
  { N: 301, B: 77, V: 97, T: 5, E: 7, H: 37 },
  { N: 1000, B: 300, V: 61, T: 2, E: 17, H: 130 },
];

const uniform = (ctx: GpuContext, p: Partial<MlpUniform>) => mlpParamsBuffer(ctx, 'params', p);
const tokens = (stream: number, n: number, V: number) => {
  const r = rng(stream);
  return Uint32Array.from({ length: n }, () => r.index(V));
};
const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);

describe.each(SHAPES)('mlp kernels, N=$N B=$B V=$V T=$T E=$E H=$H', ({ N, B, V, T, E, H }) => {
  const TE = T * E;

  it('batch_indices draws the CPU minibatch exactly (seed above 2^32, positions past 2^32)', async () => {
    const ctx = await gpu();
    const seed = Math.floor(rng(1).uniform() * 2 ** 40);
    for (const step of [0, 7, 3 + rng(2).index(1 << 30)]) {
      const indices = poisoned(ctx, 'indices', B);
      const state = input(ctx, 'state', new Uint32Array([step, 0]));
      const grid = foldGrid(B, 64, 2);
      await runKernel(ctx, mlpKernel('batch_indices', {}, { WG: 64 }), [uniform(ctx, { n: B, total: N, seed, rowStride: grid.rowStride }), indices, state], grid);
      expectEqualArrays(`batch_indices step ${step}`, await readU32(ctx, indices, B), batchIndicesCpu(seed, step, B, N));
      expect((await readU32(ctx, state, 1))[0]).toBe(step); // read, not advanced
    }
  });

  it('embedding_forward gathers the contexts’ embeddings exactly (minibatch rows and contiguous rows)', async () => {
    const ctx = await gpu();
    const X = tokens(3, N * T, V);
    const C = randomNormal(rng(4), V * E);
    const rows = tokens(5, B, N);
    for (const WG of [64, 256]) {
      const grid = foldGrid(B * TE, WG, 3);
      const emb = poisoned(ctx, 'emb', B * TE);
      await runKernel(ctx, mlpKernel('embedding_forward', { indexed: true }, { WG }),
        [uniform(ctx, { n: B, T, E, rowStride: grid.rowStride }), input(ctx, 'X', X), input(ctx, 'indices', rows), input(ctx, 'C', C), emb], grid);
      expectEqualArrays(`embedding_forward indexed WG ${WG}`, await readF32(ctx, emb, B * TE), embeddingForwardCpu(C, X, rows, T, E));
    }
    const first = rng(6).index(N);
    const n = Math.min(B, N - first);
    const grid = foldGrid(n * TE, 256, 65535);
    const emb = poisoned(ctx, 'emb', B * TE);
    await runKernel(ctx, mlpKernel('embedding_forward', { indexed: false }, { WG: 256 }),
      [uniform(ctx, { n, first, T, E, rowStride: grid.rowStride }), input(ctx, 'X', X), null, input(ctx, 'C', C), emb], grid);
    const got = await readF32(ctx, emb, B * TE);
    expectEqualArrays('embedding_forward contiguous', got, embeddingForwardCpu(C, X, rangeRows(first, n), T, E));
    for (let i = n * TE; i < B * TE; i++) expect(got[i]).toBeNaN(); // rows past n untouched
  });

  it('matmul: the layer’s three products at tile sizes 4, 8 and 16', async () => {
    const ctx = await gpu();
    const emb = randomNormal(rng(7), B * TE);
    const W1 = randomNormal(rng(8), TE * H, 0.3);
    const dpre = randomNormal(rng(9), B * H, 0.1);
    const cases = [
      { label: 'emb·W1', M: B, K: TE, N: H, tA: false, tB: false, a: emb, b: W1 },
      { label: 'dhpre·W1ᵀ', M: B, K: H, N: TE, tA: false, tB: true, a: dpre, b: W1 },
      { label: 'embᵀ·dhpre', M: TE, K: B, N: H, tA: true, tB: false, a: emb, b: dpre },
    ];
    for (const c of cases) {
      const want = matmulCpu(c.a, c.b, c.M, c.K, c.N, c.tA, c.tB);
      const atol = want.absSum.map((s) => (c.K + 1) * EPS32 * s + 1e-30);
      for (const TS of [4, 8, 16]) {
        const out = poisoned(ctx, 'out', c.M * c.N);
        await runKernel(ctx, mlpKernel('matmul', { transA: c.tA, transB: c.tB }, { TS }),
          [uniform(ctx, { M: c.M, K: c.K, N: c.N }), input(ctx, 'A', c.a), input(ctx, 'B', c.b), out], matmulGrid(c.M, c.N, TS));
        expectAllClose(`matmul ${c.label} TS ${TS}`, await readF32(ctx, out, c.M * c.N), want.out, { rtol: 0, atol });
      }
    }
  });

  it('bias_add adds the bias to every row, in place', async () => {
    const ctx = await gpu();
    for (const [cols, stream] of [[H, 10], [V, 11]] as const) {
      const x = randomNormal(rng(stream), B * cols, 3);
      const bias = randomNormal(rng(stream + 100), cols);
      const grid = foldGrid(B * cols, 256, 3);
      const xb = input(ctx, 'x', x);
      await runKernel(ctx, mlpKernel('bias_add', {}, { WG: 256 }), [uniform(ctx, { M: B, N: cols, rowStride: grid.rowStride }), input(ctx, 'bias', bias), xb], grid);
      const atol = Float64Array.from(x, (v, i) => EPS32 * (Math.abs(v) + Math.abs(bias[i % cols])));
      expectAllClose(`bias_add (${B}, ${cols})`, await readF32(ctx, xb, B * cols), biasAddCpu(x, bias, B, cols), { rtol: 0, atol });
    }
  });

  it('tanh_forward and tanh_backward, saturated inputs included', async () => {
    const ctx = await gpu();
    const count = B * H;
    const x = randomNormal(rng(12), count, 3);
    for (const [i, v] of [[0, 100], [1, -100], [2, 20], [3, -1e-3], [4, 0]]) if (i < count) x[i] = v;
    const grid = foldGrid(count, 256, 3);
    const out = poisoned(ctx, 'out', count);
    await runKernel(ctx, mlpKernel('tanh_forward', {}, { WG: 256 }), [uniform(ctx, { M: B, N: H, rowStride: grid.rowStride }), input(ctx, 'x', x), out], grid);
    const h = await readF32(ctx, out, count);
    // WGSL's tanh: a few float32 ulps of 1 absolute, whatever the implementation.
    expectAllClose('tanh_forward', h, tanhForwardCpu(x), { rtol: 4 * EPS32, atol: 4 * EPS32 });
    expect(h.every((v) => Math.abs(v) <= 1)).toBe(true);

    const dout = randomNormal(rng(13), count);
    const dx = poisoned(ctx, 'dx', count);
    await runKernel(ctx, mlpKernel('tanh_backward', {}, { WG: 64 }),
      [uniform(ctx, { M: B, N: H, rowStride: foldGrid(count, 64, 3).rowStride }), input(ctx, 'dout', dout), input(ctx, 'out', h), dx], foldGrid(count, 64, 3));
    const atol = Float64Array.from(dout, (d) => 4 * EPS32 * Math.abs(d));
    expectAllClose('tanh_backward', await readF32(ctx, dx, count), tanhBackwardCpu(dout, h), { rtol: 0, atol });
  });

  it('crossentropy_forward: partial sums of the rows’ NLL from the logits (minibatch rows; contiguous rows at an offset)', async () => {
    const ctx = await gpu();
    const Y = tokens(14, N, V);
    const logits = randomNormal(rng(15), B * V, 4);
    const rows = tokens(16, B, N);
    const WG = 64;
    const grid = foldGrid(B, WG, 2);
    const P = grid.x * grid.y;
    // A row's NLL log Σ exp(l − m) − (l_y − m): WGSL's exp and log (2^-21 absolute near 1, a few
    // ulps elsewhere) and V + 2 roundings of values up to |l|; then a tree of WG rows.
    const tolOf = (n: number) => Float64Array.from({ length: Math.ceil(n / WG) }, (_, g) => {
      let t = 0;
      for (let r = g * WG; r < Math.min(n, (g + 1) * WG); r++) {
        let big = 0;
        for (let v = 0; v < V; v++) big = Math.max(big, Math.abs(logits[r * V + v]));
        t += 2 ** -21 + (V + 4) * 4 * EPS32 * (1 + big);
      }
      return t;
    });
    const partials = poisoned(ctx, 'partials', P);
    await runKernel(ctx, mlpKernel('crossentropy_forward', { indexed: true }, { WG }),
      [uniform(ctx, { n: B, V, rowStride: grid.rowStride }), input(ctx, 'Y', Y), input(ctx, 'indices', rows), input(ctx, 'logits', logits), partials], grid);
    const got = await readF32(ctx, partials, P);
    const want = crossentropyForwardCpu(logits, Y, rows, V, WG);
    expectAllClose('crossentropy_forward indexed', got, want, { rtol: 0, atol: tolOf(B) });
    for (let i = want.length; i < P; i++) expect(got[i]).toBe(0); // workgroups past n add nothing

    const first = rng(17).index(N);
    const n = Math.min(B, N - first);
    const g2 = foldGrid(n, WG, 65535);
    const offset = 3;
    const out = poisoned(ctx, 'partials', offset + g2.x);
    await runKernel(ctx, mlpKernel('crossentropy_forward', { indexed: false }, { WG }),
      [uniform(ctx, { n, first, V, partial: offset, rowStride: g2.rowStride }), input(ctx, 'Y', Y), null, input(ctx, 'logits', logits), out], g2);
    const got2 = await readF32(ctx, out, offset + g2.x);
    for (let i = 0; i < offset; i++) expect(got2[i]).toBeNaN();
    expectAllClose('crossentropy_forward contiguous', got2.subarray(offset), crossentropyForwardCpu(logits, Y, rangeRows(first, n), V, WG),
      { rtol: 0, atol: tolOf(n) });

    // A non-finite logit makes its group's partial NaN, whatever the GPU's float rules.
    const broken = logits.slice();
    broken[V * (B - 1)] = NaN;
    broken[0] = Infinity;
    const out3 = poisoned(ctx, 'partials', P);
    await runKernel(ctx, mlpKernel('crossentropy_forward', { indexed: true }, { WG }),
      [uniform(ctx, { n: B, V, rowStride: grid.rowStride }), input(ctx, 'Y', Y), input(ctx, 'indices', rows), input(ctx, 'logits', broken), out3], grid);
    const got3 = await readF32(ctx, out3, P);
    const want3 = crossentropyForwardCpu(broken, Y, rows, V, WG);
    for (let g = 0; g < want3.length; g++) expect(Number.isNaN(got3[g]), `group ${g}`).toBe(Number.isNaN(want3[g]));
    expect(Number.isNaN(got3[0]) && Number.isNaN(got3[want3.length - 1])).toBe(true);
  });

  it('mlp_loss_record: the loss into the history ring, the schedule’s lr, the next step', async () => {
    const ctx = await gpu();
    const partials = randomNormal(rng(18), 5, 50).map(Math.abs);
    const schedule = { lr: 0.1, lrFinal: 0.01, decayStep: 12 };
    const H = 5;
    for (const step of [11, 12, 1000]) {
      const history = poisoned(ctx, 'history', H);
      const state = input(ctx, 'state', new Uint32Array([step, 0x7fc00000]));
      await runKernel(ctx, mlpKernel('mlp_loss_record', {}, { WG: 64 }),
        [uniform(ctx, { n: B, partials: partials.length, historyLength: H, ...schedule }), input(ctx, 'partials', partials), history, state], { x: 1, y: 1 });
      const want = mlpLossRecordCpu(partials, B, step, schedule);
      const h = await readF32(ctx, history, H);
      expectAllClose(`mlp_loss_record loss at step ${step}`, [h[step % H]], [want.loss], { rtol: 8 * EPS32, atol: 0 });
      for (let i = 0; i < H; i++) if (i !== step % H) expect(h[i]).toBeNaN();
      const s = await readU32(ctx, state, 2);
      expect(s[0]).toBe(want.nextStep);
      expect(new Float32Array(s.buffer)[1]).toBe(Math.fround(want.lr));
    }
    // A NaN partial (a diverged row) gives a NaN loss, never a finite one.
    const history = input(ctx, 'history', new Float32Array(H));
    await runKernel(ctx, mlpKernel('mlp_loss_record', {}, { WG: 64 }),
      [uniform(ctx, { n: B, partials: 3, historyLength: H, ...schedule }), input(ctx, 'partials', Float32Array.of(1, NaN, 2)), history,
        input(ctx, 'state', new Uint32Array([2, 0]))], { x: 1, y: 1 });
    expect((await readF32(ctx, history, H))[2]).toBeNaN();
    expect(mlpLossRecordCpu([1, NaN, 2], B, 2, schedule).loss).toBeNaN();
  });

  it('crossentropy_softmax_backward: (probs − one-hot) / B', async () => {
    const ctx = await gpu();
    const Y = tokens(19, N, V);
    const probs = softmaxForwardCpu(randomNormal(rng(20), B * V, 2), V);
    const rows = tokens(21, B, N);
    const grid = foldGrid(B * V, 256, 3);
    const dlogits = poisoned(ctx, 'dlogits', B * V);
    await runKernel(ctx, mlpKernel('crossentropy_softmax_backward', {}, { WG: 256 }),
      [uniform(ctx, { n: B, V, rowStride: grid.rowStride }), input(ctx, 'Y', Y), input(ctx, 'indices', rows), input(ctx, 'probs', probs), dlogits], grid);
    expectAllClose('crossentropy_softmax_backward', await readF32(ctx, dlogits, B * V), crossentropySoftmaxBackwardCpu(probs, Y, rows, V),
      { rtol: 2 * EPS32, atol: 1e-30 });
  });

  it('bias_backward: column sums in row order', async () => {
    const ctx = await gpu();
    for (const [cols, stream] of [[H, 22], [V, 23]] as const) {
      const dout = randomNormal(rng(stream), B * cols, 0.1);
      const grid = foldGrid(cols, 64, 2);
      const dbias = poisoned(ctx, 'dbias', cols);
      await runKernel(ctx, mlpKernel('bias_backward', {}, { WG: 64 }), [uniform(ctx, { M: B, N: cols, rowStride: grid.rowStride }), input(ctx, 'dout', dout), dbias], grid);
      const atol = biasBackwardCpu(abs(dout), B, cols).map((s) => B * EPS32 * s + 1e-30);
      expectAllClose(`bias_backward (${B}, ${cols})`, await readF32(ctx, dbias, cols), biasBackwardCpu(dout, B, cols), { rtol: 0, atol });
    }
  });

  it('embedding_backward: every use of a symbol adds its gradient, deterministically', async () => {
    const ctx = await gpu();
    const X = tokens(24, N * T, V);
    const rows = tokens(25, B, N); // repeated rows and symbols: B·T uses of V symbols
    const demb = randomNormal(rng(26), B * TE, 0.1);
    const grid = foldGrid(V * E, 64, 3);
    const dC = poisoned(ctx, 'dC', V * E);
    await runKernel(ctx, mlpKernel('embedding_backward', {}, { WG: 64 }),
      [uniform(ctx, { n: B, T, E, V, rowStride: grid.rowStride }), input(ctx, 'X', X), input(ctx, 'indices', rows), input(ctx, 'demb', demb), dC], grid);
    const got = await readF32(ctx, dC, V * E);
    const atol = embeddingBackwardCpu(abs(demb), X, rows, V, T, E).map((s) => B * T * EPS32 * s + 1e-30);
    expectAllClose('embedding_backward', got, embeddingBackwardCpu(demb, X, rows, V, T, E), { rtol: 0, atol });
    // Symbols no context uses get exactly 0.
    const used = new Set(Array.from(rows, (r) => Array.from(X.subarray(r * T, r * T + T))).flat());
    for (let v = 0; v < V; v++) if (!used.has(v)) for (let e = 0; e < E; e++) expect(got[v * E + e]).toBe(0);
  });

  it('mlp_sgd_update: P − lr·grad with the lr the state holds', async () => {
    const ctx = await gpu();
    const count = V * E + TE * H + H + H * V + V;
    const P = randomNormal(rng(27), count);
    const grad = randomNormal(rng(28), count, 0.05);
    const lr = Math.fround(0.01 + rng(29).uniform());
    const state = new Uint32Array(2);
    state[0] = 5;
    new Float32Array(state.buffer)[1] = lr;
    const grid = foldGrid(count, 256, 3);
    const Pb = input(ctx, 'P', P);
    await runKernel(ctx, mlpKernel('mlp_sgd_update', {}, { WG: 256 }),
      [uniform(ctx, { M: 1, N: count, rowStride: grid.rowStride }), input(ctx, 'grad', grad), Pb, input(ctx, 'state', state)], grid);
    const atol = Float64Array.from(P, (p, i) => 2 * EPS32 * (Math.abs(p) + Math.abs(lr * grad[i])));
    expectAllClose('mlp_sgd_update', await readF32(ctx, Pb, count), mlpSgdUpdateCpu(P, grad, lr), { rtol: 0, atol });
  });
});

describe('matmul', () => {
  // (M, K, N): ones, a row, a column, exact tile multiples, and none.
  const SIZES = [[1, 1, 1], [1, 300, 3], [65, 1, 17], [64, 64, 64], [37, 129, 70], [200, 33, 27]] as const;
  it.each(SIZES)('every transposition of (%i, %i)·(·, %i) at tile sizes 4, 8, 16', async (M, K, N) => {
    const ctx = await gpu();
    const A = randomNormal(rng(30 + M), M * K);
    const Bm = randomNormal(rng(31 + N), K * N);
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const want = matmulCpu(A, Bm, M, K, N, tA, tB);
        const atol = want.absSum.map((s) => (K + 1) * EPS32 * s + 1e-30);
        for (const TS of [4, 8, 16]) {
          const out = poisoned(ctx, 'out', M * N);
          await runKernel(ctx, mlpKernel('matmul', { transA: tA, transB: tB }, { TS }),
            [uniform(ctx, { M, K, N }), input(ctx, 'A', A), input(ctx, 'B', Bm), out], matmulGrid(M, N, TS));
          expectAllClose(`matmul ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} TS ${TS}`, await readF32(ctx, out, M * N), want.out, { rtol: 0, atol });
        }
      }
    }
  });

  it('sums in a fixed order: two runs are bit-identical', async () => {
    const ctx = await gpu();
    const [M, K, N] = [45, 300, 29];
    const A = randomNormal(rng(40), M * K);
    const Bm = randomNormal(rng(41), K * N);
    const runs = [];
    for (let r = 0; r < 2; r++) {
      const out = poisoned(ctx, 'out', M * N);
      await runKernel(ctx, mlpKernel('matmul', { transA: false, transB: false }, { TS: 4 }), [uniform(ctx, { M, K, N }), input(ctx, 'A', A), input(ctx, 'B', Bm), out], matmulGrid(M, N, 4));
      runs.push(new Uint32Array((await readF32(ctx, out, M * N)).buffer));
    }
    expectEqualArrays('matmul rerun', runs[1], runs[0]);
  });
});
