/**
 * ops/matmul (shaders/ops/matmul.wgsl) against its CPU twin (src/ops/matmulCpu.ts), and the twin
 * against a naive float64 triple loop. Fresh random inputs (TEST_SEED replays), awkward shapes
 * (1×1×1, sizes that are no multiple of any tile or block, one shape drawn per run), all four
 * transpose combinations, bias and accumulate on and off, every config kept (software and GPU,
 * both run here), and a small maxPerDim so that the folded grid is exercised. Outputs are
 * poisoned with NaN unless accumulating (then random old values), so an unwritten element fails.
 * A float32 sum of K products, plus the old value and the bias, is within
 * (K + 2)·ε·(Σ|a·b| + |old| + |bias|) of the exact value whatever its order.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matmulAbsSum, matmulCpu } from '../../src/ops/matmulCpu.ts';
import { matmulConfig, matmulGrid, type MatmulConfig } from '../../src/ops/matmulTiling.ts';
import { createBuffer, UNIFORM } from '../../src/gpu/kernels.ts';
import { matmulWgsl } from '../../shaders/ops/matmul.gen.ts';
import { matmulVec4 } from '../../src/ops/linear.ts';
import { EPS32, expectAllClose, gpu, input, poisoned, randomNormal, readF32, rng, runKernel, TEST_SEED } from './gpuHelpers.ts';

const TRANS = [
  { transA: false, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: false },
  { transA: true, transB: true },
];
const FLAGS = [
  { bias: false, accumulate: false },
  { bias: true, accumulate: false },
  { bias: false, accumulate: true },
  { bias: true, accumulate: true },
];

/** A fresh awkward shape per run: each dimension in [1, 70]. */
const drawn = (() => {
  const r = rng(99);
  return { M: 1 + r.index(70), K: 1 + r.index(70), N: 1 + r.index(70) };
})();
const SHAPES = [
  { M: 1, K: 1, N: 1 },
  { M: 7, K: 33, N: 97 },
  { M: 97, K: 7, N: 33 },
  { M: 33, K: 301, N: 7 },
  { M: 65, K: 17, N: 31 },
  // Multiples of 4 in M and N (not of a tile): the vec4 variants, their edges clamped in fours.
  { M: 36, K: 13, N: 44 },
  { M: 68, K: 9, N: 5 },
  drawn,
];

/** out = [old +] op(A)·op(B) [+ bias], float64, k in order, written out in the dumbest way. */
function naive(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number, transA: boolean, transB: boolean, old: ArrayLike<number> | null, bias: ArrayLike<number> | null): Float64Array {
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (transA ? a[k * M + m] : a[m * K + k]) * (transB ? b[n * K + k] : b[k * N + n]);
      if (old) s = old[m * N + n] + s;
      if (bias) s = s + bias[n];
      out[m * N + n] = s;
    }
  }
  return out;
}

interface Case {
  M: number;
  K: number;
  N: number;
  transA: boolean;
  transB: boolean;
  bias: boolean;
  accumulate: boolean;
}

/** Random inputs for a case, from a stream of its own. */
function inputs(c: Case, stream: number) {
  const r = rng(stream);
  return {
    a: randomNormal(r, c.M * c.K),
    b: randomNormal(r, c.K * c.N),
    bias: c.bias ? randomNormal(r, c.N) : null,
    old: c.accumulate ? randomNormal(r, c.M * c.N) : null,
  };
}

/** Per-element tolerance: (K + 2)·scale·(Σ|a·b| + |old| + |bias|). */
function tolerance(c: Case, x: ReturnType<typeof inputs>, scale: number): Float64Array {
  const abs = matmulAbsSum(x.a, x.b, c.M, c.K, c.N, c.transA, c.transB);
  for (let i = 0; i < abs.length; i++) {
    abs[i] += (x.old ? Math.abs(x.old[i]) : 0) + (x.bias ? Math.abs(x.bias[i % c.N]) : 0);
    abs[i] *= (c.K + 2) * scale;
  }
  return abs;
}

const label = (c: Case) => `${c.M}×${c.K}×${c.N} transA=${c.transA} transB=${c.transB} bias=${c.bias} accumulate=${c.accumulate}`;

describe('matmulCpu (the twin) against a naive triple loop', () => {
  const cases = [...SHAPES, { M: 130, K: 45, N: 66 }].flatMap((s) => TRANS.flatMap((t) => FLAGS.map((f) => ({ ...s, ...t, ...f }))));
  it.each(cases.map((c, i) => [label(c), c, i] as const))('%s', (_, c, i) => {
    const x = inputs(c, i);
    const expected = naive(x.a, x.b, c.M, c.K, c.N, c.transA, c.transB, x.old, x.bias);
    for (const out of [new Float64Array(c.M * c.N), new Float32Array(c.M * c.N)]) {
      if (x.old) out.set(x.old);
      else out.fill(NaN);
      matmulCpu(out, x.a, x.b, c.M, c.K, c.N, { transA: c.transA, transB: c.transB, accumulate: c.accumulate, bias: x.bias ?? undefined });
      // float64 out: the same order of sums, 1e-12 of the magnitude; float32: one rounding more.
      const scale = out instanceof Float64Array ? 1e-12 / (c.K + 2) : EPS32 / (c.K + 2);
      expectAllClose(`${label(c)} ${out.constructor.name}`, out, expected, { rtol: 0, atol: tolerance(c, x, scale) });
    }
  });

  it('matmulAbsSum is Σ|a·b|', () => {
    const a = [1, -2, 3, -4]; // (2, 2)
    const b = [-1, 2, 3, -5]; // (2, 2)
    expect(Array.from(matmulAbsSum(a, b, 2, 2, 2, false, false))).toEqual([1 + 6, 2 + 10, 3 + 12, 6 + 20]);
  });
});

describe('ops/matmul source', () => {
  it('is the generator output (npx tsx shaders/ops/matmul.gen.ts)', () => {
    expect(readFileSync(new URL('../../shaders/ops/matmul.wgsl', import.meta.url), 'utf8')).toBe(matmulWgsl());
  });
});

describe('matmulGrid', () => {
  const config = matmulConfig(true);
  it('folds the tiles into x and y', () => {
    const tiles = Math.ceil(100_000 / config.tileRows) * Math.ceil(200 / config.tileCols);
    const g = matmulGrid(100_000, 200, config, 65_535);
    expect(g.x).toBeLessThanOrEqual(65_535);
    expect(g.x * g.y).toBeGreaterThanOrEqual(tiles);
    expect(g.x * (g.y - 1)).toBeLessThan(tiles);
  });
  it('says so when the tiles do not fit', () => {
    expect(() => matmulGrid(1000, 1000, config, 4)).toThrow(/1024 tiles.*more than 4 per dimension/);
  });
});

describe.each([
  { name: 'software config', config: matmulConfig(true) },
  { name: 'software config, f32 loads only', config: { ...matmulConfig(true), vec4: false } },
  { name: 'GPU config', config: matmulConfig(false) },
])('ops/matmul on the GPU, $name', ({ config }: { config: MatmulConfig }) => {
  const cases = SHAPES.flatMap((s) => TRANS.flatMap((t) => FLAGS.map((f) => ({ ...s, ...t, ...f }))));

  async function check(c: Case, stream: number, maxPerDim?: number) {
    const ctx = await gpu();
    const x = inputs(c, stream);
    const grid = matmulGrid(c.M, c.N, config, maxPerDim ?? ctx.device.limits.maxComputeWorkgroupsPerDimension);
    const params = createBuffer(ctx, 'params', 16, UNIFORM, new Uint32Array([c.M, c.K, c.N, 0]));
    const out = x.old ? input(ctx, 'out', x.old) : poisoned(ctx, 'out', c.M * c.N);
    await runKernel(
      ctx,
      { stem: 'ops/matmul', defines: { ...matmulVec4(config, c), tiled: config.tiled, transA: c.transA, transB: c.transB, bias: c.bias, accumulate: c.accumulate, tanh: false, tanhGrad: false, gelu: false, geluGrad: false, aux: false, residual: false, biasGrad: false }, overrides: config.overrides, libs: [] },
      [params, input(ctx, 'a', x.a), input(ctx, 'b', x.b), x.bias ? input(ctx, 'bias', x.bias) : null, out],
      grid,
    );
    const got = await readF32(ctx, out, c.M * c.N);
    const expected = new Float64Array(c.M * c.N);
    if (x.old) expected.set(x.old);
    matmulCpu(expected, x.a, x.b, c.M, c.K, c.N, { transA: c.transA, transB: c.transB, accumulate: c.accumulate, bias: x.bias ?? undefined });
    expectAllClose(`${label(c)} grid ${grid.x}×${grid.y} (seed ${TEST_SEED})`, got, expected, { rtol: 0, atol: tolerance(c, x, EPS32) });
  }

  it.each(cases.map((c, i) => [label(c), c, i] as const))('%s', async (_, c, i) => {
    await check(c, 1000 + i);
  });

  // Shapes of a few tiles each, with maxPerDim below the tile count: x·y > tiles, the spare
  // workgroups of the last row must exit.
  it.each(TRANS.map((t) => [`${t.transA}/${t.transB}`, t] as const))('a grid folded into 2-D, transA/transB %s', async (_, t) => {
    const { tileRows: tr, tileCols: tc } = config;
    await check({ M: 2 * tr + 5, K: 9, N: 2 * tc + 3, ...t, bias: true, accumulate: false }, 5000, 4); // 9 tiles on 4×3
    await check({ M: tr + 1, K: 5, N: 3 * tc - 1, ...t, bias: false, accumulate: true }, 5001, 5); // 6 tiles on 5×2
  });

  it('many rows: 70,000 × 3 · 3 × 5', async () => {
    await check({ M: 70_000, K: 3, N: 5, transA: false, transB: false, bias: true, accumulate: false }, 6000);
  });
});
