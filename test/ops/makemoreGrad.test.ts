/**
 * makemore's own mlp and bigram on the CPU: window_embedding's twin (each position's window,
 * the blank row before the start) and its backward against central finite differences in
 * float64; then each model's whole graph (every parameter) on a tiny configuration whose
 * sequences end early, so that some positions have no target.
 */
import { describe, expect, it } from 'vitest';
import { CpuProgram } from '../../src/nn/cpuProgram.ts';
import type { Graph } from '../../src/nn/graph.ts';
import { rangeRows } from '../../src/ops/rows.ts';
import { windowEmbeddingBackwardCpu, windowEmbeddingForwardCpu } from '../../src/ops/windowEmbedding.ts';
import { makemoreBigramGraph, makemoreMlpGraph } from '../../src/models/makemore/net.ts';
import { Random } from '../../src/random/philox.ts';
import { freshSeed } from '../helpers/fixtures.ts';
import { dot, expectGradient, normal } from '../helpers/finiteDifferences.ts';

describe.each([1, 2, freshSeed()])('window_embedding’s CPU twin (seed %i)', (seed) => {
  const r = new Random(seed, 610);

  it.each([1, 2, 5, 9])('window %i: slot k of position t is the token at t − k, the blank row before the start; dtable against finite differences', (W) => {
    const [R, E, T, N] = [3 + r.index(4), 1 + r.index(3), 1 + r.index(6), 2 + r.index(4)];
    const blank = R - 1;
    const table = normal(r, R * E);
    const tokens = Uint32Array.from({ length: N * T }, () => r.index(R - 1));
    const rows = Uint32Array.from({ length: 1 + r.index(4) }, () => r.index(N)); // repeats, as a minibatch drawn with replacement
    const s = { T, W, E, blank };
    const out = new Float64Array(rows.length * T * W * E);
    const w = normal(r, out.length);
    const loss = () => {
      windowEmbeddingForwardCpu(out, table, tokens, rows, s);
      return dot(out, w);
    };
    loss();
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < W; k++) {
        const v = t >= k ? tokens[rows[0] * T + t - k] : blank;
        expect(out.subarray((t * W + k) * E, (t * W + k + 1) * E)).toEqual(table.subarray(v * E, (v + 1) * E));
      }
    }
    const dtable = new Float64Array(R * E);
    windowEmbeddingBackwardCpu(dtable, w, tokens, rows, s, R);
    expectGradient('dtable', loss, table, dtable);
  });
});

/** Tiny sequences as sequences.ts builds them: x = [0, c…, 0…], y = [c…, 0, −1…]; every word shorter than T − 1 but one. */
function tinySequences(r: Random, N: number, T: number, V: number): { tokens: Uint32Array; targets: Int32Array } {
  const tokens = new Uint32Array(N * T);
  const targets = new Int32Array(N * T).fill(-1);
  for (let n = 0; n < N; n++) {
    const L = n === 0 ? T - 1 : r.index(T - 1);
    for (let i = 0; i < L; i++) {
      const c = 1 + r.index(V - 1);
      tokens[n * T + i + 1] = c;
      targets[n * T + i] = c;
    }
    targets[n * T + L] = 0;
  }
  return { tokens, targets };
}

const MODELS: [string, (T: number) => Graph][] = [
  ['makemore-mlp', (T) => makemoreMlpGraph({ V: 5, T, C: 3, H: 4 }, 3)],
  ['makemore-bigram', (T) => makemoreBigramGraph({ V: 5, T }, 3)],
];

describe.each(MODELS)('%s on the CPU', (_, graphOf) => {
  it.each([1, freshSeed()])('every parameter’s gradient against finite differences (float64), positions without targets included (seed %i)', (seed) => {
    const r = new Random(seed, 611);
    const T = 4;
    const g = graphOf(T);
    const { tokens, targets } = tinySequences(r, 5, T, 5);
    expect(targets.some((y) => y < 0)).toBe(true);
    const rows = rangeRows(1, 3);
    const layout = g.paramLayout();
    const P = normal(r, layout.size, 0.7);
    const lossOf = (grad: Float64Array | null) => {
      const { sum, count } = new CpuProgram(g, P, layout, grad, Float64Array).run({ tokens, targets }, rows, grad !== null);
      return sum / count;
    };
    const grad = new Float64Array(P.length);
    lossOf(grad);
    expectGradient('params', () => lossOf(null), P, grad);
  });

  it('causal: the logits of position t do not depend on the tokens after it', () => {
    const r = new Random(freshSeed(), 612);
    const T = 5;
    const g = graphOf(T);
    const layout = g.paramLayout();
    const P = normal(r, layout.size, 0.7);
    const tokens = Uint32Array.from({ length: 3 * T }, () => r.index(5));
    const targets = new Int32Array(3 * T);
    const program = new CpuProgram(g, P, layout, null, Float64Array);
    program.run({ tokens, targets }, rangeRows(0, 3), false);
    const before = Float64Array.from(program.activation('logits'));
    tokens[T - 1] = (tokens[T - 1] + 1) % 5; // the last token of sequence 0
    program.run({ tokens, targets }, rangeRows(0, 3), false);
    const after = program.activation('logits');
    expect(after.subarray(0, (T - 1) * 5)).toEqual(before.subarray(0, (T - 1) * 5));
    expect(after.subarray((T - 1) * 5, T * 5)).not.toEqual(before.subarray((T - 1) * 5, T * 5));
  });
});
