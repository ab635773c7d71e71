/**
 * Benchmark data of any size from what npm ships: the ~275k-word English list
 * (an-array-of-english-words, ~2.8M bigram examples), repeated when more is asked for,
 * and cut to exactly N examples.
 */
import { createRequire } from 'node:module';
import { datasetFromWords, type Dataset } from '../src/data/dataset.ts';

const englishWords: string[] = createRequire(import.meta.url)('an-array-of-english-words');

export function benchDataset(N: number): Dataset {
  const words: string[] = [];
  let examples = 0;
  for (let i = 0; examples < N; i = (i + 1) % englishWords.length) {
    words.push(englishWords[i]);
    examples += [...englishWords[i]].length + 1;
  }
  const d = datasetFromWords(words, `english words, N=${N}`);
  return { ...d, xs: d.xs.subarray(0, N), ys: d.ys.subarray(0, N) };
}
