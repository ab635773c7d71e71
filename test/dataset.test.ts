import { describe, expect, it } from 'vitest';
import {
  BOUNDARY, MAX_VOCAB, MAX_WORD_LENGTH, datasetFromWords, decode, describeDataset, escapeForTerminal, parseWordList, vocabSize,
} from '../src/data/dataset.ts';
import { DEFAULT_SPLIT, splitWords } from '../src/data/split.ts';
import { DEFAULT_SOURCE, defaultWords } from '../src/data/defaultNames.ts';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { userError } from './helpers/fixtures.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);


describe('parseWordList', () => {
  it('builds the vocabulary and examples of "emma\\nava\\n" as computed by hand', () => {
    const d = parseWordList('emma\nava\n', 'tiny');
    expect(d.source).toBe('tiny');
    expect(d.words).toEqual(['emma', 'ava']);
    expect(d.symbols).toEqual(['.', 'a', 'e', 'm', 'v']);
    expect(vocabSize(d)).toBe(5);
    // emma: .→e e→m m→m m→a a→. ; ava: .→a a→v v→a a→.   (. 0, a 1, e 2, m 3, v 4)
    expect(Array.from(d.xs)).toEqual([0, 2, 3, 3, 1, 0, 1, 4, 1]);
    expect(Array.from(d.ys)).toEqual([2, 3, 3, 1, 0, 1, 4, 1, 0]);
  });

  it('gives the same dataset from bytes and from text', () => {
    const a = parseWordList(utf8('emma\nava\n'), 'tiny');
    const b = parseWordList('emma\nava\n', 'tiny');
    expect(a).toEqual(b);
  });

  it('trims lines and drops blank ones', () => {
    const d = parseWordList('  emma \n\n\t\n ava\t\n   \n', 'x');
    expect(d.words).toEqual(['emma', 'ava']);
    expect(d.xs.length).toBe(9);
  });

  it('reads LF, CRLF and lone CR line ends (old Mac files), with or without a final newline', () => {
    const lf = parseWordList('emma\nava\n', 'x');
    for (const text of ['emma\r\nava\r\n', 'emma\r\nava', 'emma\nava', 'emma\rava\r', 'emma\rava', 'emma\r\rava\n']) {
      const d = parseWordList(text, 'x');
      expect(d.words, JSON.stringify(text)).toEqual(['emma', 'ava']);
      expect(d.symbols).toEqual(lf.symbols);
      expect(d.xs).toEqual(lf.xs);
      expect(d.ys).toEqual(lf.ys);
    }
  });

  it('treats every code point as one symbol (é, ß, an astral emoji), sorted by code point', () => {
    const d = parseWordList(utf8('é\nß\n😀a\n'), 'unicode');
    expect(d.symbols).toEqual(['.', 'a', 'ß', 'é', '😀']);
    // é: 2 examples, ß: 2, 😀a: 3.
    expect(Array.from(d.xs)).toEqual([0, 3, 0, 2, 0, 4, 1]);
    expect(Array.from(d.ys)).toEqual([3, 0, 2, 0, 4, 1, 0]);
    expect(decode(d.symbols, [0, 4, 1, 0])).toBe('😀a');
  });

  it('keeps case unless asked to lowercase', () => {
    expect(parseWordList('Emma\nAVA\n', 'x').symbols).toEqual(['.', 'A', 'E', 'V', 'a', 'm']);
    const d = parseWordList('Emma\nAVA\n', 'x', { lowercase: true });
    expect(d.words).toEqual(['emma', 'ava']);
    expect(d.symbols).toEqual(['.', 'a', 'e', 'm', 'v']);
  });

  it('keeps a "." in the data as a symbol of its own, apart from the boundary', () => {
    const d = parseWordList('j.r\n', 'x');
    expect(d.symbols).toEqual(['.', '.', 'j', 'r']);
    expect(Array.from(d.xs)).toEqual([0, 2, 1, 3]);
    expect(Array.from(d.ys)).toEqual([2, 1, 3, 0]);
    expect(decode(d.symbols, [0, 2, 1, 3, 0])).toBe('j.r');
  });

  describe('refuses bad input with a UserError naming the source and line', () => {
    it('empty file', () => {
      expect(userError(() => parseWordList(new Uint8Array(0), 'words.txt')).message).toBe('words.txt: the file is empty');
      expect(userError(() => parseWordList('', 'words.txt')).message).toMatch(/^words\.txt: .*empty/);
    });

    it('only blank lines', () => {
      const e = userError(() => parseWordList('\n  \r\n\t\n\n', 'blank.txt'));
      expect(e.message).toMatch(/^blank\.txt: /);
      expect(e.message).toMatch(/no words/);
    });

    it('a NUL byte (binary file), with its line', () => {
      const e = userError(() => parseWordList(utf8('emma\nav\0a\nbob\n'), 'bin.dat'));
      expect(e.message).toMatch(/^bin\.dat:2: /);
      expect(e.message).toMatch(/NUL byte/);
      expect(e.message).toMatch(/binary/);
    });

    it('a NUL byte after lone-CR lines, with its line', () => {
      expect(userError(() => parseWordList('emma\rava\r\nb\0b\n', 'cr.txt')).message).toMatch(/^cr\.txt:3: /);
    });

    it.each([
      ['ESC', 'emma\nav\x1b[31ma\n', '\\x1b', 2],
      ['BEL', 'emma\rava\rb\x07ob\n', '\\x07', 3],
      ['a tab inside a word', 'emma\tava\n', '\\x09', 1],
      ['DEL', 'emma\n\nav\x7fa', '\\x7f', 3],
      ['a C1 control (CSI)', 'em\u009bma', '\\x9b', 1],
    ])('a control character (%s), with its line, escaped in the message', (_name, text, shown, line) => {
      const e = userError(() => parseWordList(text, 'ctl.txt'));
      expect(e.message).toBe(`ctl.txt:${line}: contains the control character ${shown}; expected one word of printable symbols per line`);
    });

    it('invalid UTF-8, with the line of the first bad byte', () => {
      const bytes = new Uint8Array([...utf8('emma\nava\n'), 0xff, 0xfe, 0x61, 0x0a, ...utf8('bob\n')]);
      const e = userError(() => parseWordList(bytes, 'latin.txt'));
      expect(e.message).toMatch(/^latin\.txt:3: /);
      expect(e.message).toMatch(/not valid UTF-8/);
      // A multi-byte sequence cut by the end of its line (é = C3 A9 without the A9).
      const cut = new Uint8Array([...utf8('a\nb\nc\n'), 0x78, 0xc3, 0x0a, ...utf8('d\n')]);
      expect(userError(() => parseWordList(cut, 'cut.txt')).message).toMatch(/^cut\.txt:4: not valid UTF-8/);
      // A UTF-16 file (BOM FF FE) fails on line 1.
      const utf16 = new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x0a, 0x00]);
      expect(userError(() => parseWordList(utf16, 'utf16.txt')).message).toMatch(/^utf16\.txt:1: /);
    });

    it('a vocabulary above MAX_VOCAB, naming the symbols past the limit', () => {
      const symbol = (i: number) => String.fromCodePoint(0x4e00 + i);
      // MAX_VOCAB − 1 data symbols fit (the boundary is the last one).
      const fits = Array.from({ length: MAX_VOCAB - 1 }, (_, i) => symbol(i));
      expect(vocabSize(parseWordList(fits.join('\n'), 'ok.txt'))).toBe(MAX_VOCAB);
      const over = Array.from({ length: MAX_VOCAB + 5 }, (_, i) => symbol(i));
      const e = userError(() => parseWordList(over.reverse().join('\n'), 'cjk.txt'));
      expect(e.message).toMatch(/^cjk\.txt: vocabulary has 1030 symbols/);
      expect(e.message).toContain(String(MAX_VOCAB));
      // Past the limit: sorted data symbols number MAX_VOCAB−1 onwards.
      for (let i = MAX_VOCAB - 1; i < MAX_VOCAB + 5; i++) expect(e.message).toContain(JSON.stringify(symbol(i)));
      expect(e.message).not.toContain(JSON.stringify(symbol(MAX_VOCAB - 2)));
    });

    it('a line longer than MAX_WORD_LENGTH, with its line', () => {
      const long = 'a'.repeat(MAX_WORD_LENGTH + 1);
      const e = userError(() => parseWordList(`emma\n\nava\n${long}\n`, 'long.txt'));
      expect(e.message).toMatch(/^long\.txt:4: line is 1001 symbols long/);
      // The limit counts symbols, not UTF-16 units: 1000 emoji are fine.
      expect(parseWordList('😀'.repeat(MAX_WORD_LENGTH), 'x').words).toHaveLength(1);
      expect(parseWordList('a'.repeat(MAX_WORD_LENGTH), 'x').words).toHaveLength(1);
    });
  });
});

describe('datasetFromWords', () => {
  it('gives each word length + 1 examples, starting and ending at the boundary', () => {
    const words = ['a', 'bb', 'ccc', 'abcabc'];
    const d = datasetFromWords(words, 'w');
    expect(d.xs.length).toBe(words.reduce((n, w) => n + w.length + 1, 0));
    let k = 0;
    for (const w of words) {
      expect(d.xs[k]).toBe(0);
      const tokens = [d.xs[k]];
      for (let i = 0; i <= w.length; i++) {
        expect(d.symbols[d.ys[k + i]]).toBe(i < w.length ? w[i] : BOUNDARY);
        tokens.push(d.ys[k + i]);
        if (i > 0) expect(d.xs[k + i]).toBe(d.ys[k + i - 1]);
      }
      expect(decode(d.symbols, tokens)).toBe(w);
      k += w.length + 1;
    }
  });

  it('describes itself in one line', () => {
    const text = describeDataset(datasetFromWords(['emma', 'ava'], 'tiny'));
    expect(text).toBe('tiny: 2 words, 9 examples, vocabulary 5 (. + aemv)');
    expect(describeDataset(datasetFromWords(['emma'], 'one'))).toBe('one: 1 word, 5 examples, vocabulary 4 (. + aem)');
  });

  it('escapeForTerminal writes control characters as \\xHH and leaves the rest', () => {
    expect(escapeForTerminal('a\x1b[2Jb\x07c\u009b\x7f é😀')).toBe('a\\x1b[2Jb\\x07c\\x9b\\x7f é😀');
  });
});

describe('splitWords', () => {
  const words = loadDefaultDataset().words;

  it('splits 80/10/10, disjoint, covering every word', () => {
    const s = splitWords(words, 1);
    const n = words.length;
    expect(s.train.length).toBe(Math.floor(0.8 * n));
    expect(s.dev.length).toBe(Math.floor(0.9 * n) - Math.floor(0.8 * n));
    expect(s.test.length).toBe(n - Math.floor(0.9 * n));
    const all = [...s.train, ...s.dev, ...s.test];
    expect(new Set(all).size).toBe(n); // the default words are distinct, so no word was used twice
    expect([...all].sort()).toEqual([...words].sort());
  });

  it('holds out the given shares: the default is the 80/10/10 cut exactly, makemore\'s 1,000 test words and no dev', () => {
    expect(splitWords(words, 5, DEFAULT_SPLIT)).toEqual(splitWords(words, 5));
    for (const n of [1, 7, 10, 33, 8422, 32033]) {
      const s = splitWords(Array.from({ length: n }, (_, i) => i), 2);
      expect([s.train.length, s.dev.length]).toEqual([Math.floor(0.8 * n), Math.floor(0.9 * n) - Math.floor(0.8 * n)]);
    }
    const m = splitWords(Array.from({ length: 32033 }, (_, i) => i), 3, { dev: 0, test: 0.0312 });
    expect([m.train.length, m.dev.length, m.test.length]).toEqual([31033, 0, 1000]);
    const t = splitWords(words, 1, { dev: 0.25, test: 0.05 });
    expect(t.test.length).toBe(words.length - Math.floor(0.95 * words.length));
    expect(t.dev.length).toBe(Math.floor(0.95 * words.length) - Math.floor(0.7 * words.length));
    expect([...t.train, ...t.dev, ...t.test].sort()).toEqual([...words].sort());
  });

  it('is reproducible per seed, shuffled, and different for another seed', () => {
    const a = splitWords(words, 1);
    expect(splitWords(words, 1)).toEqual(a);
    const b = splitWords(words, 2);
    expect(b.train).not.toEqual(a.train);
    // Shuffled, not the sorted input cut in three.
    expect(a.train).not.toEqual(words.slice(0, a.train.length));
    // Does not touch its input.
    expect(words).toEqual([...words].sort());
  });

  it('handles tiny lists', () => {
    expect(splitWords([], 3)).toEqual({ train: [], dev: [], test: [] });
    const s = splitWords(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], 3);
    expect([s.train.length, s.dev.length, s.test.length]).toEqual([8, 1, 1]);
  });
});

describe('default dataset', () => {
  const d = loadDefaultDataset();

  it('loads the bundled names: more than 8000 words, lowercase, de-duplicated, sorted', () => {
    expect(d.source).toBe(DEFAULT_SOURCE);
    expect(d.words.length).toBeGreaterThan(8000);
    for (let i = 0; i < d.words.length; i++) {
      const w = d.words[i];
      expect(w).toBe(w.toLowerCase());
      expect(w).toBe(w.trim());
      expect(w.length).toBeGreaterThan(0);
      if (i > 0) expect(d.words[i - 1] < w, `${d.words[i - 1]} < ${w}`).toBe(true); // strictly: sorted and distinct
    }
  });

  it('has the boundary first, then the letters, and one example per symbol plus one per word', () => {
    expect(d.symbols[0]).toBe(BOUNDARY);
    for (const c of 'abcdefghijklmnopqrstuvwxyz') expect(d.symbols).toContain(c);
    expect(d.symbols.length).toBeLessThan(40);
    expect(d.xs.length).toBe(d.words.reduce((n, w) => n + [...w].length + 1, 0));
  });

  it('combines texts the documented way', () => {
    expect(defaultWords('Anna\nBob\n', 'bob\r\n  Carl \n\n', '')).toEqual(['anna', 'bob', 'carl']);
  });
});
