import { describe, expect, it } from 'vitest';
import { NET_MODELS } from '../src/models/registry.ts';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWordList } from '../src/data/dataset.ts';
import { bigramCountsCpu, countsNll, countsToProbs } from '../src/models/bigramCounts.ts';
import { modelProbabilities, parseModel } from '../src/models/modelFile.ts';
import { sampleWords } from '../src/models/sample.ts';
import { runTraining } from '../src/train/run.ts';
import { oneJson, ROOT, runCli, tempWordList, type CliResult } from './helpers/cli.ts';

const { dir, words, wordsText } = tempWordList('makemore-cli-');


/** An error exit: code 1, one line on stderr that names `needle`, no stack trace. */
function expectUserError(r: CliResult, needle: string | RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.split('\n');
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[1]).toBe('');
  expect(lines[0]).toMatch(/^makemore: /);
  if (typeof needle === 'string') expect(lines[0]).toContain(needle);
  else expect(lines[0]).toMatch(needle);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('makemore train --json', () => {
  it('bigram-nn: one JSON object with the documented fields, equal to an in-process run', async () => {
    const r = await runCli(['train', '--input', words, '--steps', '20', '--lr', '10', '--samples', '5', '--seed', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // piped stderr with --json: no progress
    const out = oneJson(r);
    const d = parseWordList(wordsText, words);
    expect(out).toMatchObject({
      model: 'bigram-nn',
      device: 'cpu',
      dataset: { words: d.words.length, examples: d.xs.length, vocabSize: d.symbols.length },
      steps: 20,
    });
    for (const key of ['loss', 'nll', 'msPerStep']) expect(typeof out[key], key).toBe('number');
    expect(out.loss as number).toBeGreaterThanOrEqual(out.nll as number);
    expect(out.msPerStep as number).toBeGreaterThanOrEqual(0);
    expect(out.samples).toHaveLength(5);
    expect((out.samples as unknown[]).every((s) => typeof s === 'string')).toBe(true);
    // The CLI is the library: the same run in-process gives the same numbers, bit for bit.
    const lib = await runTraining(d, {
      model: 'bigram-nn', device: 'cpu', hyper: { steps: 20, lr: 10, reg: 0.01, batchSize: 0, seed: 3 }, smoothing: 1, samples: 5,
    });
    expect(out.loss).toBe(lib.loss);
    expect(out.nll).toBe(lib.nll);
    expect(out.samples).toEqual(lib.samples);
  });

  it('bigram-counts: steps 0 and loss = nll = the counting NLL', async () => {
    const r = await runCli(['train', '--model', 'bigram-counts', '--input', words, '--smoothing', '0', '--samples', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r);
    const d = parseWordList(wordsText, words);
    const V = d.symbols.length;
    const counts = bigramCountsCpu(d.xs, d.ys, V);
    const nll = countsNll(counts, countsToProbs(counts, V, 0), V);
    expect(out).toMatchObject({ model: 'bigram-counts', device: 'cpu', steps: 0, loss: nll, nll });
    expect(out.samples).toHaveLength(3);
  });
});

describe('makemore train --save, sample --load', () => {
  it('sample --load --count 5 --seed 7 --json twice gives identical output, the library’s samples', async () => {
    const model = join(dir, 'nn.json');
    const t = await runCli(['train', '--input', words, '--steps', '10', '--samples', '0', '--save', model]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain(`saved ${model}`);
    const args = ['sample', '--load', model, '--count', '5', '--seed', '7', '--json'];
    const [a, b, other] = await Promise.all([runCli(args), runCli(args), runCli([...args.slice(0, -2), '8', '--json'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const out = oneJson(a);
    const m = parseModel(readFileSync(model, 'utf8'), model);
    expect(m.kind).toBe('bigram-nn');
    expect(m.steps).toBe(10);
    expect(out).toEqual({ model: 'bigram-nn', samples: sampleWords(modelProbabilities(m), m.symbols, 5, 7) });
    expect(oneJson(other).samples).not.toEqual(out.samples);
  });

  it('a counting model saves and samples; plain output is one word per line', async () => {
    const model = join(dir, 'counts.json');
    const t = await runCli(['train', '--model', 'bigram-counts', '--input', words, '--samples', '0', '--save', model]);
    expect(t.code, t.stderr).toBe(0);
    const s = await runCli(['sample', '--load', model, '--count', '4', '--seed', '7']);
    expect(s.code, s.stderr).toBe(0);
    const m = parseModel(readFileSync(model, 'utf8'), model);
    expect(m.kind).toBe('bigram-counts');
    expect(s.stdout).toBe(sampleWords(modelProbabilities(m), m.symbols, 4, 7).join('\n') + '\n');
  });

  it('a model of words containing "." loads again', async () => {
    const input = join(dir, 'dots.txt');
    writeFileSync(input, 'j.r.\nann\nst. john\n');
    const model = join(dir, 'dots.json');
    const t = await runCli(['train', '--input', input, '--steps', '5', '--samples', '0', '--save', model]);
    expect(t.code, t.stderr).toBe(0);
    const s = await runCli(['sample', '--load', model, '--count', '3', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(oneJson(s).samples).toHaveLength(3);
  });
});

describe.concurrent('bad input: exit 1 with one line naming the file or flag', () => {
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('a missing --input file', async () => {
    const path = join(dir, 'nope.txt');
    expectUserError(await runCli(['train', '--input', path]), `${path}: no such file`);
  });

  it('a directory as --input', async () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path, { recursive: true });
    expectUserError(await runCli(['train', '--input', path]), `${path}: is a directory`);
  });

  it('an empty file', async () => {
    const path = file('empty.txt', '');
    expectUserError(await runCli(['train', '--input', path]), `${path}: the file is empty`);
  });

  it('a file of blank lines', async () => {
    const path = file('blank.txt', '\n \n\n');
    expectUserError(await runCli(['train', '--input', path]), `${path}: no words`);
  });

  it('a binary file (PNG header: invalid UTF-8)', async () => {
    const path = file('image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    expectUserError(await runCli(['train', '--input', path]), `${path}:1: not valid UTF-8`);
  });

  it('a binary file (valid UTF-8 with NUL bytes)', async () => {
    const path = file('data.bin', new Uint8Array([0x61, 0x0a, 0x62, 0x00, 0x63, 0x0a]));
    expectUserError(await runCli(['train', '--model', 'bigram-counts', '--input', path]), `${path}:2: contains a NUL byte`);
  });

  it.each([
    [['--lr', 'NaN'], '--lr must be a finite number > 0, got NaN'],
    [['--lr=-1'], '--lr must be a finite number > 0, got -1'],
    [['--lr', '-1'], '--lr must be a finite number > 0, got -1'], // a negative number is a value, not a flag
    [['--lr', '0'], '--lr must be'],
    [['--steps', '0'], '--steps must be an integer'],
    [['--steps', '1.5'], '--steps must be an integer'],
    [['--steps', '10x'], '--steps must be an integer'],
    [['--reg', 'Infinity'], '--reg must be a finite number ≥ 0, got Infinity'],
    [['--seed', '0x10'], '--seed'],
    [['--batch-size', '-3'], '--batch-size must be an integer from 0 to 16,777,216, got -3'],
    [['--steps', '-1'], '--steps must be an integer from 1 to 10,000,000, got -1'],
    [['--input', '-words.txt'], '--input needs a value; for a value that starts with "-", write --input=VALUE'],
    [['--lr'], '--lr needs a value'],
    [['--json=yes'], '--json takes no value'],
    [['-z'], 'unknown option -z (see --help)'],
    [['--model', 'wavenet'], '--model must be one of bigram-counts, bigram-nn, mlp, transformer, rnn, gru, bow, makemore-mlp, makemore-bigram, got "wavenet"'],
    [['--device', 'tpu'], '--device must be one of cpu, gpu'],
    [['--bogus'], 'unknown option --bogus (see --help)'],
  ])('train %j', async (args, needle) => {
    const r = await runCli(['train', '--input', words, '--samples', '0', ...args]);
    expectUserError(r, needle);
    expect(r.stdout).toBe('');
  });

  it('an unknown command', async () => {
    expectUserError(await runCli(['fly']), 'unknown command "fly"');
  });

  it('an extra argument', async () => {
    expectUserError(await runCli(['train', 'extra']), 'unexpected argument "extra"');
  });

  it('sample without --load, with a missing file, with a word list instead of a model', async () => {
    expectUserError(await runCli(['sample']), 'sample needs --load FILE');
    const missing = join(dir, 'missing.json');
    expectUserError(await runCli(['sample', '--load', missing]), `${missing}: no such file`);
    expectUserError(await runCli(['sample', '--load', words]), `${words}: not a model file`);
    const model = file('v9.json', JSON.stringify({ format: 'makemore-webgpu/model', version: 9 }));
    expectUserError(await runCli(['sample', '--load', model]), `${model}: model file version 9 is not supported`);
  });

  it('a diverging run exits 1, says so, and saves nothing', async () => {
    const model = join(dir, 'diverged.json');
    const r = await runCli(['train', '--input', words, '--lr', '1e30', '--steps', '5', '--save', model, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^makemore: training diverged: the loss is not finite at step \d+; the learning rate 1e\+30 is probably too high/);
    expect(r.stdout).toBe('');
    expect(existsSync(model)).toBe(false);
  });
});

describe('help and progress', () => {
  it('--help exits 0 and mentions every flag', async () => {
    const [long, short, none] = await Promise.all([runCli(['--help']), runCli(['train', '-h']), runCli([])]);
    expect(long.code).toBe(0);
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(long.stdout);
    // Every option the parser accepts, read from the source so a new flag cannot go undocumented.
    const source = readFileSync(join(ROOT, 'src', 'cli', 'main.ts'), 'utf8');
    const block = source.match(/const OPTIONS = \{([\s\S]*?)\n\} as const/);
    expect(block).not.toBeNull();
    const flags = [...block![1].matchAll(/^\s*'?([a-z-]+)'?\s*:/gm)].map((m) => m[1]);
    expect(flags).toEqual(expect.arrayContaining(['model', 'input', 'lowercase', 'device', 'steps', 'lr', 'reg', 'batch-size', 'smoothing', 'seed', 'samples', 'save', 'load', 'count', 'json', 'help']));
    for (const f of flags) expect(long.stdout, `--${f}`).toMatch(new RegExp(`--${f}\\b`));
    // The neural models' own flags come from the registry: each is documented too.
    const netFlags = Object.values(NET_MODELS).flatMap((m) => m.fields.map((f) => f.flag));
    expect(netFlags).toEqual(expect.arrayContaining(['block-size', 'embed', 'hidden']));
    for (const f of netFlags) expect(long.stdout, `--${f}`).toMatch(new RegExp(`--${f}\\b`));
    for (const cmd of ['train', 'sample']) expect(long.stdout).toContain(cmd);
    // No command: the help, but exit 1.
    expect(none.code).toBe(1);
    expect(none.stdout).toBe(long.stdout);
  });

  it('piped progress prints plain lines on stderr, no carriage returns or escapes', async () => {
    const r = await runCli(['train', '--input', words, '--steps', '40', '--lr', '10', '--samples', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('\x1b');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^step \d+\/40 \| loss \d+\.\d{4} \| \d+\.\d{2} ms\/step$/);
    expect(lines.at(-1)).toMatch(/^step 40\/40 /);
    // The last line's loss is the one reported under it.
    expect(lines.at(-1)!.match(/loss (\S+)/)![1]).toBe(r.stdout.match(/^loss (\S+) \(nll/m)![1]);
    // Human output on stdout: the dataset, the loss, the samples.
    expect(r.stdout).toMatch(/words, \d+ examples, vocabulary \d+/);
    expect(r.stdout).toMatch(/loss \d+\.\d{4} \(nll \d+\.\d{4} \+ reg \d+\.\d{4}\) \| 40 steps/);
    expect(r.stdout).toMatch(/samples:\n {2}\S*\n {2}\S*\n$/);
  });

  it('--lowercase lowercases the input', async () => {
    const path = join(dir, 'upper.txt');
    writeFileSync(path, 'Emma\nAVA\n');
    const [plain, lower] = await Promise.all([
      runCli(['train', '--model', 'bigram-counts', '--input', path, '--samples', '0', '--json']),
      runCli(['train', '--model', 'bigram-counts', '--input', path, '--samples', '0', '--json', '--lowercase']),
    ]);
    expect((oneJson(plain).dataset as { vocabSize: number }).vocabSize).toBe(6); // . A E V a m
    expect((oneJson(lower).dataset as { vocabSize: number }).vocabSize).toBe(5); // . a e m v
  });
});
