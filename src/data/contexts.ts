/**
 * Words → context examples for the context model (makemore's MLP): each symbol of a word,
 * and the boundary after it, is predicted from the T symbols before it, padded on the left
 * with the boundary token. A word c1..cn gives n+1 examples, as in the lecture's
 * build_dataset:
 *   (. . .) → c1, (. . c1) → c2, …, (c(n-2) c(n-1) cn) → .
 *
 * Shapes: N examples, T context (block size). X is (N, T) row-major, Y is (N,).
 */
import type { Dataset } from './dataset.ts';
import { DEFAULT_SPLIT, splitWords, type SplitShares } from './split.ts';

export interface ContextExamples {
  X: Uint32Array; // (N, T) the context of each example, oldest symbol first
  Y: Uint32Array; // (N,) the symbol that follows
}

export type SplitName = 'train' | 'dev' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'dev', 'test'];

/** What the context model trains on: the train split's examples, and dev and test to evaluate. */
export interface ContextData {
  V: number;
  /** T: symbols of context (the block size): the tokens of one example. */
  T: number;
  /**
   * Targets of one example: 1 for the context model (the symbol after the context), T for a
   * sequence model (one per position: src/data/sequences.ts). Absent: 1.
   */
  targetsPerExample?: number;
  /** Words of each split (for reports). */
  words: Record<SplitName, number>;
  train: ContextExamples;
  dev: ContextExamples;
  test: ContextExamples;
}

/** symbol text → token, for the data's symbols (1..V-1; 0 is the boundary). */
export function symbolIndex(symbols: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 1; i < symbols.length; i++) index.set(symbols[i], i);
  return index;
}

export function contextExamples(words: readonly string[], symbols: readonly string[], T: number): ContextExamples {
  const index = symbolIndex(symbols);
  let n = 0;
  for (const w of words) n += [...w].length + 1;
  const X = new Uint32Array(n * T);
  const Y = new Uint32Array(n);
  const context = new Uint32Array(T); // the boundary token is 0
  let k = 0;
  for (const w of words) {
    context.fill(0);
    for (const ch of [...w, null]) {
      const y = ch === null ? 0 : index.get(ch);
      if (y === undefined) throw new Error(`symbol ${JSON.stringify(ch)} is not in the vocabulary`);
      X.set(context, k * T);
      Y[k] = y;
      k++;
      context.copyWithin(0, 1);
      context[T - 1] = y;
    }
  }
  return { X, Y };
}

/** The seeded split of the words (80/10/10 by default: splitWords), each split turned into context examples. */
export function contextData(data: Pick<Dataset, 'words' | 'symbols'>, T: number, seed: number, shares: SplitShares = DEFAULT_SPLIT): ContextData {
  const split = splitWords(data.words, seed, shares);
  return {
    V: data.symbols.length,
    T,
    words: { train: split.train.length, dev: split.dev.length, test: split.test.length },
    train: contextExamples(split.train, data.symbols, T),
    dev: contextExamples(split.dev, data.symbols, T),
    test: contextExamples(split.test, data.symbols, T),
  };
}
