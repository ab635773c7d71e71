/**
 * The kernels of makemore's rnn, gru and bow (sigmoid, mul, lerp, concat, step_embedding,
 * stack, broadcast, causal_mean) against their CPU twins (src/ops/), on fresh random inputs of
 * awkward sizes (not multiples of the workgroup), outputs poisoned with NaN first, at two
 * workgroup sizes and with grids folded into 2-D; gradients written and accumulated.
 * Tolerances from float32 arithmetic: a copy is exact, a sum of K terms within K·ε·Σ|terms|.
 */
import { describe, it } from 'vitest';
import { biasBackwardDispatch } from '../../src/ops/bias.ts';
import { broadcastBackwardCpu, broadcastForwardCpu, broadcastForwardDispatch } from '../../src/ops/broadcast.ts';
import { causalMeanBackwardCpu, causalMeanBackwardDispatch, causalMeanForwardCpu, causalMeanForwardDispatch } from '../../src/ops/causalMean.ts';
import { concatBackwardCpu, concatBackwardDispatch, concatForwardCpu, concatForwardDispatch } from '../../src/ops/concat.ts';
import { elementwiseDispatch } from '../../src/ops/elementwise.ts';
import { OpEncoder } from '../../src/ops/kernel.ts';
import { lerpBackwardCpu, lerpBackwardKernel, lerpForwardCpu, lerpForwardKernel } from '../../src/ops/lerp.ts';
import { mulBackwardCpu, mulBackwardKernel, mulForwardCpu, mulForwardKernel } from '../../src/ops/mul.ts';
import { sigmoidBackwardCpu, sigmoidBackwardKernel, sigmoidForwardCpu, sigmoidForwardKernel } from '../../src/ops/sigmoid.ts';
import { stackBackwardCpu, stackBackwardDispatch, stackForwardCpu, stackForwardDispatch } from '../../src/ops/stack.ts';
import { stepEmbeddingBackwardCpu, stepEmbeddingBackwardDispatch, stepEmbeddingForwardCpu, stepEmbeddingForwardDispatch } from '../../src/ops/stepEmbedding.ts';
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
const WGS = [64, 256];
const exact = { rtol: 0, atol: 0 };

describe.each([1, 299, 1031])('elementwise kernels of the GRU, %i elements', (count) => {
  it('sigmoid_forward (saturated inputs included) and sigmoid_backward, written and accumulated', async () => {
    const { ctx, encs } = await encoders();
    const x = randomNormal(rng(1), count, 4);
    for (const [i, v] of [[0, 90], [1, -90], [2, 0]] as const) if (i < count) x[i] = v;
    const [dout, old] = [randomNormal(rng(2), count), randomNormal(rng(3), count)];
    const want = new Float64Array(count);
    sigmoidForwardCpu(want, x);
    const out32 = Float32Array.from(want);
    for (const enc of encs) {
      for (const WG of WGS) {
        const out = poisoned(ctx, 'out', count);
        await runDispatches(ctx, [await elementwiseDispatch(enc, sigmoidForwardKernel, count, { x: input(ctx, 'x', x), out }, { WG })]);
        // exp within 3 + 2·|x| ulps (Vulkan's bound for exp), one addition, one division.
        const atol = Float64Array.from(want, (w, i) => (6 + 2 * Math.abs(x[i])) * EPS32 * w + 1e-30);
        expectAllClose(`sigmoid_forward WG ${WG}`, await readF32(ctx, out, count), want, { rtol: 0, atol });
        for (const accumulate of [false, true]) {
          const dx = accumulate ? input(ctx, 'dx', old) : poisoned(ctx, 'dx', count);
          await runDispatches(ctx, [await elementwiseDispatch(enc, sigmoidBackwardKernel, count, { dout: input(ctx, 'dout', dout), out: input(ctx, 'o', out32), dx }, { WG, defines: { accumulate } })]);
          const wantDx = accumulate ? Float64Array.from(old) : new Float64Array(count);
          sigmoidBackwardCpu(wantDx, dout, out32);
          const atol = Float64Array.from(dout, (d, i) => 4 * EPS32 * Math.abs(d * out32[i]) + (accumulate ? EPS32 * (Math.abs(old[i]) + Math.abs(d)) : 0) + 1e-30);
          expectAllClose(`sigmoid_backward acc ${accumulate}`, await readF32(ctx, dx, count), wantDx, { rtol: 0, atol });
        }
      }
    }
  });

  it('mul_forward and mul_backward, written and accumulated', async () => {
    const { ctx, encs } = await encoders();
    const [a, b, dout, oldA, oldB] = [1, 2, 3, 4, 5].map((s) => randomNormal(rng(10 + s), count));
    const want = new Float64Array(count);
    mulForwardCpu(want, a, b);
    for (const enc of encs) {
      for (const WG of WGS) {
        const out = poisoned(ctx, 'out', count);
        const [ab, bb] = [input(ctx, 'a', a), input(ctx, 'b', b)];
        await runDispatches(ctx, [await elementwiseDispatch(enc, mulForwardKernel, count, { a: ab, b: bb, out }, { WG })]);
        expectAllClose(`mul_forward WG ${WG}`, await readF32(ctx, out, count), want, { rtol: EPS32, atol: 0 });
        for (const accumulate of [false, true]) {
          const da = accumulate ? input(ctx, 'da', oldA) : poisoned(ctx, 'da', count);
          const db = accumulate ? poisoned(ctx, 'db', count) : input(ctx, 'db', oldB);
          await runDispatches(ctx, [await elementwiseDispatch(enc, mulBackwardKernel, count, { dout: input(ctx, 'dout', dout), a: ab, b: bb, da, db }, {
            WG, defines: { accumulateA: accumulate, accumulateB: !accumulate },
          })]);
          const wantA = accumulate ? Float64Array.from(oldA) : new Float64Array(count);
          const wantB = accumulate ? new Float64Array(count) : Float64Array.from(oldB);
          mulBackwardCpu(wantA, wantB, dout, a, b);
          const tol = (old: Float32Array, other: Float32Array, acc: boolean) => Float64Array.from(dout, (d, i) => 2 * EPS32 * (Math.abs(d * other[i]) + (acc ? Math.abs(old[i]) : 0)));
          expectAllClose(`mul da acc ${accumulate}`, await readF32(ctx, da, count), wantA, { rtol: 0, atol: tol(oldA, b, accumulate) });
          expectAllClose(`mul db acc ${!accumulate}`, await readF32(ctx, db, count), wantB, { rtol: 0, atol: tol(oldB, a, !accumulate) });
        }
      }
    }
  });

  it('lerp_forward and lerp_backward, written and accumulated', async () => {
    const { ctx, encs } = await encoders();
    const [a, b, dout, old] = [1, 2, 3, 4].map((s) => randomNormal(rng(20 + s), count));
    const z = Float32Array.from(randomNormal(rng(25), count), (v) => 1 / (1 + Math.exp(-v))); // a gate in (0, 1)
    const want = new Float64Array(count);
    lerpForwardCpu(want, a, b, z);
    const scale = Float64Array.from(a, (v, i) => Math.abs(v) + Math.abs(b[i]));
    for (const enc of encs) {
      for (const WG of WGS) {
        const out = poisoned(ctx, 'out', count);
        const [ab, bb, zb] = [input(ctx, 'a', a), input(ctx, 'b', b), input(ctx, 'z', z)];
        await runDispatches(ctx, [await elementwiseDispatch(enc, lerpForwardKernel, count, { a: ab, b: bb, z: zb, out }, { WG })]);
        expectAllClose(`lerp_forward WG ${WG}`, await readF32(ctx, out, count), want, { rtol: 0, atol: scale.map((s) => 4 * EPS32 * s) });
        for (const accumulate of [false, true]) {
          const grads = ['da', 'db', 'dz'].map((l) => (accumulate ? input(ctx, l, old) : poisoned(ctx, l, count)));
          await runDispatches(ctx, [await elementwiseDispatch(enc, lerpBackwardKernel, count, { dout: input(ctx, 'dout', dout), a: ab, b: bb, z: zb, da: grads[0], db: grads[1], dz: grads[2] }, {
            WG, defines: { accumulateA: accumulate, accumulateB: accumulate, accumulateZ: accumulate },
          })]);
          const wants = [0, 1, 2].map(() => (accumulate ? Float64Array.from(old) : new Float64Array(count)));
          lerpBackwardCpu(wants[0], wants[1], wants[2], dout, a, b, z);
          const atol = Float64Array.from(dout, (d, i) => 4 * EPS32 * (Math.abs(d) * (scale[i] + 1) + (accumulate ? Math.abs(old[i]) : 0)));
          for (const [k, name] of ['da', 'db', 'dz'].entries()) expectAllClose(`lerp ${name} acc ${accumulate}`, await readF32(ctx, grads[k], count), wants[k], { rtol: 0, atol });
        }
      }
    }
  });
});

/** B rows (sequences), T positions, C and K widths: none a multiple of a workgroup. */
const SHAPES = [
  { B: 1, T: 1, C: 1, K: 1 },
  { B: 5, T: 7, C: 13, K: 3 },
  { B: 33, T: 16, C: 64, K: 64 }, // makemore's widths, a batch of 33
];

describe.each(SHAPES)('sequence kernels, B=$B T=$T C=$C K=$K', ({ B, T, C, K }) => {
  it('concat_forward (a copy) and concat_backward, each side written or accumulated', async () => {
    const { ctx, encs } = await encoders();
    const [a, b, dout] = [randomNormal(rng(30), B * C), randomNormal(rng(31), B * K), randomNormal(rng(32), B * (C + K))];
    const [oldA, oldB] = [randomNormal(rng(33), B * C), randomNormal(rng(34), B * K)];
    const want = new Float64Array(B * (C + K));
    concatForwardCpu(want, a, b, B, C, K);
    for (const enc of encs) {
      for (const WG of WGS) {
        const out = poisoned(ctx, 'out', B * (C + K));
        await runDispatches(ctx, [await concatForwardDispatch(enc, { n: B, Ka: C, Kb: K, a: input(ctx, 'a', a), b: input(ctx, 'b', b), out, WG })]);
        expectAllClose(`concat_forward WG ${WG}`, await readF32(ctx, out, B * (C + K)), want, exact);
        for (const accumulate of [false, true]) {
          const da = accumulate ? input(ctx, 'da', oldA) : poisoned(ctx, 'da', B * C);
          const db = accumulate ? poisoned(ctx, 'db', B * K) : input(ctx, 'db', oldB);
          await runDispatches(ctx, [await concatBackwardDispatch(enc, { n: B, Ka: C, Kb: K, dout: input(ctx, 'dout', dout), da, db, accumulateA: accumulate, accumulateB: !accumulate, WG })]);
          const wantA = accumulate ? Float64Array.from(oldA) : new Float64Array(B * C);
          const wantB = accumulate ? new Float64Array(B * K) : Float64Array.from(oldB);
          concatBackwardCpu(wantA, wantB, dout, B, C, K);
          // Written: a copy; accumulated: one addition.
          expectAllClose(`concat da acc ${accumulate}`, await readF32(ctx, da, B * C), wantA, { rtol: accumulate ? EPS32 : 0, atol: 0 });
          expectAllClose(`concat db acc ${!accumulate}`, await readF32(ctx, db, B * K), wantB, { rtol: accumulate ? 0 : EPS32, atol: 0 });
        }
      }
    }
  });

  it('stack_forward (every step into its rows) and stack_backward, written and accumulated', async () => {
    const { ctx, encs } = await encoders();
    const steps = Array.from({ length: T }, (_, t) => randomNormal(rng(40 + t), B * C));
    const dout = randomNormal(rng(39), B * T * C);
    const old = randomNormal(rng(38), B * C);
    const want = new Float64Array(B * T * C);
    steps.forEach((x, t) => stackForwardCpu(want, x, B, T, t, C));
    for (const enc of encs) {
      for (const WG of WGS) {
        const out = poisoned(ctx, 'out', B * T * C);
        await runDispatches(ctx, await Promise.all(steps.map((x, t) => stackForwardDispatch(enc, { B, T, t, C, x: input(ctx, `x${t}`, x), out, WG }))));
        expectAllClose(`stack_forward WG ${WG}`, await readF32(ctx, out, B * T * C), want, exact);
        for (const accumulate of [false, true]) {
          const t = T - 1;
          const dx = accumulate ? input(ctx, 'dx', old) : poisoned(ctx, 'dx', B * C);
          await runDispatches(ctx, [await stackBackwardDispatch(enc, { B, T, t, C, dout: input(ctx, 'dout', dout), dx, accumulate, WG })]);
          const wantDx = accumulate ? Float64Array.from(old) : new Float64Array(B * C);
          stackBackwardCpu(wantDx, dout, B, T, t, C);
          expectAllClose(`stack_backward acc ${accumulate}`, await readF32(ctx, dx, B * C), wantDx, { rtol: accumulate ? EPS32 : 0, atol: 0 });
        }
      }
    }
  });

  it('broadcast_forward (one row on every row) and its backward, bias_backward’s column sum, accumulated', async () => {
    const { ctx, encs } = await encoders();
    const [row, dout, old] = [randomNormal(rng(50), C), randomNormal(rng(51), B * C), randomNormal(rng(52), C)];
    const want = new Float64Array(B * C);
    broadcastForwardCpu(want, row, B, C);
    const wantGrad = Float64Array.from(old);
    broadcastBackwardCpu(wantGrad, dout, B, C);
    for (const enc of encs) {
      for (const WG of WGS) {
        const out = poisoned(ctx, 'out', B * C);
        const dx = input(ctx, 'dx', old);
        await runDispatches(ctx, [
          await broadcastForwardDispatch(enc, { M: B, N: C, x: input(ctx, 'row', row), out, WG }),
          await biasBackwardDispatch(enc, { M: B, N: C, dout: input(ctx, 'dout', dout), dbias: dx }),
        ]);
        expectAllClose(`broadcast_forward WG ${WG}`, await readF32(ctx, out, B * C), want, exact);
        expectAllClose('broadcast backward', await readF32(ctx, dx, C), wantGrad, { rtol: 0, atol: (B + 1) * EPS32 * (B * maxAbs(dout) + maxAbs(old)) });
      }
    }
  });

  it('step_embedding_forward (a copy) and step_embedding_backward (accumulated), minibatch and contiguous rows', async () => {
    const { ctx, encs } = await encoders();
    const V = 2 + K; // table rows
    const N = B + 3; // examples of the split
    const r = rng(60);
    const tokens = Uint32Array.from({ length: N * T }, () => r.index(V));
    const table = randomNormal(rng(61), V * C);
    const dout = randomNormal(rng(62), B * C);
    const old = randomNormal(rng(63), V * C);
    const minibatch = Uint32Array.from({ length: B }, () => r.index(N));
    const contiguous = Uint32Array.from({ length: B }, (_, i) => 2 + i);
    for (const enc of encs) {
      for (const [label, rows] of [['minibatch', minibatch], ['contiguous', contiguous]] as const) {
        const t = r.index(T);
        const data = { tokens: input(ctx, 'tokens', tokens), indices: label === 'minibatch' ? input(ctx, 'indices', rows) : null, first: 2 };
        const env = { enc, data, targets: null } as never;
        const out = poisoned(ctx, 'out', B * C);
        const dtable = input(ctx, 'dtable', old);
        await runDispatches(ctx, [
          await stepEmbeddingForwardDispatch(env, { n: B, T, t, V, E: C, table: input(ctx, 'table', table), out }),
          await stepEmbeddingBackwardDispatch(env, { n: B, T, t, V, E: C, dout: input(ctx, 'dout', dout), dtable }),
        ]);
        const want = new Float64Array(B * C);
        stepEmbeddingForwardCpu(want, table, tokens, rows, T, t, C);
        expectAllClose(`step_embedding_forward ${label} t=${t}`, await readF32(ctx, out, B * C), want, exact);
        const wantGrad = Float64Array.from(old);
        stepEmbeddingBackwardCpu(wantGrad, dout, tokens, rows, T, t, C, V);
        expectAllClose(`step_embedding_backward ${label}`, await readF32(ctx, dtable, V * C), wantGrad, { rtol: 0, atol: (B + 1) * EPS32 * (B * maxAbs(dout) + maxAbs(old)) });
      }
    }
  });

  it('causal_mean_forward and causal_mean_backward, written and accumulated', async () => {
    const { ctx, encs } = await encoders();
    const n = B * T;
    const [x, dout, old] = [randomNormal(rng(70), n * C), randomNormal(rng(71), n * C), randomNormal(rng(72), n * C)];
    const want = new Float64Array(n * C);
    causalMeanForwardCpu(want, x, n, T, C);
    for (const enc of encs) {
      for (const WG of WGS) {
        const out = poisoned(ctx, 'out', n * C);
        await runDispatches(ctx, [await causalMeanForwardDispatch(enc, { n, T, C, x: input(ctx, 'x', x), out, WG })]);
        // A sum of up to T terms, then a division.
        expectAllClose(`causal_mean_forward WG ${WG}`, await readF32(ctx, out, n * C), want, { rtol: 0, atol: (T + 2) * EPS32 * maxAbs(x) });
        for (const accumulate of [false, true]) {
          const dx = accumulate ? input(ctx, 'dx', old) : poisoned(ctx, 'dx', n * C);
          await runDispatches(ctx, [await causalMeanBackwardDispatch(enc, { n, T, C, dout: input(ctx, 'dout', dout), dx, accumulate, WG })]);
          const wantDx = accumulate ? Float64Array.from(old) : new Float64Array(n * C);
          causalMeanBackwardCpu(wantDx, dout, n, T, C);
          // Up to T terms, each a division: at most T·max|dout| in all (1/(t+1) ≤ 1).
          expectAllClose(`causal_mean_backward acc ${accumulate}`, await readF32(ctx, dx, n * C), wantDx, { rtol: 0, atol: (T + 3) * EPS32 * (T * maxAbs(dout) + (accumulate ? maxAbs(old) : 0)) });
        }
      }
    }
  });
});
