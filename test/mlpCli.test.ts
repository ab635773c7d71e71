/** `makemore train --model mlp` and `sample` of its model files, through the real entry point. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWordList } from '../src/data/dataset.ts';
import { modelSamples, parseModel } from '../src/models/modelFile.ts';
import { DEFAULT_MLP_HYPER, DEFAULT_NET_HYPER } from '../src/train/hyper.ts';
import { runTraining } from '../src/train/run.ts';
import { oneJson, runCli, tempWordList, type CliResult } from './helpers/cli.ts';

const { dir, words, wordsText } = tempWordList('makemore-mlp-cli-');

/** Exit 0 and exactly one JSON object on stdout. */
function okJson(r: CliResult): Record<string, unknown> {
  expect(r.code, r.stderr).toBe(0);
  return oneJson(r);
}

function expectUserError(r: CliResult, needle: string | RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.split('\n');
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^makemore: /);
  if (typeof needle === 'string') expect(lines[0]).toContain(needle);
  else expect(lines[0]).toMatch(needle);
}

describe('makemore train --model mlp', () => {
  it('--json: the split, train/dev/test losses over whole splits, equal to an in-process run', async () => {
    const args = ['--steps', '60', '--hidden', '24', '--embed', '5', '--block-size', '4', '--batch-size', '16', '--lr', '0.2', '--lr-final', '0.05', '--seed', '3'];
    const out = okJson(await runCli(['train', '--model', 'mlp', '--input', words, ...args, '--samples', '4', '--json']));
    const d = parseWordList(wordsText, words);
    expect(out).toMatchObject({ model: 'mlp', device: 'cpu', steps: 60, dataset: { words: d.words.length, examples: d.xs.length, vocabSize: d.symbols.length } });
    for (const key of ['loss', 'nll', 'devLoss', 'testLoss', 'msPerStep']) expect(typeof out[key], key).toBe('number');
    expect(out.loss).toBe(out.nll);
    const split = out.split as Record<string, { words: number; examples: number }>;
    expect(split.train.words + split.dev.words + split.test.words).toBe(d.words.length);
    expect(split.train.examples + split.dev.examples + split.test.examples).toBe(d.xs.length);
    const mlp = { ...DEFAULT_MLP_HYPER, steps: 60, lr: 0.2, lrFinal: 0.05, batchSize: 16, seed: 3, blockSize: 4, embed: 5, hidden: 24 };
    const lib = await runTraining(d, { model: 'mlp', device: 'cpu', hyper: DEFAULT_NET_HYPER, mlp, smoothing: 1, samples: 4 });
    expect([out.loss, out.devLoss, out.testLoss]).toEqual([lib.loss, lib.devLoss, lib.testLoss]);
    expect(out.samples).toEqual(lib.samples);
    expect(out.split).toEqual(lib.split);
  });

  it('defaults to the lecture’s recipe; --lr alone sets the final rate to a tenth; save, then sample --load', async () => {
    const model = join(dir, 'mlp.json');
    const lr = join(dir, 'mlp-lr.json');
    const [a, b] = await Promise.all([
      runCli(['train', '--model', 'mlp', '--input', words, '--steps', '3', '--samples', '0', '--save', model]),
      runCli(['train', '--model', 'mlp', '--input', words, '--steps', '3', '--samples', '0', '--hidden', '8', '--lr', '0.3', '--save', lr]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout).toMatch(/^split \d+\/\d+\/\d+ words, \d+\/\d+\/\d+ examples \(train\/dev\/test\)$/m);
    expect(a.stdout).toMatch(/^train loss \d\.\d{4} \| dev loss \d\.\d{4} \| test loss \d\.\d{4} \| 3 steps \| \d+\.\d\d ms\/step$/m);
    const m = parseModel(readFileSync(model, 'utf8'), model);
    expect(m.kind).toBe('mlp');
    expect(m.hyper).toEqual({ ...DEFAULT_MLP_HYPER, steps: 3 });
    expect(parseModel(readFileSync(lr, 'utf8'), lr).hyper).toMatchObject({ lr: 0.3, lrFinal: 0.03, hidden: 8 });
    const s = okJson(await runCli(['sample', '--load', model, '--count', '6', '--seed', '9', '--json']));
    expect(s).toEqual({ model: 'mlp', samples: modelSamples(m, 6, 9) });
    const plain = await runCli(['sample', '--load', model, '--count', '6', '--seed', '9']);
    expect(plain.stdout).toBe(modelSamples(m, 6, 9).join('\n') + '\n');
  });

  it.each([
    [['--reg', '0.1'], '--reg does not apply to --model mlp'],
    [['--smoothing', '1'], '--smoothing does not apply to --model mlp'],
    [['--batch-size', '0'], '--batch-size must be an integer from 1 to'],
    [['--block-size', '0'], '--block-size must be an integer from 1 to'],
    [['--hidden', '1.5'], '--hidden must be an integer'],
    [['--embed', 'ten'], '--embed must be an integer'],
    [['--lr-final', '0'], '--lr-final must be a finite number > 0'],
    [['--optimizer', 'adam'], '--optimizer must be one of sgd, adamw, got "adam"'],
    [['--beta1', '0.9'], '--beta1 does not apply to --optimizer sgd; it applies to --optimizer adamw'],
    [['--optimizer', 'adamw', '--beta1', '1'], '--beta1 must be a finite number ≥ 0 and < 1, got 1'],
    [['--optimizer', 'adamw', '--beta2', 'NaN'], '--beta2 must be a finite number ≥ 0 and < 1, got NaN'],
    [['--optimizer', 'adamw', '--eps', '0'], '--eps must be a finite number > 0, got 0'],
    [['--optimizer', 'adamw', '--weight-decay=-0.1'], '--weight-decay must be a finite number ≥ 0, got -0.1'],
  ])('refuses %j', async (args, needle) => {
    expectUserError(await runCli(['train', '--model', 'mlp', '--input', words, '--samples', '0', ...args]), needle);
  });

  it('--optimizer adamw: its settings in the model file and the JSON, lr 0.003 then a tenth by default, the same numbers as an in-process run', async () => {
    const model = join(dir, 'adamw.json');
    const args = ['--optimizer', 'adamw', '--steps', '40', '--hidden', '16', '--weight-decay', '0.05', '--beta2', '0.95', '--seed', '4'];
    const out = okJson(await runCli(['train', '--model', 'mlp', '--input', words, ...args, '--samples', '3', '--save', model, '--json']));
    expect(out).toMatchObject({ model: 'mlp', optimizer: 'adamw', steps: 40 });
    const m = parseModel(readFileSync(model, 'utf8'), model);
    expect(m.hyper).toMatchObject({ optimizer: 'adamw', lr: 0.003, lrFinal: 0.0003, weightDecay: 0.05, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
    expect(m.tensors?.map((t) => t.name)).toEqual(['C', 'W1', 'b1', 'W2', 'b2']);
    const d = parseWordList(wordsText, words);
    const lib = await runTraining(d, { model: 'mlp', device: 'cpu', hyper: DEFAULT_NET_HYPER, mlp: m.hyper as never, smoothing: 1, samples: 3 });
    expect([out.loss, out.devLoss, out.testLoss]).toEqual([lib.loss, lib.devLoss, lib.testLoss]);
    expect(out.parameters).toBe(m.weights.length);
  });

  it('refuses mlp flags for the bigrams, and a word list too short to split', async () => {
    const one = join(dir, 'one.txt');
    writeFileSync(one, 'solo\n');
    const [embed, short] = await Promise.all([
      runCli(['train', '--model', 'bigram-nn', '--input', words, '--embed', '4']),
      runCli(['train', '--model', 'mlp', '--input', one, '--steps', '2']),
    ]);
    expectUserError(embed, '--embed does not apply to --model bigram-nn; it applies to train --model mlp');
    expectUserError(short, 'the train split is empty');
  });

  it('a diverging run exits 1, says so, and saves nothing', async () => {
    const model = join(dir, 'diverged.json');
    // The loss explodes (finite or not) at the first steps of such a rate.
    const r = await runCli(['train', '--model', 'mlp', '--input', words, '--lr', '3e38', '--lr-final', '3e38', '--steps', '40', '--hidden', '10', '--save', model, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^makemore: training diverged: the loss (is not finite|rose to \S+) at step \d+.*the learning rate 3e\+38 is probably too high \(try 0\.1, the default\)/);
    expect(r.stdout).toBe('');
    expect(existsSync(model)).toBe(false);
  });
});
