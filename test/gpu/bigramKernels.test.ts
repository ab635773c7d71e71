/**
 * Every bigram kernel against its CPU twin, on fresh random inputs of awkward sizes (V from 2
 * to 300, N not a multiple of any workgroup size, N = 1), outputs poisoned with NaN first.
 * Tolerances: float32 rounding (relative 1e-5); integer outputs must be identical.
 */
import { describe, expect, it } from 'vitest';
import { bigramCountsCpu } from '../../src/models/bigramCounts.ts';
import {
  bigramCountsLossAndGrad, bigramStepFusedCpu, chunkRecords, chunkTableCpu, lossFinalizeCpu, maxChunks, nllForwardCpu, onehotMatmulBackwardCpu,
  onehotMatmulCpu, pairX, pairY, sgdUpdateFromPartialsCpu, softmaxForwardCpu, softmaxNllBackwardCpu, sortBatchCpu, sortPairsByX,
} from '../../src/models/bigramOps.ts';
import { bigramNetLossAndGrad, sgdUpdateCpu } from '../../src/models/bigramNet.ts';
import { batchIndicesCpu } from '../../src/train/cpuTrainer.ts';
import { fusedColumns, paramsBuffer, type BigramParams } from '../../src/gpu/bigramTrainer.ts';
import { createBuffer, foldGrid } from '../../src/gpu/kernels.ts';
import { VEC4_MAX_VOCAB } from '../../shaders/bigram_step_fused_vec4.wgsl.ts';
import {
  EPS32, expectAllClose, expectEqualArrays, gpu, input, poisoned, randomNormal, randomPairs, readF32, readU32, rng, runKernel,
} from './gpuHelpers.ts';

const SHAPES = [
  { V: 2, N: 1 },
  { V: 27, N: 1237 },
  { V: 97, N: 3001 },
  { V: 300, N: 517 },
];

const BASE: BigramParams = { n: 0, total: 0, chunkSize: 1, historyLength: 1, lr: 0, reg: 0, seed: 0, rowStride: 0, maxChunks: 0 };

/** Logits of scale 2: softmax inputs spread over ±10 or so, as trained weights are. */
const SCALE = 2;

describe.each(SHAPES)('bigram kernels, V=$V N=$N', ({ V, N }) => {
  const defines = { V, cols: 0, update: true };

  it('bigram_counts equals the CPU table exactly', async () => {
    const ctx = await gpu();
    const pairs = randomPairs(rng(1), N, V);
    const xs = pairs.map(pairX);
    const ys = pairs.map(pairY);
    const WG = 64;
    // A tiny per-dimension limit forces the 2-D fold that large data needs.
    const grid = foldGrid(N, WG, 3);
    const counts = createBuffer(ctx, 'counts', 4 * V * V, 0x80 | 0x4 | 0x8, new Uint32Array(V * V));
    const params = paramsBuffer(ctx, 'p', { ...BASE, n: N, rowStride: grid.rowStride });
    await runKernel(ctx, { stem: 'bigram_counts', defines, overrides: { WG } }, [params, input(ctx, 'pairs', pairs), counts], grid);
    const gpuCounts = await readU32(ctx, counts, V * V);
    expectEqualArrays('bigram_counts', gpuCounts, bigramCountsCpu(xs, ys, V));
    expect(gpuCounts.reduce((a, b) => a + b, 0)).toBe(N);
  });

  it('onehot_matmul gathers rows of W exactly', async () => {
    const ctx = await gpu();
    const pairs = randomPairs(rng(2), N, V);
    const W = randomNormal(rng(3), V * V, SCALE);
    const grid = foldGrid(N * V, 256, 5);
    const logits = poisoned(ctx, 'logits', N * V);
    await runKernel(ctx, { stem: 'onehot_matmul', defines, overrides: { WG: 256 } },
      [paramsBuffer(ctx, 'p', { ...BASE, n: N, rowStride: grid.rowStride }), input(ctx, 'pairs', pairs), input(ctx, 'W', W), logits], grid);
    expectEqualArrays('onehot_matmul', await readF32(ctx, logits, N * V), onehotMatmulCpu(W, pairs, V));
  });

  it('softmax_forward matches the CPU to float32 rounding', async () => {
    const ctx = await gpu();
    const logits = randomNormal(rng(4), N * V, SCALE);
    const grid = foldGrid(N, 64, 65535);
    const probs = poisoned(ctx, 'probs', N * V);
    await runKernel(ctx, { stem: 'softmax_forward', defines, overrides: { WG: 64 } },
      [paramsBuffer(ctx, 'p', { ...BASE, n: N, rowStride: grid.rowStride }), input(ctx, 'logits', logits), probs], grid);
    const got = await readF32(ctx, probs, N * V);
    expectAllClose('softmax_forward', got, softmaxForwardCpu(logits, V), { rtol: 1e-5, atol: 1e-30 });
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let j = 0; j < V; j++) s += got[n * V + j];
      expect(Math.abs(s - 1)).toBeLessThan(V * 4 * EPS32);
    }
  });

  it('nll_forward and loss_finalize: partial sums and the loss', async () => {
    const ctx = await gpu();
    const pairs = randomPairs(rng(5), N, V);
    const probs = softmaxForwardCpu(randomNormal(rng(6), N * V, SCALE), V);
    const WG = 64;
    const grid = foldGrid(N, WG, 4);
    const P = grid.x * grid.y;
    const partials = poisoned(ctx, 'partials', P);
    await runKernel(ctx, { stem: 'nll_forward', defines, overrides: { WG } },
      [paramsBuffer(ctx, 'p', { ...BASE, n: N, rowStride: grid.rowStride }), input(ctx, 'pairs', pairs), input(ctx, 'probs', probs), partials], grid);
    const want = nllForwardCpu(probs, pairs, V, WG);
    const got = await readF32(ctx, partials, P);
    // WGSL's log is exact to 2^-21 absolute near 1, 3 ulp elsewhere.
    expectAllClose('nll_forward', got, want, { rtol: 1e-5, atol: WG * 2 ** -21 });
    for (let i = want.length; i < P; i++) expect(got[i]).toBe(0); // workgroups past N add nothing

    const W = randomNormal(rng(7), V * V);
    const reg = 0.01 + rng(8).uniform();
    const history = poisoned(ctx, 'history', 3);
    const state = input(ctx, 'state', new Uint32Array([4])); // step 4 → history[4 % 3]
    await runKernel(ctx, { stem: 'loss_finalize', defines, overrides: { WG: 256 } },
      [paramsBuffer(ctx, 'p', { ...BASE, n: N, reg, historyLength: 3 }), input(ctx, 'partials', got.subarray(0, P)), input(ctx, 'W', W), history, state], { x: 1, y: 1 });
    const loss = (await readF32(ctx, history, 3))[1];
    expectAllClose('loss_finalize', [loss], [lossFinalizeCpu(got, W, N, reg)], { rtol: 1e-5, atol: 0 });
  });

  it('softmax_nll_backward: (probs − one-hot) / n', async () => {
    const ctx = await gpu();
    const pairs = randomPairs(rng(9), N, V);
    const probs = softmaxForwardCpu(randomNormal(rng(10), N * V, SCALE), V);
    const grid = foldGrid(N * V, 256, 65535);
    const dlogits = poisoned(ctx, 'dlogits', N * V);
    await runKernel(ctx, { stem: 'softmax_nll_backward', defines, overrides: { WG: 256 } },
      [paramsBuffer(ctx, 'p', { ...BASE, n: N, rowStride: grid.rowStride }), input(ctx, 'pairs', pairs), input(ctx, 'probs', probs), dlogits], grid);
    expectAllClose('softmax_nll_backward', await readF32(ctx, dlogits, N * V), softmaxNllBackwardCpu(probs, pairs, V), { rtol: 1e-5, atol: 1e-30 });
  });

  it('onehot_matmul_backward and sgd_update: chunked dW and the update', async () => {
    const ctx = await gpu();
    const C = 37; // chunks not aligned with anything
    const pairs = sortPairsByX(randomPairs(rng(11), N, V), V);
    const chunks = chunkTableCpu(pairs, V, C);
    const numChunks = chunks[0];
    const dlogits = softmaxNllBackwardCpu(softmaxForwardCpu(randomNormal(rng(12), N * V, SCALE), V), pairs, V);
    const partials = poisoned(ctx, 'partials', numChunks * V);
    await runKernel(ctx, { stem: 'onehot_matmul_backward', defines, overrides: { WG: 64 } },
      [null, input(ctx, 'chunks', chunks), input(ctx, 'dlogits', dlogits), partials], foldGrid(numChunks, 1, 7));
    const got = await readF32(ctx, partials, numChunks * V);
    // A partial adds at most C terms each below 1/N in size.
    expectAllClose('onehot_matmul_backward', got, onehotMatmulBackwardCpu(dlogits, chunks, V), { rtol: 1e-5, atol: (C * 1e-6) / N });

    const W = randomNormal(rng(13), V * V);
    const lr = 0.5 + rng(14).uniform() * 50;
    const reg = rng(15).uniform();
    const Wbuf = input(ctx, 'W', W);
    const state = input(ctx, 'state', new Uint32Array([7]));
    const weightGrid = foldGrid(V * V, 256, 2); // folded whenever V² > 512
    await runKernel(ctx, { stem: 'sgd_update', defines, overrides: { WG: 256 } },
      [paramsBuffer(ctx, 'p', { ...BASE, lr, reg, rowStride: weightGrid.rowStride }), input(ctx, 'chunks', chunks), input(ctx, 'partials', got), Wbuf, state], weightGrid);
    const want = Float64Array.from(W);
    sgdUpdateFromPartialsCpu(want, got, chunks, V, lr, reg);
    // W − lr·g: the product's rounding is relative to lr·|g|, which can exceed |W|.
    const atol = Float64Array.from(want, (w, i) => 4 * EPS32 * (Math.abs(W[i]) + Math.abs(W[i] - w)));
    expectAllClose('sgd_update', await readF32(ctx, Wbuf, V * V), want, { rtol: 1e-6, atol });
    expect((await readU32(ctx, state, 1))[0]).toBe(8);
  });

  // Every version of the fused kernel, at several workgroup sizes; the vec4 one takes V ≤ 64.
  const fusedVersions = [
    ...[32, 64].map((WG) => ({ stem: 'bigram_step_fused', WG, cols: [0, 5] })),
    ...(V <= VEC4_MAX_VOCAB ? [32, 64].map((WG) => ({ stem: 'bigram_step_fused_vec4', WG, cols: [0] })) : []),
  ];
  it.each(fusedVersions)('$stem (WG $WG) matches its CPU twin', async ({ stem, WG, cols: colsList }) => {
    const ctx = await gpu();
    const C = 100;
    const pairs = sortPairsByX(randomPairs(rng(16), N, V), V);
    const chunks = chunkTableCpu(pairs, V, C);
    const numChunks = chunks[0];
    // Logits far past exp's range (≈ 88) as well: only a stable softmax survives them.
    const Ws = [randomNormal(rng(17), V * V, SCALE), randomNormal(rng(17), V * V, SCALE).map((w) => w + 300)];
    const R = chunkRecords(V);
    // Each partial adds at most C terms of size ≤ 1, so its rounding is bounded by C·ε per term.
    const atol = new Float64Array(numChunks * V);
    for (let c = 0; c < numChunks; c++) atol.fill(1e-6 * (chunks[R + 2 * c + 1] - chunks[R + 2 * c]), c * V, c * V + V);
    // Few columns per reduction round as well as all at once (0: as many as fit).
    for (const [cols, W] of colsList.flatMap((c) => Ws.map((W) => [c, W] as const))) {
      const want = bigramStepFusedCpu(W, pairs, chunks, V);
      const partials = poisoned(ctx, 'partials', numChunks * V);
      const nllPartials = poisoned(ctx, 'nllPartials', numChunks);
      const c = cols || fusedColumns(V, WG, ctx.device.limits.maxComputeWorkgroupStorageSize);
      await runKernel(ctx, { stem, defines: { ...defines, cols: c }, overrides: { WG } },
        [null, input(ctx, 'chunks', chunks), input(ctx, 'pairs', pairs), input(ctx, 'W', W), partials, nllPartials], foldGrid(numChunks, 1, 65535));
      expectAllClose(`${stem} partials (cols ${c})`, await readF32(ctx, partials, numChunks * V), want.partials, { rtol: 1e-5, atol });
      // The NLL partial is a difference of sums of C log-sum-exps and C target logits, each
      // of size up to |W|max: its rounding is relative to that, not to the (small) result.
      const big = W.reduce((a, w) => Math.max(a, Math.abs(w)), 0) + Math.log(V);
      expectAllClose(`${stem} nll (cols ${c})`, await readF32(ctx, nllPartials, numChunks), want.nllPartials, { rtol: 1e-5, atol: 4 * C * big * EPS32 });
    }
  });

  it('bigram_update_fused: the loss and the update of one step equal the CPU step', async () => {
    const ctx = await gpu();
    const pairs = sortPairsByX(randomPairs(rng(18), N, V), V);
    const chunks = chunkTableCpu(pairs, V, 64);
    const W = randomNormal(rng(19), V * V, SCALE);
    const { partials, nllPartials } = bigramStepFusedCpu(W, pairs, chunks, V);
    const lr = 1 + rng(20).uniform() * 20;
    const reg = 0.01;
    const H = 5;
    const Wbuf = input(ctx, 'W', W);
    const history = poisoned(ctx, 'history', H);
    const state = input(ctx, 'state', new Uint32Array([11]));
    await runKernel(ctx, { stem: 'bigram_update_fused', defines, overrides: { WG: 256 } },
      [paramsBuffer(ctx, 'p', { ...BASE, n: N, lr, reg, historyLength: H }), input(ctx, 'chunks', chunks), input(ctx, 'partials', Float32Array.from(partials)),
        input(ctx, 'nll', Float32Array.from(nllPartials)), Wbuf, history, state], { x: 1, y: 1 });

    const grad = new Float64Array(V * V);
    const xs = pairs.map(pairX);
    const ys = pairs.map(pairY);
    const { loss } = bigramNetLossAndGrad(W, V, xs, ys, null, reg, grad);
    const want = Float64Array.from(W);
    sgdUpdateCpu(want, grad, lr);
    expectAllClose('bigram_update_fused loss', [(await readF32(ctx, history, H))[11 % H]], [loss], { rtol: 1e-5, atol: 0 });
    const atol = Float64Array.from(want, (w, i) => 1e-5 * (Math.abs(W[i]) + Math.abs(W[i] - w)));
    expectAllClose('bigram_update_fused W', await readF32(ctx, Wbuf, V * V), want, { rtol: 1e-5, atol });
    expect((await readU32(ctx, state, 1))[0]).toBe(12);
  });

  it('bigram_step_counts: the step from the count table equals its CPU twin', async () => {
    const ctx = await gpu();
    const pairs = randomPairs(rng(24), N, V);
    const counts = bigramCountsCpu(pairs.map(pairX), pairs.map(pairY), V);
    const W = randomNormal(rng(25), V * V, SCALE);
    const lr = 1 + rng(26).uniform() * 20;
    const reg = 0.01;
    const H = 3;
    const Wbuf = input(ctx, 'W', W);
    const history = poisoned(ctx, 'history', H);
    const state = input(ctx, 'state', new Uint32Array([5]));
    await runKernel(ctx, { stem: 'bigram_step_counts', defines, overrides: { WG: 256 } },
      [paramsBuffer(ctx, 'p', { ...BASE, n: N, lr, reg, historyLength: H }), input(ctx, 'counts', counts), Wbuf, history, state], { x: 1, y: 1 });
    const grad = new Float64Array(V * V);
    const { loss } = bigramCountsLossAndGrad(W, counts, V, reg, grad);
    const want = Float64Array.from(W);
    sgdUpdateCpu(want, grad, lr);
    // The row loss n_x·log s − Σ c·(w − m) sums N terms of size up to |W|max + log V.
    const big = W.reduce((a, w) => Math.max(a, Math.abs(w)), 0) + Math.log(V);
    expectAllClose('bigram_step_counts loss', [(await readF32(ctx, history, H))[5 % H]], [loss], { rtol: 1e-5, atol: 4 * V * big * EPS32 });
    const atol = Float64Array.from(want, (w, i) => 1e-5 * (Math.abs(W[i]) + Math.abs(W[i] - w)));
    expectAllClose('bigram_step_counts W', await readF32(ctx, Wbuf, V * V), want, { rtol: 1e-5, atol });
    expect((await readU32(ctx, state, 1))[0]).toBe(6);
  });

  it.each([NaN, Infinity])('a weight of %s makes every recorded loss NaN, whatever the compiler assumes', async (bad) => {
    const ctx = await gpu();
    const pairs = sortPairsByX(randomPairs(rng(27), N, V), V);
    const chunks = chunkTableCpu(pairs, V, 64);
    const W = randomNormal(rng(28), V * V);
    W[rng(29).index(V * V)] = bad;
    const counts = bigramCountsCpu(pairs.map(pairX), pairs.map(pairY), V);
    const p = paramsBuffer(ctx, 'p', { ...BASE, n: N, lr: 1, reg: 0.01, historyLength: 1 });
    const state = () => input(ctx, 'state', new Uint32Array([0]));
    const runs: [string, (h: GPUBuffer) => (GPUBuffer | null)[]][] = [
      ['loss_finalize', (h) => [p, input(ctx, 'partials', new Float32Array([1, 2])), input(ctx, 'W', W), h, state()]],
      ['bigram_update_fused', (h) => [p, input(ctx, 'chunks', chunks), input(ctx, 'partials', new Float32Array(chunks[0] * V)),
        input(ctx, 'nll', new Float32Array(chunks[0]).fill(1)), input(ctx, 'W', W), h, state()]],
      ['bigram_step_counts', (h) => [p, input(ctx, 'counts', counts), input(ctx, 'W', W), h, state()]],
    ];
    for (const [stem, buffers] of runs) {
      const history = input(ctx, 'history', new Float32Array([7]));
      await runKernel(ctx, { stem, defines, overrides: { WG: 256 } }, buffers(history), { x: 1, y: 1 });
      expect((await readF32(ctx, history, 1))[0], stem).toBeNaN();
    }
  });

  it('batch_sort draws the CPU minibatch indices, sorted by x with their chunk table', async () => {
    const ctx = await gpu();
    const data = randomPairs(rng(21), N, V);
    for (const B of [1, 255, 1000]) {
      const C = 64;
      const cap = maxChunks(B, V, C);
      const seed = Math.floor(rng(22 + B).uniform() * 2 ** 40); // high seed bits in use
      const step = 3 + rng(23 + B).index(1 << 30); // positions step·B past 2^32
      const indices = poisoned(ctx, 'indices', B);
      const batchPairs = poisoned(ctx, 'batchPairs', B);
      const chunks = poisoned(ctx, 'chunks', V + 2 + 2 * cap);
      await runKernel(ctx, { stem: 'batch_sort', defines, overrides: { WG: 256 } },
        [paramsBuffer(ctx, 'p', { ...BASE, n: B, total: N, chunkSize: C, seed, maxChunks: cap }), input(ctx, 'pairs', data), indices, batchPairs, chunks,
          input(ctx, 'state', new Uint32Array([step]))], { x: 1, y: 1 });
      const wantIdx = batchIndicesCpu(seed, step, B, N);
      expectEqualArrays(`batch_sort indices B=${B}`, await readU32(ctx, indices, B), wantIdx);
      const want = sortBatchCpu(data, wantIdx, V, C);
      expectEqualArrays(`batch_sort pairs B=${B}`, await readU32(ctx, batchPairs, B), want.batchPairs);
      const table = await readU32(ctx, chunks, V + 2 + 2 * want.chunks[0]);
      expectEqualArrays(`batch_sort chunks B=${B}`, table, want.chunks.subarray(0, V + 2 + 2 * want.chunks[0]));
    }
  });
});
