/**
 * The page trains makemore's own MLP and bigram, end to end (as ladder.test.ts the RNN, GRU and
 * bag of words): the MLP's fields come from the registry, the bigram has none; a tiny run of
 * each (the MLP on the GPU, the bigram in the CPU worker) shows the train, dev and test losses
 * of the CLI's runTraining in Node for the same hyper-parameters, and a curve named after it.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { DEFAULT_NET_HYPER, DEFAULT_SEQUENCE_HYPER, type SequenceHyper } from '../../src/train/hyper.ts';
import { runTraining } from '../../src/train/run.ts';
import { byTestId, chartLines, errorText, gpuStatus, samples, waitForStatus } from './app.ts';
import { openPage } from './browser.ts';
import { servedSite } from './site.ts';

type Kind = 'makemore-mlp' | 'makemore-bigram';
const RUN_MS = 60_000;
const HYPER: SequenceHyper = { ...DEFAULT_SEQUENCE_HYPER, nEmbd: 8, nEmbd2: 8, steps: 20, lr: 0.01, lrFinal: 0.01 };
const FIELDS: Record<Kind, Record<string, number>> = { 'makemore-mlp': { 'makemore-mlp-n-embd': 8, 'makemore-mlp-n-embd2': 8 }, 'makemore-bigram': {} };

const served = servedSite();
const names = loadDefaultDataset();

async function splitLosses(page: Page) {
  const read = async (id: string) => Number(await byTestId(page, id).textContent());
  return { train: await read('train-loss'), dev: await read('dev-loss'), test: await read('test-loss') };
}

describe('the page: makemore’s MLP and bigram', () => {
  it('offers their fields; a short run of each gives the CLI’s losses', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    expect((await gpuStatus(page)).state).toBe('ready');
    await byTestId(page, 'model-select').selectOption('makemore-mlp');
    expect(await Promise.all(['makemore-mlp-n-embd', 'makemore-mlp-n-embd2'].map((id) => byTestId(page, id).inputValue()))).toEqual(['64', '64']);
    expect(await page.locator('label[for="makemore-mlp-n-embd2"]').textContent()).toBe('Hidden units hidden tanh units (n_embd2)');
    await byTestId(page, 'model-select').selectOption('makemore-bigram');
    for (const id of ['makemore-mlp-n-embd', 'n-embd', 'block-size', 'reg']) expect(await byTestId(page, id).isVisible(), id).toBe(false);
    for (const id of ['steps', 'learning-rate', 'batch-size', 'seed']) expect(await byTestId(page, id).isVisible(), id).toBe(true);

    for (const [kind, device, tol] of [['makemore-mlp', 'gpu', 1e-3], ['makemore-bigram', 'cpu', 1e-4]] as const) {
      await byTestId(page, 'model-select').selectOption(kind);
      await byTestId(page, 'device-select').selectOption(device);
      for (const [id, v] of Object.entries({ ...FIELDS[kind], steps: HYPER.steps, 'learning-rate': HYPER.lr })) await byTestId(page, id).fill(String(v));
      await byTestId(page, 'train').click();
      if (await waitForStatus(page, ['done', 'error'], RUN_MS) === 'error') throw new Error(`the ${kind} run failed: ${await errorText(page)}`);
      const onPage = await splitLosses(page);
      const r = await runTraining(names, { model: kind, device: 'cpu', hyper: DEFAULT_NET_HYPER, mlp: HYPER as never, smoothing: 1, samples: 0 });
      const node = { train: r.loss, dev: r.devLoss!, test: r.testLoss! };
      for (const k of ['train', 'dev', 'test'] as const) expect(Math.abs(onPage[k] - node[k]), `${kind} ${k}: ${onPage[k]} vs ${node[k]}`).toBeLessThan(tol);
      expect(await samples(page)).toHaveLength(20);
    }
    const lines = await chartLines(page);
    expect(lines).toContain("makemore's MLP GPU seed 42, lr 0.01, batch 32, n-embd 8 n-embd2 8 (dev)");
    expect(lines).toContain("makemore's bigram CPU seed 42, lr 0.01, batch 32 (dev)");
    expect(problems).toEqual([]);
    await page.close();
  }, 4 * RUN_MS);
});
