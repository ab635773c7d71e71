/**
 * makemore's own mlp and bigram on the CPU: window_embedding's twin (each position's window,
 * the blank row before the start) and its backward against central finite differences in
 * float64; then each model's whole graph (every parameter) on a tiny configuration whose
 * sequences end early, so that some positions have no target.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/nn/graph.ts';
import { windowEmbeddingBackwardCpu, windowEmbeddingForwardCpu } from '../../src/ops/windowEmbedding.ts';
import { makemoreBigramGraph, makemoreMlpGraph } from '../../src/models/makemore/net.ts';
import { Random } from '../../src/random/philox.ts';
import { freshSeed } from '../helpers/fixtures.ts';
import { dot, expectGradient, normal } from '../helpers/finiteDifferences.ts';
import { describeSequenceModels } from '../helpers/sequenceModelChecks.ts';

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


const MODELS: [string, (T: number) => Graph][] = [
  ['makemore-mlp', (T) => makemoreMlpGraph({ V: 5, T, C: 3, H: 4 }, 3)],
  ['makemore-bigram', (T) => makemoreBigramGraph({ V: 5, T }, 3)],
];

describeSequenceModels(MODELS, 611);
