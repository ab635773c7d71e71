/**
 * The page trains the context model (makemore's MLP), end to end: the built site in headless
 * Chromium with WebGPU on SwiftShader, as in page.test.ts. A GPU run and a CPU run (Web Worker)
 * of the same seed must show the same train, dev and test losses, and the CPU run the losses of
 * the CLI's CPU trainer computed here in Node; the model learns (dev loss well below ln V),
 * samples, draws its next-symbol table, and downloads and loads back as the CLI's model file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { contextData } from '../../src/data/contexts.ts';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { modelSamples, parseModel } from '../../src/models/modelFile.ts';
import { DEFAULT_MLP_HYPER, DEFAULT_TRANSFORMER_HYPER, RULES, parseNumber, type MlpHyper, type NumberRule, type TransformerHyper } from '../../src/train/hyper.ts';
import { sequenceData } from '../../src/data/sequences.ts';
import { transformerNetSpec } from '../../src/models/transformer/net.ts';
import { CpuNetTrainer } from '../../src/nn/cpuTrainer.ts';
import { cpuMlp } from '../helpers/mlpTrainers.ts';
import {
  byTestId, chartLines, errorText, gpuStatus, heatmapPixels, samples, status, waitForStatus,
} from './app.ts';
import { openPage } from './browser.ts';
import { ARTIFACTS, servedSite } from './site.ts';

/** A short run of the lecture's recipe: seconds on SwiftShader, and the loss has clearly fallen. */
const HYPER: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 400 };
const RUN_MS = 120_000;

const served = servedSite();
const names = loadDefaultDataset();


interface SplitLosses {
  train: number;
  dev: number;
  test: number;
}

/** The CLI's trainer in Node: the losses the page's CPU worker must show. */
async function nodeReference(h: MlpHyper): Promise<SplitLosses> {
  const t = cpuMlp(contextData(names, h.blockSize, h.seed), h);
  await t.runSteps(h.steps);
  return { train: await t.evaluateSplit('train'), dev: await t.evaluateSplit('dev'), test: await t.evaluateSplit('test') };
}

/** Fills the context model's fields (those given), presses Train, waits for the end; throws with the page's error. */
async function trainMlp(page: Page, device: 'cpu' | 'gpu', h: Partial<MlpHyper>): Promise<SplitLosses & { ms: number }> {
  await byTestId(page, 'model-select').selectOption('mlp');
  await byTestId(page, 'device-select').selectOption(device);
  const ids: [keyof MlpHyper, string][] = [
    ['blockSize', 'block-size'], ['embed', 'embed'], ['hidden', 'hidden'], ['steps', 'steps'],
    ['lr', 'learning-rate'], ['lrFinal', 'lr-final'], ['batchSize', 'batch-size'], ['seed', 'seed'],
  ];
  for (const [key, id] of ids) if (h[key] !== undefined) await byTestId(page, id).fill(String(h[key]));
  const t0 = Date.now();
  await byTestId(page, 'train').click();
  if (await waitForStatus(page, ['done', 'error'], RUN_MS) === 'error') throw new Error(`the run failed: ${await errorText(page)}`);
  return { ...(await splitLosses(page)), ms: Date.now() - t0 };
}

/** The split losses the page shows: plain numbers. */
async function splitLosses(page: Page): Promise<SplitLosses> {
  const read = async (id: string) => {
    const text = (await byTestId(page, id).textContent()) ?? '';
    expect(text, `${id} is a plain number`).toMatch(/^\d+\.\d{4}$/);
    return Number(text);
  };
  expect(await byTestId(page, 'train-loss').isVisible()).toBe(true);
  return { train: await read('train-loss'), dev: await read('dev-loss'), test: await read('test-loss') };
}

/** Every text the element of `testId` shows from now on (a MutationObserver in the page); call the result to read them. */
async function recordTexts(page: Page, testId: string): Promise<() => Promise<string[]>> {
  const key = `texts-${testId}`;
  await page.evaluate(([id, k]) => {
    const el = document.querySelector(`[data-testid="${id}"]`)!;
    const texts: string[] = [];
    (window as unknown as Record<string, string[]>)[k] = texts;
    // From the records, not the element: texts set one after the other before the observer runs each count.
    new MutationObserver((records) => {
      for (const r of records) for (const n of Array.from(r.addedNodes)) texts.push(n.textContent ?? '');
    }).observe(el, { childList: true });
  }, [testId, key]);
  return () => page.evaluate((k) => (window as unknown as Record<string, string[]>)[k], key);
}

/** The evaluation's progress as the speed line showed it: each split from 0 to all its examples. */
function expectEvaluationProgress(texts: string[], data: ReturnType<typeof contextData>, device: string): void {
  for (const split of ['train', 'dev', 'test'] as const) {
    const total = data[split].Y.length.toLocaleString('en-US');
    const shown = texts.filter((t) => t.startsWith(`evaluating the ${split} split: `));
    expect(shown, `${device}: the ${split} split's progress among ${JSON.stringify(texts.slice(-12))}`).toContain(`evaluating the ${split} split: 0 / ${total} examples`);
    expect(shown).toContain(`evaluating the ${split} split: ${total} / ${total} examples`);
  }
}

function expectClose(a: SplitLosses, b: SplitLosses, tol: number, what: string): void {
  for (const k of ['train', 'dev', 'test'] as const) expect(Math.abs(a[k] - b[k]), `${what}: ${k} ${a[k]} vs ${b[k]}`).toBeLessThan(tol);
}

describe('the page: context model (MLP)', () => {
  it('trains on the GPU and on the CPU to the same losses as the CLI; samples, table, curve, model file', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    const gpu = await gpuStatus(page);
    expect(gpu.state, `the page has no GPU device: ${gpu.text}`).toBe('ready');

    // The form: the context model's own fields and the page's defaults; the bigram's hidden.
    await byTestId(page, 'model-select').selectOption('mlp');
    for (const id of ['block-size', 'embed', 'hidden', 'lr-final', 'steps', 'learning-rate', 'batch-size', 'seed']) {
      expect(await byTestId(page, id).isVisible(), id).toBe(true);
    }
    for (const id of ['reg', 'smoothing']) expect(await byTestId(page, id).isVisible(), id).toBe(false);
    const values = async (ids: string[]) => Promise.all(ids.map((id) => byTestId(page, id).inputValue()));
    expect(await values(['block-size', 'embed', 'hidden', 'steps', 'learning-rate', 'lr-final', 'batch-size', 'seed']))
      .toEqual(['3', '10', '200', '2000', '0.1', '0.01', '32', '42']);

    const gpuTexts = await recordTexts(page, 'speed');
    const onGpu = await trainMlp(page, 'gpu', { steps: HYPER.steps });
    expectEvaluationProgress(await gpuTexts(), contextData(names, HYPER.blockSize, HYPER.seed), 'GPU');
    console.log(`GPU context model: ${HYPER.steps} steps in ${onGpu.ms} ms (${await byTestId(page, 'speed').textContent()}), losses`, onGpu);
    expect(await byTestId(page, 'step').textContent()).toBe(`${HYPER.steps} / ${HYPER.steps}`);
    expect(await byTestId(page, 'device-info').textContent()).not.toContain('Web Worker');
    // It learned: from about ln V at the start to well below it.
    expect(onGpu.dev).toBeLessThan(Math.log(names.symbols.length) - 0.6);
    expect(Number(await byTestId(page, 'loss').textContent())).toBe(onGpu.train);
    expect(await samples(page)).toHaveLength(20);
    const map = await heatmapPixels(page, 'heatmap-model');
    expect(map.blueShare, 'the model table is drawn').toBeGreaterThan(0.5);
    expect(map.blues).toBeGreaterThan(50);
    expect(await byTestId(page, 'heatmap-model').getAttribute('aria-label')).toContain('Context model (MLP): next-symbol probabilities after (., ., x)');
    expect(await page.locator('#model-caption').textContent()).toBe(`Context model (MLP): next-symbol probabilities after (., ., x) · ${HYPER.steps} steps`);

    // The readout names the context the model's row stands for.
    await byTestId(page, 'heatmap-model').hover();
    expect(await byTestId(page, 'heatmap-readout').textContent()).toMatch(/^"(.)" → "."( · .*)? · P\(model \| \., \., \1\) 0\.\d{4}$/);

    const cpuTexts = await recordTexts(page, 'speed');
    const onCpu = await trainMlp(page, 'cpu', { steps: HYPER.steps });
    // From the worker, chunk by chunk.
    expectEvaluationProgress(await cpuTexts(), contextData(names, HYPER.blockSize, HYPER.seed), 'CPU');
    console.log(`CPU context model: ${HYPER.steps} steps in ${onCpu.ms} ms (${await byTestId(page, 'speed').textContent()}), losses`, onCpu);
    expect(await byTestId(page, 'device-info').textContent()).toContain('Web Worker');
    // Float32 on both devices, summed in different orders: close, not equal.
    expectClose(onGpu, onCpu, 1e-3, 'GPU vs CPU');
    // The worker runs the CLI's CPU trainer: Node's numbers, to the 4 decimals shown.
    const node = await nodeReference(HYPER);
    console.log('Node reference losses', node);
    expectClose(onCpu, node, 1e-4, 'page CPU vs Node');
    const lines = await chartLines(page);
    const label = (d: string) => `MLP ${d} seed 42, lr 0.1→0.01, batch 32`;
    expect(lines).toEqual(expect.arrayContaining([label('GPU'), `${label('GPU')} (each step)`, label('CPU'), `${label('CPU')} (each step)`]));

    await page.screenshot({ path: join(ARTIFACTS, 'page-mlp.png'), fullPage: true });

    // The neural bigram keeps its own steps and learning rate; the context model's come back.
    await byTestId(page, 'model-select').selectOption('bigram-nn');
    expect(await values(['steps', 'learning-rate', 'batch-size'])).toEqual(['500', '50', '0']);
    expect(await byTestId(page, 'block-size').isVisible()).toBe(false);
    await byTestId(page, 'model-select').selectOption('mlp');
    expect(await values(['steps', 'learning-rate', 'batch-size'])).toEqual([String(HYPER.steps), '0.1', '32']);

    // The download is the CLI's model file; a fresh page loads it and samples as Node does.
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'download-model').click()]);
    expect(download.suggestedFilename()).toBe('makemore-mlp.json');
    const text = readFileSync((await download.path())!, 'utf8');
    const m = parseModel(text, 'download');
    expect(m).toMatchObject({ kind: 'mlp', steps: HYPER.steps, symbols: names.symbols, hyper: { ...HYPER } });
    expect(Math.abs(m.devLoss! - onCpu.dev)).toBeLessThan(1e-4);
    expect(problems).toEqual([]);
    await page.close();

    const fresh = await openPage(served.browser.context, served.server.url);
    await byTestId(fresh.page, 'model-file').setInputFiles({ name: 'mlp.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await expect.poll(() => byTestId(fresh.page, 'model-info').textContent()).toContain('loaded from mlp.json');
    expect(await splitLosses(fresh.page)).toEqual({ train: Number(m.loss.toFixed(4)), dev: Number(m.devLoss!.toFixed(4)), test: Number(m.testLoss!.toFixed(4)) });
    await byTestId(fresh.page, 'sample-seed').fill('5');
    await byTestId(fresh.page, 'sample-button').click();
    expect(await samples(fresh.page)).toEqual(modelSamples(m, 20, 5));
    expect((await heatmapPixels(fresh.page, 'heatmap-model')).blueShare).toBeGreaterThan(0.5);
    expect(fresh.problems).toEqual([]);
    await fresh.page.close();
  }, RUN_MS * 3);

  it('GPU: a lost device ends the run with an error; the last weights read back are kept, evaluated on every split', async () => {
    // Keep a handle on every device the page opens, to pull one away mid-run.
    const { page, problems } = await openPage(served.browser.context, served.server.url, {
      initScript: `const open = GPUAdapter.prototype.requestDevice;
        GPUAdapter.prototype.requestDevice = async function (...args) {
          const device = await open.apply(this, args);
          (window.__devices ??= []).push(device);
          return device;
        };`,
    });
    expect((await gpuStatus(page)).state).toBe('ready');
    await byTestId(page, 'model-select').selectOption('mlp');
    await byTestId(page, 'device-select').selectOption('gpu');
    await byTestId(page, 'steps').fill('100000');
    await byTestId(page, 'train').click();
    // Wait until the heatmap shows weights read back after some steps: those are what is kept.
    await page.waitForFunction(() => /· step [1-9]/.test(document.querySelector('#model-caption')?.textContent ?? ''), undefined, { timeout: RUN_MS });
    await page.evaluate(() => (window as unknown as { __devices: GPUDevice[] }).__devices.forEach((d) => d.destroy()));
    expect(await waitForStatus(page, ['done', 'error'], RUN_MS)).toBe('error');
    expect(await errorText(page)).toMatch(/^(the GPU device was lost|the GPU failed: )/);
    expect(await byTestId(page, 'model-info').textContent()).toMatch(/^context model \(MLP\) .*kept from a run that failed after step [\d,]+$/);
    const kept = await splitLosses(page);
    expect(kept.dev).toBeLessThan(Math.log(names.symbols.length));
    expect(await byTestId(page, 'download-model').isEnabled()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, RUN_MS * 2);

  it('validates its fields like the CLI; a stopped run is evaluated and kept', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await gpuStatus(page);
    await byTestId(page, 'model-select').selectOption('mlp');
    await byTestId(page, 'device-select').selectOption('cpu');
    const cliMessage = (name: string, text: string, rule: NumberRule) => {
      try {
        parseNumber(name, text, rule);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`${text} is valid`);
    };
    const bad: [string, string, string, NumberRule, string][] = [
      ['block-size', 'Block size', '0', RULES.blockSize, '3'],
      ['embed', 'Embedding', '2.5', RULES.embed, '10'],
      ['hidden', 'Hidden units', '', RULES.hidden, '200'],
      ['lr-final', 'Final learning rate', '0', RULES.lr, '0.01'],
      // The bigram's batch size may be 0 (all examples); the context model's may not.
      ['batch-size', 'Batch size', '0', RULES.mlpBatchSize, '32'],
    ];
    for (const [id, name, text, rule, good] of bad) {
      await byTestId(page, id).fill(text);
      await byTestId(page, 'train').click();
      expect(await errorText(page)).toBe(cliMessage(name, text, rule));
      expect(await byTestId(page, id).getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(id);
      await byTestId(page, id).fill(good);
    }

    // Stop: the steps taken are evaluated on every split and kept as the model.
    await byTestId(page, 'steps').fill('100000');
    await byTestId(page, 'train').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]')!.textContent!.split(' / ')[0].replace(/,/g, '')) >= 50);
    expect(await byTestId(page, 'train-loss').isVisible()).toBe(false);
    await byTestId(page, 'stop').click();
    expect(await waitForStatus(page, ['done', 'error'], RUN_MS)).toBe('done');
    expect(await byTestId(page, 'step').textContent()).toMatch(/^[\d,]+ \/ 100,000 \(stopped\)$/);
    const losses = await splitLosses(page);
    expect(losses.dev).toBeLessThan(Math.log(names.symbols.length));
    expect(await byTestId(page, 'model-info').textContent()).toMatch(/^context model \(MLP\) \(block size 3, embedding 10, hidden 200\), [\d,]+ steps, train loss \d\.\d{4}, dev loss \d\.\d{4}/);
    expect(await samples(page)).toHaveLength(20);
    expect(await status(page)).toBe('done');
    expect(problems).toEqual([]);
    await page.close();
  }, RUN_MS * 2);

  it('AdamW: the optimiser select shows weight decay and sets AdamW’s rates; GPU and CPU runs give the CLI’s losses; the model file says adamw', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await byTestId(page, 'model-select').selectOption('mlp');
    expect(await byTestId(page, 'weight-decay').isVisible()).toBe(false);
    await byTestId(page, 'optimizer-select').selectOption('adamw');
    expect(await byTestId(page, 'weight-decay').isVisible()).toBe(true);
    expect([await byTestId(page, 'learning-rate').inputValue(), await byTestId(page, 'lr-final').inputValue(), await byTestId(page, 'weight-decay').inputValue()])
      .toEqual(['0.003', '0.0003', '0.01']);
    await byTestId(page, 'weight-decay').fill('0.1');
    const h: MlpHyper = { ...HYPER, steps: 200, optimizer: 'adamw', lr: 0.003, lrFinal: 0.0003, weightDecay: 0.1 };
    const onGpu = await trainMlp(page, 'gpu', { steps: h.steps });
    const onCpu = await trainMlp(page, 'cpu', { steps: h.steps });
    expectClose(onGpu, onCpu, 1e-3, 'AdamW GPU vs CPU');
    expectClose(onCpu, await nodeReference(h), 1e-4, 'AdamW page CPU vs Node');
    expect(onCpu.dev).toBeLessThan(Math.log(names.symbols.length) - 0.5);
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'download-model').click()]);
    const m = parseModel(readFileSync((await download.path())!, 'utf8'), 'download');
    expect(m.hyper).toMatchObject({ optimizer: 'adamw', weightDecay: 0.1, beta1: 0.9, beta2: 0.99 });
    // Invalid weight decay is refused like the CLI.
    await byTestId(page, 'weight-decay').fill('-1');
    await byTestId(page, 'train').click();
    expect(await errorText(page)).toContain('Weight decay');
    expect(problems).toEqual([]);
    await page.close();
  }, 4 * RUN_MS);

  it('Transformer: its fields, a short run on the GPU and on the CPU worker to the CLI’s losses, samples, the model file', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await byTestId(page, 'model-select').selectOption('transformer');
    for (const id of ['n-layer', 'n-head', 'n-embd', 'steps', 'learning-rate', 'batch-size', 'seed']) expect(await byTestId(page, id).isVisible(), id).toBe(true);
    for (const id of ['block-size', 'hidden', 'reg', 'lr-final']) expect(await byTestId(page, id).isVisible(), id).toBe(false);
    expect(await Promise.all(['n-layer', 'n-head', 'n-embd', 'learning-rate', 'batch-size'].map((id) => byTestId(page, id).inputValue()))).toEqual(['4', '4', '64', '0.0005', '32']);
    // Channels must split into the heads, as the CLI says.
    await byTestId(page, 'n-head').fill('3');
    await byTestId(page, 'train').click();
    expect(await errorText(page)).toContain('Channels must be a multiple of Heads');
    const small = { 'n-layer': '1', 'n-head': '2', 'n-embd': '16', steps: '40', 'learning-rate': '0.01', 'batch-size': '8' };
    for (const [id, v] of Object.entries(small)) await byTestId(page, id).fill(v);
    const run = async (device: 'gpu' | 'cpu') => {
      await byTestId(page, 'device-select').selectOption(device);
      await byTestId(page, 'train').click();
      if (await waitForStatus(page, ['done', 'error'], RUN_MS) === 'error') throw new Error(`the run failed: ${await errorText(page)}`);
      return splitLosses(page);
    };
    const onGpu = await run('gpu');
    const onCpu = await run('cpu');
    expectClose(onGpu, onCpu, 1e-3, 'Transformer GPU vs CPU');
    const h: TransformerHyper = { ...DEFAULT_TRANSFORMER_HYPER, nLayer: 1, nHead: 2, nEmbd: 16, steps: 40, lr: 0.01, lrFinal: 0.01, batchSize: 8 };
    const data = sequenceData(names, h.seed);
    const t = new CpuNetTrainer(transformerNetSpec(data, { ...h, blockSize: data.T }), data);
    await t.runSteps(h.steps);
    expectClose(onCpu, { train: await t.evaluateSplit('train'), dev: await t.evaluateSplit('dev'), test: await t.evaluateSplit('test') }, 1e-4, 'page CPU vs Node');
    expect(await samples(page)).toHaveLength(20);
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'download-model').click()]);
    const m = parseModel(readFileSync((await download.path())!, 'utf8'), 'download');
    expect(m).toMatchObject({ kind: 'transformer', hyper: { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: data.T } });
    expect(problems).toEqual([]);
    await page.close();
  }, 4 * RUN_MS);
});
