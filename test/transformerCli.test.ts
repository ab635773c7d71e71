/** `makemore train --model transformer` and `sample` of its model files, through the real entry point. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWordList } from '../src/data/dataset.ts';
import { modelSamples, parseModel } from '../src/models/modelFile.ts';
import { DEFAULT_NET_HYPER } from '../src/train/hyper.ts';
import { runTraining } from '../src/train/run.ts';
import { oneJson, runCli, tempWordList } from './helpers/cli.ts';

const { dir, words, wordsText } = tempWordList('makemore-transformer-cli-');
const SMALL = ['--n-layer', '1', '--n-head', '2', '--n-embd', '8', '--batch-size', '4', '--seed', '3'];

describe('makemore train --model transformer', () => {
  it('--json: losses over whole splits, the parameter count, equal to an in-process run; save, then sample --load', async () => {
    const model = join(dir, 'transformer.json');
    const r = await runCli(['train', '--model', 'transformer', '--input', words, ...SMALL, '--steps', '4', '--samples', '3', '--save', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r);
    expect(out).toMatchObject({ model: 'transformer', optimizer: 'adamw', steps: 4 });
    for (const key of ['loss', 'devLoss', 'testLoss', 'msPerStep', 'parameters']) expect(typeof out[key], key).toBe('number');
    const m = parseModel(readFileSync(model, 'utf8'), model);
    const d = parseWordList(wordsText, words);
    const T = Math.max(...d.words.map((w) => [...w].length)) + 1;
    expect(m.hyper).toMatchObject({ nLayer: 1, nHead: 2, nEmbd: 8, blockSize: T, lr: 5e-4, lrFinal: 5e-4, optimizer: 'adamw' });
    expect(m.tensors?.slice(0, 2)).toEqual([{ name: 'wte', shape: [d.symbols.length, 8] }, { name: 'wpe', shape: [T, 8] }]);
    expect(out.parameters).toBe(m.weights.length);
    const lib = await runTraining(d, { model: 'transformer', device: 'cpu', hyper: DEFAULT_NET_HYPER, mlp: { ...(m.hyper as object), blockSize: 0 } as never, smoothing: 1, samples: 3 });
    expect([out.loss, out.devLoss, out.testLoss]).toEqual([lib.loss, lib.devLoss, lib.testLoss]);
    expect(out.samples).toEqual(lib.samples);
    const s = oneJson(await runCli(['sample', '--load', model, '--count', '5', '--seed', '2', '--json']));
    expect(s).toEqual({ model: 'transformer', samples: modelSamples(m, 5, 2) });
    for (const w of s.samples as string[]) expect([...w].length).toBeLessThan(T);
  });

  it('--top-k 1 samples the likeliest symbol every time: one word, repeated; --temperature must be positive; samples are marked by the split', async () => {
    const r = await runCli(['train', '--model', 'transformer', '--input', words, ...SMALL, '--steps', '3', '--samples', '4', '--top-k', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r);
    const samples = out.samples as string[];
    expect(new Set(samples).size).toBe(1);
    expect(out.sampleOrigins).toHaveLength(4);
    for (const o of out.sampleOrigins as string[]) expect(['train', 'dev', 'test', 'new']).toContain(o);
    const bad = await runCli(['train', '--model', 'transformer', '--input', words, ...SMALL, '--steps', '2', '--temperature', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--temperature must be a finite number > 0, got 0');
  });

  it('--dev-share and --test-share set the split (as the JSON reports it); a split that leaves nothing to train on is refused', async () => {
    const d = parseWordList(wordsText, words);
    const r = await runCli(['train', '--model', 'transformer', '--input', words, ...SMALL, '--steps', '2', '--samples', '0', '--dev-share', '0', '--test-share', '0.25', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const n = d.words.length;
    expect((oneJson(r).split as { train: { words: number }; dev: { words: number }; test: { words: number } })).toMatchObject({
      train: { words: Math.floor(0.75 * n) }, dev: { words: 0 }, test: { words: n - Math.floor(0.75 * n) },
    });
    expect(oneJson(r).devLoss).toBeNull();
    for (const [args, needle] of [
      [['--test-share', '1'], '--test-share must be a finite number ≥ 0 and < 1, got 1'],
      [['--dev-share', '0.5', '--test-share', '0.5'], '--dev-share 0.5 and --test-share 0.5 must leave a share of the words to train on'],
    ] as const) {
      const bad = await runCli(['train', '--model', 'transformer', '--input', words, ...SMALL, '--steps', '2', '--samples', '0', ...args]);
      expect(bad.code, bad.stderr).toBe(1);
      expect(bad.stderr).toContain(needle);
    }
    const bigram = await runCli(['train', '--input', words, '--steps', '2', '--dev-share', '0.2']);
    expect(bigram.stderr).toContain('--dev-share does not apply to --model bigram-nn; it applies to train --model mlp');
  });

  it("--shuffle torch splits by PyTorch's torch.randperm (makemore.py's split) and the model file says so; another shuffle is refused", async () => {
    const file = join(dir, 'shuffled.json');
    const run = (shuffle: string[]) => runCli(['train', '--model', 'transformer', '--input', words, ...SMALL, '--steps', '2', '--samples', '0', '--dev-share', '0', '--test-share', '0.25', ...shuffle, '--json', '--save', file]);
    const own = await run([]);
    const torch = await run(['--shuffle', 'torch']);
    expect(torch.code, torch.stderr).toBe(0);
    expect(parseModel(readFileSync(file, 'utf8'), file).hyper.shuffle).toBe('torch');
    // The same numbers of words, other words: other numbers of targets, other losses after the same two steps.
    const wordCounts = (r: typeof own) => Object.values(oneJson(r).split as Record<string, { words: number }>).map((s) => s.words);
    expect(wordCounts(torch)).toEqual(wordCounts(own));
    expect(oneJson(torch).split).not.toEqual(oneJson(own).split);
    expect(oneJson(torch).testLoss).not.toBe(oneJson(own).testLoss);
    const bad = await run(['--shuffle', 'numpy']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--shuffle must be one of philox, torch, got "numpy"');
    const bigram = await runCli(['train', '--input', words, '--steps', '2', '--shuffle', 'torch']);
    expect(bigram.stderr).toContain('--shuffle does not apply to --model bigram-nn');
  });

  it.each([
    [['--n-head', '3'], '--n-embd must be a multiple of --n-head: 8 channels do not split into 3 heads'],
    [['--n-layer', '0'], '--n-layer must be an integer from 1 to'],
    [['--hidden', '10'], '--hidden does not apply to --model transformer'],
    [['--block-size', '8'], '--block-size does not apply to --model transformer'],
    [['--reg', '0.1'], '--reg does not apply to --model transformer'],
  ])('refuses %j', async (args, needle) => {
    const r = await runCli(['train', '--model', 'transformer', '--input', words, ...SMALL, '--steps', '2', '--samples', '0', ...args]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(needle);
  });
});
