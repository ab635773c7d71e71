/** `makemore train --model rnn|gru|bow` and `sample` of their model files, through the real entry point. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWordList } from '../src/data/dataset.ts';
import { modelSamples, parseModel } from '../src/models/modelFile.ts';
import { DEFAULT_NET_HYPER } from '../src/train/hyper.ts';
import { runTraining } from '../src/train/run.ts';
import { oneJson, runCli, tempWordList } from './helpers/cli.ts';

const { dir, words, wordsText } = tempWordList('makemore-ladder-cli-');
const SMALL = ['--n-embd', '6', '--n-embd2', '5', '--batch-size', '4', '--seed', '3'];

/** The first tensors of each kind's table, for a vocabulary V and block size T. */
const FIRST_TENSORS: Record<string, (V: number, T: number) => { name: string; shape: number[] }[]> = {
  rnn: (V) => [{ name: 'start', shape: [1, 5] }, { name: 'wte', shape: [V, 6] }, { name: 'cell.xh_to_h.w', shape: [11, 5] }],
  gru: (V) => [{ name: 'start', shape: [1, 5] }, { name: 'wte', shape: [V, 6] }, { name: 'cell.xh_to_z.w', shape: [11, 5] }],
  bow: (V, T) => [{ name: 'wte', shape: [V, 6] }, { name: 'wpe', shape: [T, 6] }, { name: 'mlp.fc.w', shape: [6, 5] }],
};

describe.each(['rnn', 'gru', 'bow'])('makemore train --model %s', (kind) => {
  it('--json: losses over whole splits, the parameter count, equal to an in-process run; save, then sample --load', async () => {
    const model = join(dir, `${kind}.json`);
    const r = await runCli(['train', '--model', kind, '--input', words, ...SMALL, '--steps', '4', '--samples', '3', '--save', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r);
    expect(out).toMatchObject({ model: kind, optimizer: 'adamw', steps: 4 });
    for (const key of ['loss', 'devLoss', 'testLoss', 'msPerStep', 'parameters']) expect(typeof out[key], key).toBe('number');
    const m = parseModel(readFileSync(model, 'utf8'), model);
    const d = parseWordList(wordsText, words);
    const V = d.symbols.length;
    const T = Math.max(...d.words.map((w) => [...w].length)) + 1;
    expect(m.hyper).toMatchObject({ nEmbd: 6, nEmbd2: 5, blockSize: T, lr: 5e-4, lrFinal: 5e-4, beta1: 0.9, beta2: 0.99, weightDecay: 0.01, optimizer: 'adamw' });
    expect(m.tensors?.slice(0, 3)).toEqual(FIRST_TENSORS[kind](V, T));
    expect(out.parameters).toBe(m.weights.length);
    const lib = await runTraining(d, { model: kind as never, device: 'cpu', hyper: DEFAULT_NET_HYPER, mlp: { ...(m.hyper as object), blockSize: 0 } as never, smoothing: 1, samples: 3 });
    expect([out.loss, out.devLoss, out.testLoss]).toEqual([lib.loss, lib.devLoss, lib.testLoss]);
    expect(out.samples).toEqual(lib.samples);
    const s = oneJson(await runCli(['sample', '--load', model, '--count', '5', '--seed', '2', '--json']));
    expect(s).toEqual({ model: kind, samples: modelSamples(m, 5, 2) });
    for (const w of s.samples as string[]) expect([...w].length).toBeLessThan(T);
  });

  it.each([
    [['--n-embd2', '0'], '--n-embd2 must be an integer from 1 to 4096, got 0'],
    [['--n-head', '2'], `--n-head does not apply to --model ${kind}`],
    [['--hidden', '10'], `--hidden does not apply to --model ${kind}`],
    [['--block-size', '8'], `--block-size does not apply to --model ${kind}`],
    [['--reg', '0.1'], `--reg does not apply to --model ${kind}`],
  ])('refuses %j', async (args, needle) => {
    const r = await runCli(['train', '--model', kind, '--input', words, ...SMALL, '--steps', '2', '--samples', '0', ...args]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(needle);
  });
});
