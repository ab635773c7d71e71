/**
 * Benchmark data of any size: a word list (by default the ~275k-word English list of
 * an-array-of-english-words, ~2.8M bigram examples), repeated when more is asked for, and
 * cut to exactly N examples. The word list is handed in, so the page can load it its own way.
 */
import { datasetFromWords, type Dataset } from '../src/data/dataset.ts';

export function benchDataset(words: readonly string[], N: number): Dataset {
  const picked: string[] = [];
  let examples = 0;
  for (let i = 0; examples < N; i = (i + 1) % words.length) {
    picked.push(words[i]);
    examples += [...words[i]].length + 1;
  }
  const d = datasetFromWords(picked, `english words, N=${N}`);
  return { ...d, xs: d.xs.subarray(0, N), ys: d.ys.subarray(0, N) };
}
