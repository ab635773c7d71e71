/**
 * The seeded train/dev/test split of the words: a shuffle by the seed, then the last
 * `test` share of the words for test, the `dev` share before it for dev, the rest for training.
 * 80/10/10 by default; makemore itself holds out 1,000 test words and no dev split
 * (dev 0, test 1000/32033 on names.txt).
 * The shuffle is the project's (the seed's split stream) or, with shuffle 'torch', PyTorch's
 * torch.randperm after manual_seed(seed): makemore.py's own split, word for word and in order.
 */
import { Random, Stream } from '../random/philox.ts';
import { torchRandperm } from '../random/torchRandperm.ts';

export interface Split<T> {
  train: T[];
  dev: T[];
  test: T[];
}

export type SplitShuffle = 'philox' | 'torch';
export const SPLIT_SHUFFLES: readonly SplitShuffle[] = ['philox', 'torch'];

/** Shares of the words held out for dev and for test (the rest trains), and the shuffle (philox when absent). */
export interface SplitShares {
  dev: number;
  test: number;
  shuffle?: SplitShuffle;
}

export const DEFAULT_SPLIT: SplitShares = { dev: 0.1, test: 0.1 };

export function splitWords<T>(items: readonly T[], seed: number, shares: SplitShares = DEFAULT_SPLIT): Split<T> {
  const shuffled = shares.shuffle === 'torch' ? Array.from(torchRandperm(items.length, seed), (i) => items[i]) : philoxShuffle(items, seed);
  // (1 − 0.1) − 0.1 and 1 − 0.1 are 0.8 and 0.9 exactly as doubles: the default split is the 80/10/10 of every earlier version.
  const n1 = Math.floor((1 - shares.test - shares.dev) * shuffled.length);
  const n2 = Math.floor((1 - shares.test) * shuffled.length);
  return { train: shuffled.slice(0, n1), dev: shuffled.slice(n1, n2), test: shuffled.slice(n2) };
}

function philoxShuffle<T>(items: readonly T[], seed: number): T[] {
  const shuffled = items.slice();
  const rng = new Random(seed, Stream.split);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.index(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return shuffled;
}
