/**
 * makemore's own mlp and bigram through the real entry point: `train --model makemore-mlp|
 * makemore-bigram` and `sample` of their model files; makemore.py's command line, whose
 * `--type mlp` and `--type bigram` are these models.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWordList } from '../src/data/dataset.ts';
import { modelSamples, parseModel } from '../src/models/modelFile.ts';
import { DEFAULT_NET_HYPER } from '../src/train/hyper.ts';
import { runTraining } from '../src/train/run.ts';
import { oneJson, runCli, tempWordList } from './helpers/cli.ts';

const { dir, words, wordsText } = tempWordList('makemore-own-models-cli-');
const d = parseWordList(wordsText, words);
const V = d.symbols.length;
const T = Math.max(...d.words.map((w) => [...w].length)) + 1;

const KINDS: [string, string[], (V: number, T: number) => { name: string; shape: number[] }[]][] = [
  ['makemore-mlp', ['--n-embd', '6', '--n-embd2', '5'], () => [{ name: 'wte', shape: [V + 1, 6] }, { name: 'mlp.fc.w', shape: [T * 6, 5] }, { name: 'mlp.fc.b', shape: [5] }]],
  ['makemore-bigram', [], () => [{ name: 'logits.table', shape: [V, V] }]],
];

describe.each(KINDS)('makemore train --model %s', (kind, shape, firstTensors) => {
  const args = [...shape, '--batch-size', '4', '--seed', '3'];

  it('--json: losses over whole splits, the parameter count, equal to an in-process run; save, then sample --load', async () => {
    const model = join(dir, `${kind}.json`);
    const r = await runCli(['train', '--model', kind, '--input', words, ...args, '--steps', '4', '--samples', '3', '--save', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r);
    expect(out).toMatchObject({ model: kind, optimizer: 'adamw', steps: 4 });
    const m = parseModel(readFileSync(model, 'utf8'), model);
    expect(m.hyper).toMatchObject({ blockSize: T, lr: 5e-4, lrFinal: 5e-4, beta1: 0.9, beta2: 0.99, weightDecay: 0.01, optimizer: 'adamw' });
    expect(m.tensors?.slice(0, 3)).toEqual(firstTensors(V, T));
    expect(out.parameters).toBe(m.weights.length);
    const lib = await runTraining(d, { model: kind as never, device: 'cpu', hyper: DEFAULT_NET_HYPER, mlp: { ...(m.hyper as object), blockSize: 0 } as never, smoothing: 1, samples: 3 });
    expect([out.loss, out.devLoss, out.testLoss]).toEqual([lib.loss, lib.devLoss, lib.testLoss]);
    expect(out.samples).toEqual(lib.samples);
    const s = oneJson(await runCli(['sample', '--load', model, '--count', '5', '--seed', '2', '--json']));
    expect(s).toEqual({ model: kind, samples: modelSamples(m, 5, 2) });
    for (const w of s.samples as string[]) expect([...w].length).toBeLessThan(T);
  });

  it.each([
    [['--hidden', '10'], `--hidden does not apply to --model ${kind}`],
    [['--block-size', '8'], `--block-size does not apply to --model ${kind}`],
    [['--n-head', '2'], `--n-head does not apply to --model ${kind}`],
    ...(kind === 'makemore-bigram' ? [[['--n-embd', '8'], '--n-embd does not apply to --model makemore-bigram']] : [[['--n-embd2', '0'], '--n-embd2 must be an integer from 1 to 4096, got 0']]),
  ] as [string[], string][])('refuses %j', async (extra, needle) => {
    const r = await runCli(['train', '--model', kind, '--input', words, ...args, '--steps', '2', '--samples', '0', ...extra]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(needle);
  });
});

describe('makemore.py’s command line: --type mlp and --type bigram are makemore’s own', () => {
  it.each([['mlp', 'makemore-mlp'], ['bigram', 'makemore-bigram']])('--type %s trains %s; --resume with the other type is refused', async (type, kind) => {
    const work = join(dir, `work-${type}`);
    const r = await runCli(['-i', words, '-o', work, '--type', type, '--max-steps', '10', '-b', '4', '--seed', '5', ...(type === 'mlp' ? ['--n-embd', '6', '--n-embd2', '5'] : [])]);
    expect(r.code, r.stderr).toBe(0);
    const params = type === 'mlp' ? (V + 1) * 6 + T * 6 * 5 + 5 + 5 * V + V : V * V;
    expect(r.stdout).toContain(`model #params: ${params}\n`);
    const m = parseModel(readFileSync(join(work, 'model.json'), 'utf8'), 'model.json');
    expect(m).toMatchObject({ kind, steps: 10 });
    const again = await runCli(['-i', words, '-o', work, '--resume', '--type', type === 'mlp' ? 'bigram' : 'mlp', '--max-steps', '1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`is a ${kind} model; --resume needs --type ${type}`);
  });

  it('the bigram’s first loss is ln V: a zero table', async () => {
    const work = join(dir, 'work-lnv');
    const r = await runCli(['-i', words, '-o', work, '--type', 'bigram', '--max-steps', '10', '-l', '1e-9', '-w', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`step 10 | loss ${Math.log(V).toFixed(4)} |`);
  });

  it.each([
    [['--type', 'makemore-mlp'], '--type must be one of bigram, mlp, rnn, gru, bow, transformer, got "makemore-mlp"'],
    [['--type', 'bigram', '--n-embd', '8'], '--n-embd does not apply to --type bigram'],
    [['--type', 'mlp', '--n-layer', '2'], '--n-layer does not apply to --type mlp'],
  ])('refuses %j', async (args, needle) => {
    const r = await runCli(['-i', words, '-o', join(dir, 'empty'), '--max-steps', '1', ...args]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(needle);
  });
});
