/** Small shared inputs for the tests: random bigram problems and a short word list. */
import { Random } from '../../src/random/philox.ts';
import { datasetFromWords, type Dataset } from '../../src/data/dataset.ts';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { UserError } from '../../src/errors.ts';
import { expect } from 'vitest';

/** A seed for "fresh inputs each run": TEST_SEED if set (to replay a failure), else from the clock. */
export function freshSeed(): number {
  const env = process.env.TEST_SEED;
  return env !== undefined ? Number(env) : Date.now() % 1_000_000;
}

export interface RandomProblem {
  V: number;
  W: Float64Array; // (V, V)
  xs: Uint32Array; // (N,)
  ys: Uint32Array; // (N,)
  reg: number;
}

/** Random V in [5, 9], W ~ N(0, 1.5²), 20..60 random examples, reg in [0.05, 1). */
export function randomBigramProblem(seed: number): RandomProblem {
  const rng = new Random(seed, 1000);
  const V = 5 + rng.index(5);
  const W = rng.fillNormal(new Float64Array(V * V)).map((w) => 1.5 * w);
  const N = 20 + rng.index(41);
  const xs = new Uint32Array(N).map(() => rng.index(V));
  const ys = new Uint32Array(N).map(() => rng.index(V));
  const reg = 0.05 + 0.95 * rng.uniform();
  return { V, W, xs, ys, reg };
}

/** 30 short names (≤ 4 letters) from the bundled list: a data set the net fits in seconds. */
export function shortNames(): Dataset {
  const words = loadDefaultDataset().words.filter((w) => w.length <= 4).filter((_, i) => i % 20 === 0).slice(0, 30);
  return datasetFromWords(words, '30 short names');
}

/** The UserError thrown by f (fails the test when f does not throw one). */
export function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError, nothing was thrown');
}
