/**
 * Word lists → vocabulary → bigram examples.
 *
 * Shapes: N examples, V vocabulary (index 0 is the boundary token '.', then the distinct
 * symbols of the data in code-point order). A word c1..cn gives n+1 examples:
 * (. → c1), (c1 → c2), …, (cn → .).
 */
import { UserError } from '../errors.ts';

export const BOUNDARY = '.';
/** The largest vocabulary (boundary included) the models support: V×V weights stay small. */
export const MAX_VOCAB = 1024;
/** Lines longer than this many symbols are not words: likely the wrong file. */
export const MAX_WORD_LENGTH = 1000;

/** A line ends at LF, CR LF, or a lone CR (old Mac files): none of them is part of a word. */
const LINE_BREAK = /\r\n|\r|\n/;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** C0 and C1 control characters and DEL (tab, ESC, BEL…): not symbols of a word, and unsafe to print raw. */
export function isControlSymbol(c: string): boolean {
  return CONTROL.test(c);
}

/** Text from user data, safe to print to a terminal: each control character as \xHH. */
export function escapeForTerminal(text: string): string {
  return text.replace(new RegExp(CONTROL.source, 'g'), (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A word list's vocabulary and bigram examples (what parseWordList and datasetFromWords return). */
export interface Dataset {
  /** Where the words came from, for messages and reports. */
  source: string;
  words: string[];
  /** symbols[i] is the text of token i; symbols[0] is the boundary. */
  symbols: string[];
  /** Example i is (xs[i] → ys[i]). */
  xs: Uint32Array; // (N,)
  ys: Uint32Array; // (N,)
}

export interface ParseOptions {
  /** Lowercase every word before the vocabulary is taken. */
  lowercase?: boolean;
}

export function vocabSize(d: Pick<Dataset, 'symbols'>): number {
  return d.symbols.length;
}

/** Bytes or text of a word list → dataset, with errors that name the source and line. */
export function parseWordList(input: Uint8Array | string, source: string, opts: ParseOptions = {}): Dataset {
  const text = typeof input === 'string' ? input : decodeUtf8(input, source);
  if (text.length === 0) throw new UserError(`${source}: the file is empty`);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    throw new UserError(`${source}:${lineOf(text, nul)}: contains a NUL byte; this looks like a binary file, not a word list`);
  }

  const words: string[] = [];
  const lines = text.split(LINE_BREAK);
  for (let i = 0; i < lines.length; i++) {
    let word = lines[i].trim();
    if (word === '') continue;
    const control = [...word].find(isControlSymbol);
    if (control !== undefined) {
      throw new UserError(`${source}:${i + 1}: contains the control character ${escapeForTerminal(control)}; expected one word of printable symbols per line`);
    }
    if (opts.lowercase) word = word.toLowerCase();
    const length = [...word].length;
    if (length > MAX_WORD_LENGTH) {
      throw new UserError(
        `${source}:${i + 1}: line is ${length} symbols long (the limit is ${MAX_WORD_LENGTH}); expected one word per line`,
      );
    }
    words.push(word);
  }
  if (words.length === 0) throw new UserError(`${source}: no words (every line is blank)`);
  return datasetFromWords(words, source);
}

/** Words → vocabulary and examples. */
export function datasetFromWords(words: string[], source: string): Dataset {
  const seen = new Set<string>();
  for (const w of words) for (const ch of w) seen.add(ch);
  const sorted = [...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  if (sorted.length + 1 > MAX_VOCAB) {
    const over = sorted.slice(MAX_VOCAB - 1, MAX_VOCAB - 1 + 10).map((s) => JSON.stringify(s)).join(' ');
    throw new UserError(
      `${source}: vocabulary has ${sorted.length + 1} symbols (boundary included), above the maximum of ${MAX_VOCAB}; ` +
        `the first symbols past the limit: ${over}`,
    );
  }
  const symbols = [BOUNDARY, ...sorted];
  const index = new Map<string, number>();
  sorted.forEach((s, i) => index.set(s, i + 1));

  let n = 0;
  for (const w of words) n += [...w].length + 1;
  const xs = new Uint32Array(n);
  const ys = new Uint32Array(n);
  let k = 0;
  for (const w of words) {
    let prev = 0;
    for (const ch of w) {
      const cur = index.get(ch)!;
      xs[k] = prev;
      ys[k] = cur;
      k++;
      prev = cur;
    }
    xs[k] = prev;
    ys[k] = 0;
    k++;
  }
  return { source, words, symbols, xs, ys };
}

/** Token indices → text, the boundary dropped. */
export function decode(symbols: string[], tokens: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) if (tokens[i] !== 0) s += symbols[tokens[i]];
  return s;
}

export function describeDataset(d: Dataset): string {
  const shown = d.symbols.slice(1).join('');
  return `${d.source}: ${plural(d.words.length, 'word')}, ${d.xs.length} examples, vocabulary ${d.symbols.length} (. + ${shown.length > 80 ? shown.slice(0, 80) + '…' : shown})`;
}

/** "1 word", "2 words". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${source}:${lineOfFirstInvalidUtf8(bytes)}: not valid UTF-8; this looks like a binary file or another encoding`);
  }
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split(LINE_BREAK).length;
}

function lineOfFirstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 10) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}
