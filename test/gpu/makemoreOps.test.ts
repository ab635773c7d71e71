/**
 * window_embedding's kernels (makemore's mlp and bigram) against their CPU twins, on fresh
 * random inputs of awkward sizes (not multiples of the workgroup), outputs poisoned with NaN
 * first, at two workgroup sizes, with grids folded into 2-D, minibatch and contiguous rows;
 * the gradient accumulated. Tolerances from float32 arithmetic: the forward is a copy (exact),
 * each gradient element a sum of its K terms within (K + 1)·ε·(Σ|terms| + |old|).
 */
import { describe, it } from 'vitest';
import { OpEncoder } from '../../src/ops/kernel.ts';
import { windowEmbeddingBackwardCpu, windowEmbeddingBackwardDispatch, windowEmbeddingForwardCpu, windowEmbeddingForwardDispatch } from '../../src/ops/windowEmbedding.ts';
import { EPS32, expectAllClose, gpu, input, poisoned, randomNormal, readF32, rng, runDispatches } from './gpuHelpers.ts';

/** B rows, T positions, W window, E dimensions, R table rows. */
const SHAPES = [
  { B: 1, T: 1, W: 1, E: 1, R: 2 },
  { B: 5, T: 7, W: 3, E: 13, R: 6 },
  { B: 3, T: 4, W: 9, E: 5, R: 4 }, // a window longer than the sequence
  { B: 7, T: 9, W: 1, E: 27, R: 27 }, // the bigram's lookup
  { B: 33, T: 16, W: 16, E: 64, R: 28 }, // makemore's mlp, a batch of 33
];

describe.each(SHAPES)('window_embedding, B=$B T=$T W=$W E=$E R=$R', ({ B, T, W, E, R }) => {
  it('window_embedding_forward (a copy) and window_embedding_backward (accumulated), minibatch and contiguous rows, two workgroup sizes', async () => {
    const ctx = await gpu();
    const encs = [new OpEncoder(ctx), new OpEncoder(ctx, 3)];
    const N = B + 3; // examples of the split
    const blank = R - 1;
    const r = rng(80);
    const tokens = Uint32Array.from({ length: N * T }, () => r.index(W > 1 ? R - 1 : R));
    const table = randomNormal(rng(81), R * E);
    const dout = randomNormal(rng(82), B * T * W * E);
    const old = randomNormal(rng(83), R * E);
    const minibatch = Uint32Array.from({ length: B }, () => r.index(N));
    const contiguous = Uint32Array.from({ length: B }, (_, i) => 2 + i);
    const s = { T, W, E, blank };
    const size = B * T * W * E;
    for (const enc of encs) {
      for (const WG of [64, 256]) {
        for (const [label, rows] of [['minibatch', minibatch], ['contiguous', contiguous]] as const) {
          const data = { tokens: input(ctx, 'tokens', tokens), indices: label === 'minibatch' ? input(ctx, 'indices', rows) : null, first: 2 };
          const env = { enc, data } as never;
          const out = poisoned(ctx, 'out', size);
          const dtable = input(ctx, 'dtable', old);
          const d = { ...s, n: B, R, WG };
          await runDispatches(ctx, [
            await windowEmbeddingForwardDispatch(env, { ...d, table: input(ctx, 'table', table), out }),
            await windowEmbeddingBackwardDispatch(env, { ...d, dout: input(ctx, 'dout', dout), dtable }),
          ]);
          const want = new Float64Array(size);
          windowEmbeddingForwardCpu(want, table, tokens, rows, s);
          expectAllClose(`window_embedding_forward ${label} WG ${WG}`, await readF32(ctx, out, size), want, { rtol: 0, atol: 0 });
          const wantGrad = Float64Array.from(old);
          windowEmbeddingBackwardCpu(wantGrad, dout, tokens, rows, s, R);
          const [terms, mass] = [new Float64Array(R * E), new Float64Array(R * E)];
          windowEmbeddingBackwardCpu(terms, new Float64Array(size).fill(1), tokens, rows, s, R);
          windowEmbeddingBackwardCpu(mass, Float64Array.from(dout, Math.abs), tokens, rows, s, R);
          const atol = terms.map((k, i) => (k + 1) * EPS32 * (mass[i] + Math.abs(old[i])));
          expectAllClose(`window_embedding_backward ${label} WG ${WG}`, await readF32(ctx, dtable, R * E), wantGrad, { rtol: 0, atol });
        }
      }
    }
  }, 60_000);
});
