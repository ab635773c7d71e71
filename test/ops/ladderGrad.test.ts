/**
 * The ops of makemore's rnn, gru and bow on the CPU: each twin's backward against central
 * finite differences in float64 of L = Σ r·out (r random), for every input; then each model's
 * whole graph (every parameter) on a tiny configuration whose sequences end early, so that
 * some positions have no target.
 */
import { describe, expect, it } from 'vitest';
import { CpuProgram } from '../../src/nn/cpuProgram.ts';
import type { Graph } from '../../src/nn/graph.ts';
import { broadcastBackwardCpu, broadcastForwardCpu } from '../../src/ops/broadcast.ts';
import { causalMeanBackwardCpu, causalMeanForwardCpu } from '../../src/ops/causalMean.ts';
import { concatBackwardCpu, concatForwardCpu } from '../../src/ops/concat.ts';
import { lerpBackwardCpu, lerpForwardCpu } from '../../src/ops/lerp.ts';
import { mulBackwardCpu, mulForwardCpu } from '../../src/ops/mul.ts';
import { sigmoidBackwardCpu, sigmoidForwardCpu } from '../../src/ops/sigmoid.ts';
import { stackBackwardCpu, stackForwardCpu } from '../../src/ops/stack.ts';
import { stepEmbeddingBackwardCpu, stepEmbeddingForwardCpu } from '../../src/ops/stepEmbedding.ts';
import { bowGraph } from '../../src/models/bow/net.ts';
import { rnnGraph } from '../../src/models/rnn/net.ts';
import { Random } from '../../src/random/philox.ts';
import { freshSeed } from '../helpers/fixtures.ts';
import { dot, expectGradient, normal } from '../helpers/finiteDifferences.ts';
import { describeSequenceModels, tinySequences } from '../helpers/sequenceModelChecks.ts';


describe.each([1, 2, freshSeed()])('the ladder ops’ CPU twins (seed %i)', (seed) => {
  const r = new Random(seed, 600);

  it('sigmoid: ½ at 0, no overflow far out; dx against finite differences', () => {
    const x = normal(r, 13, 3);
    x[0] = 0;
    x[1] = 800;
    x[2] = -800;
    const w = normal(r, 13);
    const out = new Float64Array(13);
    const loss = () => {
      sigmoidForwardCpu(out, x);
      return dot(out, w);
    };
    loss();
    expect([out[0], out[1], out[2]]).toEqual([0.5, 1, 0]);
    const dx = new Float64Array(13);
    sigmoidBackwardCpu(dx, w, out);
    expectGradient('dx', loss, x, dx);
  });

  it('mul and lerp: every input against finite differences; lerp is a at z = 0 and b at z = 1', () => {
    const n = 1 + r.index(9);
    const [a, b, z, w] = [normal(r, n), normal(r, n), normal(r, n), normal(r, n)];
    const out = new Float64Array(n);
    const mulLoss = () => {
      mulForwardCpu(out, a, b);
      return dot(out, w);
    };
    const [da, db] = [new Float64Array(n), new Float64Array(n)];
    mulBackwardCpu(da, db, w, a, b);
    expectGradient('mul da', mulLoss, a, da);
    expectGradient('mul db', mulLoss, b, db);
    const lerpLoss = () => {
      lerpForwardCpu(out, a, b, z);
      return dot(out, w);
    };
    const [la, lb, lz] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    lerpBackwardCpu(la, lb, lz, w, a, b, z);
    expectGradient('lerp da', lerpLoss, a, la);
    expectGradient('lerp db', lerpLoss, b, lb);
    expectGradient('lerp dz', lerpLoss, z, lz);
    lerpForwardCpu(out, a, b, new Float64Array(n));
    expect(out).toEqual(a);
    lerpForwardCpu(out, a, b, new Float64Array(n).fill(1));
    expect(out).toEqual(b);
  });

  it('concat, stack and broadcast: copies; their gradients against finite differences', () => {
    const n = 1 + r.index(4);
    const [Ka, Kb] = [1 + r.index(4), 1 + r.index(4)];
    const [a, b] = [normal(r, n * Ka), normal(r, n * Kb)];
    const w = normal(r, n * (Ka + Kb));
    const out = new Float64Array(n * (Ka + Kb));
    const concatLoss = () => {
      concatForwardCpu(out, a, b, n, Ka, Kb);
      return dot(out, w);
    };
    concatLoss();
    expect(out.subarray(Ka, Ka + Kb)).toEqual(b.subarray(0, Kb));
    const [da, db] = [new Float64Array(n * Ka), new Float64Array(n * Kb)];
    concatBackwardCpu(da, db, w, n, Ka, Kb);
    expectGradient('concat da', concatLoss, a, da);
    expectGradient('concat db', concatLoss, b, db);

    const T = 1 + r.index(4);
    const C = 1 + r.index(3);
    const steps = Array.from({ length: T }, () => normal(r, n * C));
    const ws = normal(r, n * T * C);
    const stacked = new Float64Array(n * T * C);
    const stackLoss = () => {
      steps.forEach((x, t) => stackForwardCpu(stacked, x, n, T, t, C));
      return dot(stacked, ws);
    };
    stackLoss();
    expect(stacked.subarray((T - 1) * C, T * C)).toEqual(steps[T - 1].subarray(0, C)); // row b·T + t of sequence 0
    steps.forEach((x, t) => {
      const dx = new Float64Array(n * C);
      stackBackwardCpu(dx, ws, n, T, t, C);
      expectGradient(`stack dx_${t}`, stackLoss, x, dx);
    });

    const row = normal(r, C);
    const wb = normal(r, n * C);
    const rows = new Float64Array(n * C);
    const broadcastLoss = () => {
      broadcastForwardCpu(rows, row, n, C);
      return dot(rows, wb);
    };
    const drow = new Float64Array(C);
    broadcastBackwardCpu(drow, wb, n, C);
    expectGradient('broadcast dx', broadcastLoss, row, drow);
  });

  it('step_embedding: row r is the table row of its token at t; dtable against finite differences', () => {
    const [V, E, T, N] = [2 + r.index(5), 1 + r.index(4), 1 + r.index(5), 2 + r.index(5)];
    const t = r.index(T);
    const table = normal(r, V * E);
    const tokens = Uint32Array.from({ length: N * T }, () => r.index(V));
    const rows = Uint32Array.from({ length: 1 + r.index(6) }, () => r.index(N)); // repeats, as a minibatch drawn with replacement
    const w = normal(r, rows.length * E);
    const out = new Float64Array(rows.length * E);
    const loss = () => {
      stepEmbeddingForwardCpu(out, table, tokens, rows, T, t, E);
      return dot(out, w);
    };
    loss();
    const v = tokens[rows[0] * T + t];
    expect(out.subarray(0, E)).toEqual(table.subarray(v * E, v * E + E));
    const dtable = new Float64Array(V * E);
    stepEmbeddingBackwardCpu(dtable, w, tokens, rows, T, t, E, V);
    expectGradient('dtable', loss, table, dtable);
  });

  it('causal_mean: position 0 is itself, the last the mean of its sequence; dx against finite differences', () => {
    const [B, T, C] = [1 + r.index(3), 1 + r.index(6), 1 + r.index(4)];
    const x = normal(r, B * T * C);
    const w = normal(r, B * T * C);
    const out = new Float64Array(B * T * C);
    const loss = () => {
      causalMeanForwardCpu(out, x, B * T, T, C);
      return dot(out, w);
    };
    loss();
    expect(out.subarray(0, C)).toEqual(x.subarray(0, C));
    let mean = 0;
    for (let t = 0; t < T; t++) mean += x[t * C] / T;
    expect(Math.abs(out[(T - 1) * C] - mean)).toBeLessThan(1e-12);
    const dx = new Float64Array(B * T * C);
    causalMeanBackwardCpu(dx, w, B * T, T, C);
    expectGradient('dx', loss, x, dx);
  });
});


const MODELS: [string, (T: number) => Graph][] = [
  ['rnn (the time loop one op)', (T) => rnnGraph({ cell: 'rnn', V: 5, T, C: 3, H: 2, loop: true }, 3)],
  ['gru (the time loop one op)', (T) => rnnGraph({ cell: 'gru', V: 5, T, C: 3, H: 2, loop: true }, 3)],
  ['rnn (unrolled)', (T) => rnnGraph({ cell: 'rnn', V: 5, T, C: 3, H: 2, loop: false }, 3)],
  ['gru (unrolled)', (T) => rnnGraph({ cell: 'gru', V: 5, T, C: 3, H: 2, loop: false }, 3)],
  ['bow', (T) => bowGraph({ V: 5, T, C: 3, H: 2 }, 3)],
];

describeSequenceModels(MODELS, 601);

describe.each(['rnn', 'gru'] as const)('%s: the time loop as one op against the unrolled composition (float64)', (cell) => {
  it.each([1, freshSeed()])('the same loss and every parameter’s gradient to 1e-12, sizes not multiples of anything (seed %i)', (seed) => {
    const r = new Random(seed, 603);
    const [V, T, C, H, B] = [6, 5, 3, 7, 4];
    const { tokens, targets } = tinySequences(r, 9, T, V);
    const rows = Uint32Array.from({ length: B }, () => r.index(9)); // repeats, as a minibatch
    const graphs = [true, false].map((loop) => rnnGraph({ cell, V, T, C, H, loop }, B));
    const layout = graphs[0].paramLayout();
    expect(graphs[1].paramLayout().tensors).toEqual(layout.tensors); // one parameter layout: model files and seeds unchanged
    const P = normal(r, layout.size, 0.7);
    const runs = graphs.map((g) => {
      const grad = new Float64Array(P.length);
      const { sum, count } = new CpuProgram(g, P, layout, grad, Float64Array).run({ tokens, targets }, rows, true);
      return { loss: sum / count, grad };
    });
    expect(Math.abs(runs[0].loss - runs[1].loss)).toBeLessThan(1e-12);
    for (let i = 0; i < P.length; i++) expect(Math.abs(runs[0].grad[i] - runs[1].grad[i]), `gradient ${i}`).toBeLessThan(1e-12);
  });
});
