/** A seeded 80/10/10 train/dev/test split of the words (the context model evaluates on dev and test). */
import { Random, Stream } from '../random/philox.ts';

export interface Split<T> {
  train: T[];
  dev: T[];
  test: T[];
}

export function splitWords<T>(items: readonly T[], seed: number): Split<T> {
  const shuffled = items.slice();
  const rng = new Random(seed, Stream.split);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.index(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const n1 = Math.floor(0.8 * shuffled.length);
  const n2 = Math.floor(0.9 * shuffled.length);
  return { train: shuffled.slice(0, n1), dev: shuffled.slice(n1, n2), test: shuffled.slice(n2) };
}
