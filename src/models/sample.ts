/** Sampling words from any bigram model given as a row-normalised V×V probability table. */
import { Random, Stream } from '../random/philox.ts';
import { decode } from '../data/dataset.ts';

/** Longest sample, in symbols: a model with little mass on the boundary would go on for ever. */
export const MAX_SAMPLE_LENGTH = 100;

export function sampleWords(probs: Float64Array, symbols: string[], count: number, seed: number): string[] {
  const V = symbols.length;
  const rng = new Random(seed, Stream.sample);
  const words: string[] = [];
  for (let s = 0; s < count; s++) {
    const tokens: number[] = [];
    let x = 0;
    while (tokens.length < MAX_SAMPLE_LENGTH) {
      x = rng.categorical(probs, x * V, V);
      if (x === 0) break;
      tokens.push(x);
    }
    words.push(decode(symbols, tokens));
  }
  return words;
}
