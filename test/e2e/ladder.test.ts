/**
 * The page trains the rest of makemore's ladder, end to end (as in mlp.test.ts): the RNN, the
 * GRU and the bag of words get their fields from the registry, at the page's defaults and
 * checked like the CLI's flags; a tiny run of each (the RNN on the GPU, the GRU and the bag of
 * words in the CPU worker) shows the train, dev and test losses of the CLI's runTraining in
 * Node for the same hyper-parameters, a curve named after the model and samples; a downloaded
 * GRU loads back into a fresh page and samples as Node does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { modelSamples, parseModel } from '../../src/models/modelFile.ts';
import { DEFAULT_NET_HYPER, DEFAULT_SEQUENCE_HYPER, RULES, parseNumber, type SequenceHyper } from '../../src/train/hyper.ts';
import { runTraining } from '../../src/train/run.ts';
import { byTestId, chartLines, errorText, gpuStatus, samples, waitForStatus } from './app.ts';
import { openPage } from './browser.ts';
import { ARTIFACTS, servedSite } from './site.ts';

type Kind = 'rnn' | 'gru' | 'bow';
const RUN_MS = 60_000;
/** Tiny shapes and few steps: seconds on SwiftShader; a rate that moves the loss in 20 steps. */
const HYPER: SequenceHyper = { ...DEFAULT_SEQUENCE_HYPER, nEmbd: 8, nEmbd2: 8, steps: 20, lr: 0.01, lrFinal: 0.01 };

const served = servedSite();
const names = loadDefaultDataset();

interface SplitLosses {
  train: number;
  dev: number;
  test: number;
}

/** The CLI's run in Node, on the CPU: the losses the page must show. */
async function nodeReference(kind: Kind): Promise<SplitLosses> {
  // RunOptions types the neural models' hyper-parameters as the MLP's; each model reads its own.
  const r = await runTraining(names, { model: kind, device: 'cpu', hyper: DEFAULT_NET_HYPER, mlp: HYPER as never, smoothing: 1, samples: 0 });
  return { train: r.loss, dev: r.devLoss!, test: r.testLoss! };
}

async function splitLosses(page: Page): Promise<SplitLosses> {
  const read = async (id: string) => {
    const text = (await byTestId(page, id).textContent()) ?? '';
    expect(text, `${id} is a plain number`).toMatch(/^\d+\.\d{4}$/);
    return Number(text);
  };
  return { train: await read('train-loss'), dev: await read('dev-loss'), test: await read('test-loss') };
}

function expectClose(a: SplitLosses, b: SplitLosses, tol: number, what: string): void {
  for (const k of ['train', 'dev', 'test'] as const) expect(Math.abs(a[k] - b[k]), `${what}: ${k} ${a[k]} vs ${b[k]}`).toBeLessThan(tol);
}

async function train(page: Page, kind: Kind, device: 'gpu' | 'cpu'): Promise<SplitLosses> {
  await byTestId(page, 'model-select').selectOption(kind);
  await byTestId(page, 'device-select').selectOption(device);
  const values = { [`${kind}-n-embd`]: HYPER.nEmbd, [`${kind}-n-embd2`]: HYPER.nEmbd2, steps: HYPER.steps, 'learning-rate': HYPER.lr };
  for (const [id, v] of Object.entries(values)) await byTestId(page, id).fill(String(v));
  await byTestId(page, 'train').click();
  if (await waitForStatus(page, ['done', 'error'], RUN_MS) === 'error') throw new Error(`the ${kind} run failed: ${await errorText(page)}`);
  expect(await byTestId(page, 'step').textContent()).toBe(`${HYPER.steps} / ${HYPER.steps}`);
  return splitLosses(page);
}

describe('the page: RNN, GRU and bag of words', () => {
  it('offers their fields; a short run of each gives the CLI’s losses on the GPU and the CPU worker; a GRU file loads back', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    expect((await gpuStatus(page)).state).toBe('ready');

    // The registry's fields, labelled by what n_embd2 is for each model, at makemore's defaults.
    const labels: Record<Kind, string> = { rnn: 'State', gru: 'State', bow: 'Hidden width' };
    for (const kind of ['rnn', 'gru', 'bow'] as const) {
      await byTestId(page, 'model-select').selectOption(kind);
      for (const id of [`${kind}-n-embd`, `${kind}-n-embd2`, 'steps', 'learning-rate', 'batch-size', 'seed']) expect(await byTestId(page, id).isVisible(), id).toBe(true);
      for (const id of ['n-embd', 'block-size', 'reg', 'lr-final', ...['rnn', 'gru', 'bow'].filter((k) => k !== kind).map((k) => `${k}-n-embd`)]) {
        expect(await byTestId(page, id).isVisible(), id).toBe(false);
      }
      expect(await Promise.all([`${kind}-n-embd`, `${kind}-n-embd2`, 'steps', 'learning-rate', 'batch-size', 'seed'].map((id) => byTestId(page, id).inputValue())))
        .toEqual(['64', '64', '500', '0.0005', '32', '42']);
      expect(await page.locator(`label[for="${kind}-n-embd"]`).textContent()).toMatch(/^Channels token embedding dimensions \(n_embd\)$/);
      expect(await page.locator(`label[for="${kind}-n-embd2"]`).textContent()).toMatch(new RegExp(`^${labels[kind]} .*\\(n_embd2\\)$`));
    }

    // Refused as the CLI refuses it, named by the label.
    await byTestId(page, 'bow-n-embd2').fill('0');
    await byTestId(page, 'train').click();
    const cli = (() => {
      try {
        parseNumber('Hidden width', '0', RULES.nEmbd2);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(await errorText(page)).toBe(cli);
    expect(await byTestId(page, 'bow-n-embd2').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('bow-n-embd2');

    const runs: [Kind, 'gpu' | 'cpu', number][] = [['rnn', 'gpu', 1e-3], ['gru', 'cpu', 1e-4], ['bow', 'cpu', 1e-4]];
    for (const [kind, device, tol] of runs) {
      const t0 = Date.now();
      const onPage = await train(page, kind, device);
      const node = await nodeReference(kind);
      console.log(`${kind} on the page's ${device} in ${Date.now() - t0} ms:`, onPage, 'Node:', node);
      // The worker runs the CLI's CPU trainer (to the 4 decimals shown); the GPU sums float32 in other orders.
      expectClose(onPage, node, tol, `${kind} page ${device} vs Node`);
      expect(onPage.dev, 'it learned').toBeLessThan(Math.log(names.symbols.length));
      expect(await samples(page)).toHaveLength(20);
    }
    const lines = await chartLines(page);
    for (const [label, device] of [['RNN', 'GPU'], ['GRU', 'CPU'], ['bag of words', 'CPU']]) {
      expect(lines).toContain(`${label} ${device} seed 42, lr 0.01, batch 32, n-embd 8 n-embd2 8 (dev)`);
    }
    expect(await byTestId(page, 'model-info').textContent()).toMatch(/^bag of words \(n-embd 8, n-embd2 8, block size \d+\), 20 steps, train loss \d\.\d{4}, dev loss \d\.\d{4}/);

    await page.screenshot({ path: join(ARTIFACTS, 'page-ladder.png'), fullPage: true });

    // The GRU's file: the CLI's, loaded back by a fresh page, which samples as Node does.
    await train(page, 'gru', 'cpu');
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'download-model').click()]);
    expect(download.suggestedFilename()).toBe('makemore-gru.json');
    const text = readFileSync((await download.path())!, 'utf8');
    const m = parseModel(text, 'download');
    expect(m).toMatchObject({ kind: 'gru', steps: HYPER.steps, symbols: names.symbols, hyper: { nEmbd: 8, nEmbd2: 8, lr: 0.01, batchSize: 32 } });
    expect(problems).toEqual([]);
    await page.close();

    const fresh = await openPage(served.browser.context, served.server.url);
    await byTestId(fresh.page, 'model-file').setInputFiles({ name: 'gru.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await expect.poll(() => byTestId(fresh.page, 'model-info').textContent()).toContain('loaded from gru.json');
    expect(await splitLosses(fresh.page)).toEqual({ train: Number(m.loss.toFixed(4)), dev: Number(m.devLoss!.toFixed(4)), test: Number(m.testLoss!.toFixed(4)) });
    await byTestId(fresh.page, 'sample-seed').fill('5');
    await byTestId(fresh.page, 'sample-button').click();
    expect(await samples(fresh.page)).toEqual(modelSamples(m, 20, 5));
    expect(await fresh.page.locator('#model-caption').textContent()).toBe('GRU: P(next | ., current) after 20 steps');
    expect(fresh.problems).toEqual([]);
    await fresh.page.close();
  }, 4 * RUN_MS);
});
