/**
 * The public API (src/index.ts, src/node.ts) on the CPU: what each export promises, and a
 * message that names the problem for each bad input. test/package.test.ts runs the built
 * package, on the GPU too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as browserEntry from '../src/index.ts';
import * as nodeEntry from '../src/node.ts';
import {
  createTrainer, datasetFromWords, DivergedError, loadDefaultNames, loadModelFile, modelDefaults, modelKinds, parseModel, parseWordList, readWordList,
  sample, saveModelFile, serializeModel, trainLoop, UserError,
} from '../src/node.ts';
import { runTraining } from '../src/train/run.ts';
import { DEFAULT_NET_HYPER, DEFAULT_SMOOTHING } from '../src/train/hyper.ts';

const dir = mkdtempSync(join(tmpdir(), 'makemore-library-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const names = parseWordList('emma\nolivia\nava\nisabella\nsophia\nmia\ncharlotte\namelia\nharper\nevelyn\n', 'ten names');

describe('the entries', () => {
  it('export the same names, the Node entry adding its file helpers, and nothing else', () => {
    const common = ['DivergedError', 'InterruptedError', 'UserError', 'createTrainer', 'datasetFromWords', 'loadDefaultNames', 'modelDefaults', 'modelKinds', 'openGpu',
      'parseModel', 'parseWordList', 'sample', 'serializeModel', 'trainLoop'];
    expect(Object.keys(browserEntry).sort()).toEqual(common);
    expect(Object.keys(nodeEntry).sort()).toEqual([...common, 'loadModelFile', 'readWordList', 'saveModelFile'].sort());
  });

  it('load the same bundled names in a page (the packages\' JSON) and in Node (their text files)', async () => {
    const [page, node] = [await browserEntry.loadDefaultNames(), await loadDefaultNames()];
    expect(page.words).toEqual(node.words);
    expect(page.words).toHaveLength(8422);
    expect(page.symbols).toEqual(node.symbols);
  });
});

describe('createTrainer and trainLoop', () => {
  it('train the neural bigram to the CLI\'s run: the same losses, weights and samples', async () => {
    const trainer = await createTrainer('bigram-nn', names, { hyper: { steps: 30, lr: 10 } });
    expect(trainer.hyper).toEqual({ ...DEFAULT_NET_HYPER, steps: 30, lr: 10 });
    const progress: number[] = [];
    const result = await trainLoop(trainer, { onProgress: (p) => progress.push(p.step) });
    expect(result.stepsDone).toBe(30);
    expect(progress.at(-1)).toBe(30);
    expect(trainer.step).toBe(30);
    const model = await trainer.modelFile();
    const cli = await runTraining(names, { model: 'bigram-nn', device: 'cpu', hyper: trainer.hyper, smoothing: 1, samples: 5 });
    expect(model).toEqual(cli.model);
    expect(sample(model, 5)).toEqual(cli.samples);
    // The steps planned are done: a second loop has none left, unless asked for more.
    expect((await trainLoop(trainer)).stepsDone).toBe(0);
    expect((await trainLoop(trainer, { steps: 5 })).stepsDone).toBe(5);
    expect(trainer.step).toBe(35);
    trainer.dispose();
  });

  it('train a neural model on its split, evaluated on train, dev and test as its model file says', async () => {
    const trainer = await createTrainer('mlp', names, { hyper: { steps: 20, hidden: 16, devShare: 0.2, testShare: 0.2 } });
    await trainLoop(trainer);
    const e = await trainer.evaluate();
    expect(e.loss).toBe(e.nll);
    for (const v of [e.loss, e.devLoss, e.testLoss]) expect(v).toBeGreaterThan(0);
    const model = await trainer.modelFile(e);
    expect(model).toMatchObject({ kind: 'mlp', steps: 20, loss: e.loss, devLoss: e.devLoss, testLoss: e.testLoss });
    expect(parseModel(serializeModel(model), 'round trip')).toEqual(model);
    trainer.dispose();
  });

  it("split as makemore.py does with shuffle 'torch', and record it in the model file", async () => {
    const testLoss = async (shuffle?: 'torch') => {
      const trainer = await createTrainer('makemore-bigram', names, { hyper: { steps: 5, seed: 3407, ...(shuffle ? { shuffle } : {}) } });
      await trainLoop(trainer);
      const e = await trainer.evaluate();
      const model = await trainer.modelFile(e);
      trainer.dispose();
      return { loss: e.testLoss, shuffle: model.hyper.shuffle };
    };
    const own = await testLoss();
    const torch = await testLoss('torch');
    expect(own.shuffle).toBeUndefined();
    expect(torch.shuffle).toBe('torch');
    // Other test words, so another test loss after the same 5 steps.
    expect(torch.loss).not.toBe(own.loss);
  });

  it('set a sequence model\'s block size from the data', async () => {
    const trainer = await createTrainer('transformer', names, { hyper: { steps: 1, nLayer: 1, nEmbd: 8, nHead: 2 } });
    expect(trainer.hyper.blockSize).toBe(Math.max(...names.words.map((w) => w.length)) + 1);
    trainer.dispose();
  });

  it('count the counting bigram at once: no steps, its NLL', async () => {
    const trainer = await createTrainer('bigram-counts', names);
    expect(trainer.hyper).toEqual({ smoothing: DEFAULT_SMOOTHING });
    expect(await trainLoop(trainer)).toMatchObject({ stepsDone: 0, cancelled: false });
    const cli = await runTraining(names, { model: 'bigram-counts', device: 'cpu', hyper: DEFAULT_NET_HYPER, smoothing: DEFAULT_SMOOTHING, samples: 0 });
    expect(await trainer.modelFile()).toEqual(cli.model);
    expect((await trainer.evaluate()).nll).toBe(cli.nll);
  });

  it('stop between chunks when the signal aborts, and go on from there when called again', async () => {
    // Enough steps for several chunks (they grow to about 250 ms each, up to 1,000 steps).
    const trainer = await createTrainer('bigram-nn', names, { hyper: { steps: 5000, lr: 10 } });
    const stop = new AbortController();
    const first = await trainLoop(trainer, { signal: stop.signal, onProgress: (p) => { if (p.step >= 10) stop.abort(); } });
    expect(first.cancelled).toBe(true);
    expect(first.stepsDone).toBeGreaterThanOrEqual(10);
    expect(first.stepsDone).toBeLessThan(5000);
    const rest = await trainLoop(trainer);
    expect(first.stepsDone + rest.stepsDone).toBe(5000);
    expect(rest.cancelled).toBe(false);
    trainer.dispose();
  });

  it('throw a DivergedError that names the step and the learning rate', async () => {
    const trainer = await createTrainer('mlp', names, { hyper: { steps: 50, lr: 1e6, hidden: 8 } });
    const e = await trainLoop(trainer).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DivergedError);
    expect((e as Error).message).toMatch(/training diverged: .* step \d+.*learning rate 1000000/);
    trainer.dispose();
  });
});

describe('bad input is refused, naming the problem', () => {
  const refuses = async (work: () => unknown, message: string | RegExp) => {
    const e = await (async () => work())().then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    if (typeof message === 'string') expect((e as Error).message).toContain(message);
    else expect((e as Error).message).toMatch(message);
  };

  it('an unknown model kind, device, hyper-parameter or value', async () => {
    await refuses(() => createTrainer('lstm' as 'mlp', names), 'unknown model kind "lstm" (known: bigram-counts, bigram-nn, mlp');
    await refuses(() => createTrainer('mlp', names, { device: 'tpu' as 'gpu' }), `device must be 'cpu' or 'gpu', got "tpu"`);
    await refuses(() => createTrainer('mlp', names, { hyper: { hiden: 3 } as object }), 'hyper.hiden is not a hyper-parameter of mlp (its hyper-parameters: steps, lr');
    await refuses(() => createTrainer('transformer', names, { hyper: { blockSize: 3 } }), 'hyper.blockSize is not a hyper-parameter of transformer');
    await refuses(() => createTrainer('mlp', names, { hyper: { lr: -1 } }), 'hyper.lr must be a finite number > 0, got -1');
    await refuses(() => createTrainer('mlp', names, { hyper: { steps: '10' as unknown as number } }), 'hyper.steps must be an integer from 1 to 10,000,000, got "10"');
    await refuses(() => createTrainer('mlp', names, { hyper: { optimizer: 'adam' as 'adamw' } }), 'hyper.optimizer must be one of sgd, adamw, got "adam"');
    await refuses(() => createTrainer('bigram-nn', names, { hyper: { optimizer: 'sgd' } as object }), 'hyper.optimizer is not a hyper-parameter of bigram-nn');
    await refuses(() => createTrainer('rnn', names, { hyper: { shuffle: 'numpy' as 'torch' } }), `hyper.shuffle must be one of philox, torch (torch: makemore.py's split), got "numpy"`);
    await refuses(() => createTrainer('mlp', names, { hyper: { devShare: 0.5, testShare: 0.5 } }), 'must leave a share of the words to train on');
    await refuses(() => createTrainer('mlp', { words: ['a'] } as never), 'the data must be a Dataset, as parseWordList or datasetFromWords return it');
    await refuses(() => createTrainer('mlp', names, { device: 'gpu', gpu: { description: 'mine', software: false } }), 'options.gpu must be a GpuDevice opened by openGpu()');
    await refuses(() => trainLoop({} as never), 'trainLoop needs a trainer made by createTrainer');
    // The main entry finds no navigator.gpu in Node, and says where Node's GPU is.
    await refuses(() => browserEntry.createTrainer('bigram-nn', names, { device: 'gpu' }), "import createTrainer and openGpu from 'makemore-webgpu/node'");
  });

  it('bad sampling options and files', async () => {
    const trainer = await createTrainer('bigram-counts', datasetFromWords(['ab', 'ba'], 'two words'));
    const model = await trainer.modelFile();
    await refuses(() => sample(model, -1), 'count must be an integer from 0 to 100,000, got -1');
    await refuses(() => sample(model, 3, { temperature: 0 }), 'temperature must be a finite number > 0, got 0');
    await refuses(() => readWordList(join(dir, 'missing.txt')), 'missing.txt: no such file');
    await refuses(() => saveModelFile(join(dir, 'no-folder', 'm.json'), model), /the folder .*no-folder does not exist/);
    writeFileSync(join(dir, 'bad.json'), '{"format": "other"}');
    await refuses(() => loadModelFile(join(dir, 'bad.json')), 'not a model file of this tool');
  });
});

describe('the Node file helpers', () => {
  it('read a word list and round-trip a model file', async () => {
    writeFileSync(join(dir, 'words.txt'), 'Emma\nAva\n');
    expect(readWordList(join(dir, 'words.txt'), { lowercase: true }).words).toEqual(['emma', 'ava']);
    const trainer = await createTrainer('bigram-nn', names, { hyper: { steps: 3 } });
    await trainLoop(trainer);
    const model = await trainer.modelFile();
    saveModelFile(join(dir, 'model.json'), model);
    expect(loadModelFile(join(dir, 'model.json'))).toEqual(model);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe(serializeModel(model));
    expect(modelKinds).toContain('gru');
    expect(modelDefaults('gru')).toMatchObject({ optimizer: 'adamw', nEmbd: 64 });
    trainer.dispose();
  });
});
