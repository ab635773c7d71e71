/** Input text and model files as the CLI reads them: line ends, control characters, fields checked like flags, output escaped. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_FORMAT, MODEL_VERSION } from '../src/models/modelFile.ts';
import { oneJson, runCli, tempWordList } from './helpers/cli.ts';

const { dir, words } = tempWordList('makemore-input-');

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe.concurrent('input text', () => {
  it('lone CR line ends: one word a line, no "\\r" symbol', async () => {
    const path = file('mac.txt', 'emma\rava\rbob\r');
    const r = await runCli(['train', '--model', 'bigram-counts', '--input', path, '--samples', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${path}: 3 words, 13 examples, vocabulary 7 (. + abemov)`);
  });

  it('one word: "1 word"', async () => {
    const r = await runCli(['train', '--model', 'bigram-counts', '--input', file('one.txt', 'emma\n'), '--samples', '0']);
    expect(r.stdout).toContain(': 1 word, 5 examples');
  });

  it('a control character is refused naming the file and line, escaped', async () => {
    const path = file('esc.txt', 'emma\nava\x1b[2J\x07\n');
    const r = await runCli(['train', '--input', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`makemore: ${path}:2: contains the control character \\x1b; expected one word of printable symbols per line\n`);
  });

  it('a path with control characters is printed escaped', async () => {
    const path = join(dir, 'no\x1b[31mfile\x07.txt');
    const r = await runCli(['train', '--input', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(r.stderr).toBe(`makemore: ${join(dir, 'no\\x1b[31mfile\\x07.txt')}: no such file\n`);
  });

  it('an empty sample shows as "(empty)"; --json keeps ""', async () => {
    // Heavy smoothing: the boundary follows the boundary about one time in V.
    const args = ['train', '--model', 'bigram-counts', '--input', words, '--smoothing', '1000000', '--samples', '200', '--seed', '1'];
    const [plain, json] = await Promise.all([runCli(args), runCli([...args, '--json'])]);
    const samples = oneJson(json).samples as string[];
    expect(samples).toContain('');
    const listed = plain.stdout.slice(plain.stdout.indexOf('samples:\n') + 9).trimEnd().split('\n').map((l) => l.slice(2));
    expect(listed).toEqual(samples.map((s) => (s === '' ? '(empty)' : s)));
  });
});

describe.concurrent('model files: every field checked like its flag', () => {
  const counts = (hyper: unknown, weights = [1, 1, 1, 1, 1, 1, 1, 1, 1]) =>
    JSON.stringify({ format: MODEL_FORMAT, version: MODEL_VERSION, kind: 'bigram-counts', symbols: ['.', 'a', 'b'], hyper, steps: 0, loss: 1, nll: 1, weights });

  it.each([
    ['neg.json', counts({ smoothing: -1 }), '"hyper.smoothing" must be a finite number ≥ 0, got -1'],
    ['str.json', counts({ smoothing: 'one' }), '"hyper.smoothing" must be a finite number ≥ 0, got "one"'],
    ['zero.json', counts({ smoothing: 0 }, [1, 1, 1, 0, 0, 0, 1, 1, 1]), 'the counts after "a" are all 0 and "hyper.smoothing" is 0: nothing can follow it'],
  ])('sample --load %s: one line, no RangeError', async (name, text, message) => {
    const path = file(name, text);
    const r = await runCli(['sample', '--load', path, '--count', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`makemore: ${path}: corrupted model file: ${message}\n`);
  });

  it('sample --count 0 prints nothing, not a blank line', async () => {
    const path = file('ok.json', counts({ smoothing: 1 }));
    const r = await runCli(['sample', '--load', path, '--count', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('sample --load a directory, in plain words', async () => {
    const r = await runCli(['sample', '--load', dir]);
    expect(r.stderr).toBe(`makemore: ${dir}: is a directory, not a file\n`);
  });
});
