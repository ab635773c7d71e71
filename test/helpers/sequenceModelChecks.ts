/**
 * The CPU checks every sequence model of the ladder passes (test/ops/ladderGrad.test.ts,
 * makemoreGrad.test.ts): its whole gradient against finite differences in float64 on tiny
 * sequences with masked positions, and causality (position t's logits ignore later tokens).
 */
import { describe, expect, it } from 'vitest';
import { CpuProgram } from '../../src/nn/cpuProgram.ts';
import type { Graph } from '../../src/nn/graph.ts';
import { rangeRows } from '../../src/ops/rows.ts';
import { Random } from '../../src/random/philox.ts';
import { freshSeed } from './fixtures.ts';
import { expectGradient, normal } from './finiteDifferences.ts';

/** Tiny sequences as sequences.ts builds them: x = [0, c…, 0…], y = [c…, 0, −1…]; every word shorter than T − 1 but one. */
export function tinySequences(r: Random, N: number, T: number, V: number): { tokens: Uint32Array; targets: Int32Array } {
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

/** Both checks for each model: graphOf(T) builds it over V = 5 symbols; `stream` keeps its random draws its own. */
export function describeSequenceModels(models: [string, (T: number) => Graph][], stream: number): void {
  describe.each(models)('%s on the CPU', (_, graphOf) => {
    it.each([1, freshSeed()])('every parameter’s gradient against finite differences (float64), positions without targets included (seed %i)', (seed) => {
      const r = new Random(seed, stream);
      const T = 4;
      const g = graphOf(T);
      const { tokens, targets } = tinySequences(r, 5, T, 5);
      expect(targets.some((y) => y < 0)).toBe(true);
      const rows = rangeRows(1, 3);
      const layout = g.paramLayout();
      const P = normal(r, layout.size, 0.7); // every parameter, a start state too (makemore starts it at zero)
      const lossOf = (grad: Float64Array | null) => {
        const { sum, count } = new CpuProgram(g, P, layout, grad, Float64Array).run({ tokens, targets }, rows, grad !== null);
        return sum / count;
      };
      const grad = new Float64Array(P.length);
      lossOf(grad);
      expectGradient('params', () => lossOf(null), P, grad);
    });

    it('causal: the logits of position t do not depend on the tokens after it', () => {
      const r = new Random(freshSeed(), stream + 1);
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
}
