/**
 * Every op's CPU backward against central finite differences in float64, through small
 * recorded graphs (the backward is the forward's nodes reversed, each accumulating): a tensor
 * used twice (a residual around a tanh, the same weight in two layers) gets the sum of both
 * gradients, and ignored targets (−1) contribute nothing while the mean is over the valid ones.
 */
import { describe, expect, it } from 'vitest';
import { CpuProgram } from '../../src/nn/cpuProgram.ts';
import { Graph } from '../../src/nn/graph.ts';
import { rangeRows } from '../../src/ops/rows.ts';
import { Random } from '../../src/random/philox.ts';
import { freshSeed } from '../helpers/fixtures.ts';

interface Problem {
  graph: Graph;
  P: Float64Array;
  tokens: Uint32Array;
  targets: Int32Array;
  rows: Uint32Array;
}

/** A graph that uses every layer: embedding, linear (with and without bias), tanh, residual (one tensor twice), the loss. */
function problem(seed: number): Problem {
  const r = new Random(seed, 77);
  const V = 2 + r.index(6);
  const T = 1 + r.index(3);
  const E = 1 + r.index(4);
  const H = T * E; // the residual adds h to the embeddings
  const n = 1 + r.index(7);
  const N = n + r.index(5);
  const g = new Graph(n);
  const C = g.param('C', [V, E]);
  const W = g.param('W', [T * E, H]);
  const b = g.param('b', [H]);
  const W2 = g.param('W2', [H, V]);
  const emb = g.embedding('emb', C, T);
  const h = g.tanh('h', g.linear('hpre', emb, W, b));
  const x = g.residual('x', emb, h); // emb is used twice: by the linear layer and here
  const y = g.tanh('y', g.linear('ypre', x, W, null)); // W is used twice
  g.crossentropy(g.linear('logits', y, W2, null));
  const P = r.fillNormal(new Float64Array(g.paramLayout().size));
  const tokens = Uint32Array.from({ length: N * T }, () => r.index(V));
  const targets = Int32Array.from({ length: N }, (_, i) => (i === 0 ? 0 : r.index(3) === 0 ? -1 : r.index(V))); // some ignored
  return { graph: g, P, tokens, targets, rows: rangeRows(N - n, n) };
}

function lossAndGrad(p: Problem, P: Float64Array, grad: Float64Array | null): number {
  const program = new CpuProgram(p.graph, P, p.graph.paramLayout(), grad, Float64Array);
  if (grad) grad.fill(0);
  const { sum, count } = program.run({ tokens: p.tokens, targets: p.targets }, p.rows, grad !== null);
  return sum / count;
}

describe('CPU backward of the ops against finite differences (float64)', () => {
  it.each([1, 2, 3, freshSeed()])('every parameter of a graph with every layer, shared tensors and ignored targets (seed %i)', (seed) => {
    const p = problem(seed);
    if (!p.rows.some((row) => p.targets[row] >= 0)) p.targets[p.rows[0]] = 0; // at least one valid target
    const grad = new Float64Array(p.P.length);
    lossAndGrad(p, p.P, grad);
    const d = 1e-5;
    // Central differences: truncation δ²/6·|f'''| and rounding ε·|f|/δ, both ~1e-10 at unit scale.
    for (let k = 0; k < p.P.length; k++) {
      const p0 = p.P[k];
      p.P[k] = p0 + d;
      const up = lossAndGrad(p, p.P, null);
      p.P[k] = p0 - d;
      const down = lossAndGrad(p, p.P, null);
      p.P[k] = p0;
      expect(Math.abs((up - down) / (2 * d) - grad[k]), `seed ${seed} param ${k}`).toBeLessThan(1e-7 + 1e-6 * Math.abs(grad[k]));
    }
  });

  it('an ignored row counts for nothing: changing its input changes neither the loss nor the gradient; a valid row’s does', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const p = problem(freshSeed() + attempt);
      const T = p.tokens.length / p.targets.length;
      const ignored = p.rows.find((row) => p.targets[row] < 0);
      const valid = p.rows.find((row) => p.targets[row] >= 0);
      if (ignored === undefined || valid === undefined) continue;
      const grad = new Float64Array(p.P.length);
      const loss = lossAndGrad(p, p.P, grad);
      const V = p.graph.params[0].shape[0];
      for (let t = 0; t < T; t++) p.tokens[ignored * T + t] = (p.tokens[ignored * T + t] + 1) % V;
      const grad2 = new Float64Array(p.P.length);
      expect(lossAndGrad(p, p.P, grad2)).toBe(loss);
      expect(grad2).toEqual(grad);
      for (let t = 0; t < T; t++) p.tokens[valid * T + t] = (p.tokens[valid * T + t] + 1) % V;
      expect(lossAndGrad(p, p.P, null)).not.toBe(loss);
      return;
    }
    throw new Error('no problem with both an ignored and a valid row in 20 tries');
  });
});
