/** makemore's sequences for the Transformer: the encoding of a word, the block size, the split. */
import { describe, expect, it } from 'vitest';
import { contextData } from '../src/data/contexts.ts';
import { datasetFromWords } from '../src/data/dataset.ts';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { NO_TARGET, sequenceData, sequenceExamples, sequenceLength } from '../src/data/sequences.ts';

describe('sequences', () => {
  const symbols = ['.', 'a', 'e', 'm'];

  it('"emma" in a block of 6: x = [0, e, m, m, a, 0], y = [e, m, m, a, 0, −1]', () => {
    const { X, Y } = sequenceExamples(['emma'], symbols, 6);
    expect([...X]).toEqual([0, 2, 3, 3, 1, 0]);
    expect([...new Int32Array(Y.buffer)]).toEqual([2, 3, 3, 1, 0, -1]);
    expect(Y[5]).toBe(NO_TARGET);
  });

  it('the longest word fills its block: nothing masked; a longer word is refused', () => {
    const { Y } = sequenceExamples(['emma'], symbols, 5);
    expect([...Y]).toEqual([2, 3, 3, 1, 0]);
    expect(() => sequenceExamples(['emma'], symbols, 4)).toThrow(/a block of 4 holds at most 3/);
  });

  it('block size = longest word + 1 (16 on names of up to 15 letters); the context model’s split of the words', () => {
    const names = loadDefaultDataset();
    const T = sequenceLength(names.words);
    expect(T).toBe(Math.max(...names.words.map((w) => [...w].length)) + 1);
    const seq = sequenceData(names, 5);
    const ctx = contextData(names, 3, 5);
    expect(seq.words).toEqual(ctx.words);
    expect(seq.targetsPerExample).toBe(T);
    expect(seq.train.X.length).toBe(seq.words.train * T);
    // Every word has its letters and one boundary as targets: as many as the context model's examples.
    const valid = (Y: Uint32Array) => Y.filter((y) => y !== NO_TARGET).length;
    expect(valid(seq.train.Y)).toBe(ctx.train.Y.length);
    expect(valid(seq.test.Y)).toBe(ctx.test.Y.length);
  });

  it('symbols are code points, as everywhere', () => {
    const d = datasetFromWords(['zoë', 'ß'], 'two');
    const { X } = sequenceExamples(['zoë'], d.symbols, 4);
    expect([...X].slice(1).map((t) => d.symbols[t]).join('')).toBe('zoë');
  });
});
