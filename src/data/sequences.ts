/**
 * Words → sequences for the Transformer, as makemore builds them. A word c1..cL becomes one
 * example of T = block size positions (the longest word + 1):
 *   x = [0, c1, …, cL, 0, …, 0]       the boundary token starts the word
 *   y = [c1, …, cL, 0, −1, …, −1]     the boundary ends it; −1: no target (the loss skips it)
 * Shapes: N words, T positions. X is (N, T), Y is (N, T) with −1 stored as 0xFFFFFFFF (the same
 * bits as an i32 −1, which is how the kernels and the CPU read targets).
 */
import type { Dataset } from './dataset.ts';
import { symbolIndex, type ContextData, type ContextExamples } from './contexts.ts';
import { DEFAULT_SPLIT, splitWords, type SplitShares } from './split.ts';

/** The ignore index as a u32 (the bits of the i32 −1). */
export const NO_TARGET = 0xffffffff;

/** The block size of a word list: its longest word (in symbols) plus one. */
export function sequenceLength(words: readonly string[]): number {
  let longest = 0;
  for (const w of words) longest = Math.max(longest, [...w].length);
  return longest + 1;
}

export function sequenceExamples(words: readonly string[], symbols: readonly string[], T: number): ContextExamples {
  const index = symbolIndex(symbols);
  const X = new Uint32Array(words.length * T);
  const Y = new Uint32Array(words.length * T).fill(NO_TARGET);
  words.forEach((w, n) => {
    const chars = [...w];
    if (chars.length >= T) throw new Error(`the word ${JSON.stringify(w)} has ${chars.length} symbols: a block of ${T} holds at most ${T - 1}`);
    chars.forEach((ch, i) => {
      const c = index.get(ch);
      if (c === undefined) throw new Error(`symbol ${JSON.stringify(ch)} is not in the vocabulary`);
      X[n * T + i + 1] = c;
      Y[n * T + i] = c;
    });
    Y[n * T + chars.length] = 0;
  });
  return { X, Y };
}

/**
 * The seeded split of the words (80/10/10 by default, the same as the context model's), each
 * split as sequences of the block size of all the words. targetsPerExample is T: one target
 * per position.
 */
export function sequenceData(data: Pick<Dataset, 'words' | 'symbols'>, seed: number, T = sequenceLength(data.words), shares: SplitShares = DEFAULT_SPLIT): ContextData {
  const split = splitWords(data.words, seed, shares);
  return {
    V: data.symbols.length,
    T,
    targetsPerExample: T,
    words: { train: split.train.length, dev: split.dev.length, test: split.test.length },
    train: sequenceExamples(split.train, data.symbols, T),
    dev: sequenceExamples(split.dev, data.symbols, T),
    test: sequenceExamples(split.test, data.symbols, T),
  };
}
