/**
 * recurrence_forward and recurrence_backward (the rnn's and the gru's time loop in one kernel,
 * with the input's products before the walk and the gradients' products after the walk back) against their CPU twins (src/ops/recurrence.ts), on
 * fresh random inputs of awkward sizes (B, T, C and H not multiples of the workgroup, H above
 * it so that threads loop over columns), every output poisoned with NaN first, at two
 * workgroup sizes and with the grids folded into 2-D (at most 8 workgroups a dimension); gradients written (dx) and accumulated.
 * Tolerances from float32 arithmetic: each value is a few sums of K ≤ 134 terms (B·T ≤ 528 for
 * the weight gradients), carried through T steps by maps that do not expand (tanh′, σ′ ≤ 1, the
 * weights of norm below 1): float32 rounding in a random walk, √K·ε·Σ|terms| ≈ 1e-6 of the
 * largest value (measured: every value within 1e-6 of it), so 5e-6 of each tensor's largest
 * value, where a wrong index or a missing step (errors of order 1) cannot hide. Sums cancel
 * (a value of 1e-3 from terms of 1), so the scale is at least the terms': 1 in the forward
 * (inputs N(0, 1), weights 1/√K, states and gates within ±1), dout's largest in the backward.
 */
import { describe, it } from 'vitest';
import { createBuffer, STORAGE } from '../../src/gpu/kernels.ts';
import { OpEncoder } from '../../src/ops/kernel.ts';
import { matmulConfig } from '../../src/ops/matmulTiling.ts';
import {
  recurrenceBackwardCpu, recurrenceBackwardDispatch, recurrenceBlocks, recurrenceForwardCpu, recurrenceForwardDispatch, recurrenceGradientDispatches, recurrenceInputDispatches,
  type Cell,
} from '../../src/ops/recurrence.ts';
import { expectAllClose, gpu, input, poisoned, randomNormal, readF32, rng, runDispatches } from './gpuHelpers.ts';

const SHAPES = [
  { B: 1, T: 1, C: 1, H: 1 },
  { B: 5, T: 7, C: 13, H: 70 },
  { B: 33, T: 16, C: 64, H: 64 }, // makemore's widths, a batch of 33
];
const CELLS: Cell[] = ['rnn', 'gru'];

const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
/** scale: the size of the terms of the sums, which may cancel (the forward's are of order 1, the backward's of dout's size). */
const close = (label: string, got: ArrayLike<number>, want: ArrayLike<number>, scale = 1) => expectAllClose(label, got, want, { rtol: 0, atol: 5e-6 * Math.max(maxAbs(want), scale) + 1e-30 });

describe.each(CELLS.flatMap((cell) => SHAPES.map((s) => ({ cell, ...s }))))('recurrence, $cell B=$B T=$T C=$C H=$H', ({ cell, B, T, C, H }) => {
  it('recurrence_forward, recurrence_backward and the gradient products against the twins', async () => {
    const ctx = await gpu();
    const s = { cell, B, T, C, H };
    const K = C + H;
    const gates = cell === 'gru' ? 3 : 1;
    const blk = recurrenceBlocks(s);
    const x = randomNormal(rng(40), B * T * C);
    const start = randomNormal(rng(41), H, 0.5);
    const ws = Array.from({ length: gates }, (_, i) => randomNormal(rng(42 + i), K * H, 1 / Math.sqrt(K)));
    const bs = Array.from({ length: gates }, (_, i) => randomNormal(rng(46 + i), H, 0.3));
    const dout = randomNormal(rng(50), B * T * H);
    const [oldW, oldB, oldStart] = [ws.map((_, i) => randomNormal(rng(52 + i), K * H)), bs.map((_, i) => randomNormal(rng(56 + i), H)), randomNormal(rng(60), H)];

    // One weights buffer as the parameter buffer holds them: each tensor at a multiple of 64 floats.
    const tensors = ws.flatMap((w, i) => [w, bs[i]]);
    const offsets: number[] = [];
    let size = 0;
    for (const t of tensors) {
      offsets.push(size);
      size += Math.ceil(t.length / 64) * 64;
    }
    const packed = new Float32Array(size);
    tensors.forEach((t, i) => packed.set(t, offsets[i]));
    const grads = new Float32Array(size);
    [...oldW.flatMap((w, i) => [w, oldB[i]])].forEach((t, i) => grads.set(t, offsets[i]));

    const config = matmulConfig(ctx.adapter.software);
    const wantOut = new Float64Array(B * T * H);
    const wantSaved = new Float64Array(blk.saved);
    const p = { w: ws, b: bs };
    recurrenceForwardCpu(s, wantOut, wantSaved, x, start, p);
    const out32 = Float32Array.from(wantOut);
    const saved32 = Float32Array.from(wantSaved);
    const scratch = new Float64Array(blk.scratch);
    const g = { dx: new Float64Array(B * T * C), accumulateX: false, dstart: Float64Array.from(oldStart), dw: oldW.map((w) => Float64Array.from(w)), db: oldB.map((b) => Float64Array.from(b)) };
    // The backward from the float32 forward the kernel would have written: each kernel checked alone.
    recurrenceBackwardCpu(s, dout, out32, saved32, scratch, p, g);

    for (const enc of [new OpEncoder(ctx), new OpEncoder(ctx, 8)]) {
      for (const WG of [4, 64]) {
        const weights = input(ctx, 'weights', packed);
        const d = { ...s, offsets: { w: offsets.filter((_, i) => i % 2 === 0), b: offsets.filter((_, i) => i % 2 === 1) }, WG };
        const [out, saved] = [poisoned(ctx, 'out', B * T * H), poisoned(ctx, 'saved', blk.saved)];
        const xb = input(ctx, 'x', x);
        const range = (buffer: GPUBuffer, i: number) => ({ buffer, offset: 4 * offsets[i], size: 4 * tensors[i].length });
        await runDispatches(ctx, [
          ...(await recurrenceInputDispatches(enc, config, s, xb, ws.map((_, i) => range(weights, 2 * i)), bs.map((_, i) => range(weights, 2 * i + 1)), saved)),
          await recurrenceForwardDispatch(enc, { ...d, x: xb, start: input(ctx, 'start', start), weights, out, saved }),
        ]);
        const label = `${cell} WG ${WG} fold ${enc.maxPerDim}`;
        close(`${label} out`, await readF32(ctx, out, B * T * H), wantOut);
        const gotSaved = await readF32(ctx, saved, blk.saved);
        const block = (a: ArrayLike<number>, o: number, n: number) => Array.prototype.slice.call(a, o, o + n) as number[];
        close(`${label} saved xh`, block(gotSaved, blk.xh, B * T * K), block(wantSaved, blk.xh, B * T * K));
        blk.p.forEach((o, i) => close(`${label} saved p${i}`, block(gotSaved, o, B * T * H), block(wantSaved, o, B * T * H)));
        if (cell === 'gru') {
          close(`${label} saved xhr`, block(gotSaved, blk.xhr, B * T * K), block(wantSaved, blk.xhr, B * T * K));
          for (const [name, o] of [['z', blk.z], ['r', blk.r], ['hbar', blk.hbar]] as const) close(`${label} saved ${name}`, block(gotSaved, o, B * T * H), block(wantSaved, o, B * T * H));
        }

        const scratchB = poisoned(ctx, 'scratch', blk.scratch);
        const [outB, savedB] = [input(ctx, 'out32', out32), input(ctx, 'saved32', saved32)];
        const gradsB = createBuffer(ctx, 'grads', 4 * size, STORAGE, grads);
        const dx = poisoned(ctx, 'dx', B * T * C);
        const dstart = input(ctx, 'dstart', oldStart);
        await runDispatches(ctx, [
          await recurrenceBackwardDispatch(enc, { ...d, dout: input(ctx, 'dout', dout), out: outB, weights, saved: savedB, scratch: scratchB }),
          ...(await recurrenceGradientDispatches(enc, config, s, savedB, scratchB, ws.map((_, i) => range(weights, 2 * i)), {
            dx, accumulateX: false, dstart, dw: ws.map((_, i) => range(gradsB, 2 * i)), db: bs.map((_, i) => range(gradsB, 2 * i + 1)), label: 'recurrence',
          })),
        ]);
        const gotScratch = await readF32(ctx, scratchB, blk.scratch);
        const blocks = cell === 'gru' ? [['dz', blk.dpre], ['dr', blk.dr], ['dhbar', blk.dhbar]] as const : [['dpre', blk.dpre]] as const;
        const ds = maxAbs(dout);
        for (const [name, o] of blocks) close(`${label} ${name}`, block(gotScratch, o, B * T * H), block(scratch, o, B * T * H), ds);
        close(`${label} carry`, block(gotScratch, blk.carry, B * H), block(scratch, blk.carry, B * H), ds);
        close(`${label} dx (written)`, await readF32(ctx, dx, B * T * C), g.dx, ds);
        close(`${label} dstart (accumulated)`, await readF32(ctx, dstart, H), g.dstart, ds);
        const gotGrads = await readF32(ctx, gradsB, size);
        for (let i = 0; i < gates; i++) {
          close(`${label} dW${i} (accumulated)`, block(gotGrads, offsets[2 * i], K * H), g.dw[i], ds);
          close(`${label} db${i} (accumulated)`, block(gotGrads, offsets[2 * i + 1], H), g.db[i], ds);
        }
      }
    }
  }, 120_000);
});
