/**
 * The page's Transformer beyond its losses (mlp.test.ts checks those against the CLI): a tiny
 * run on the GPU and on the CPU worker draws a dev curve beside the train curve, and then the
 * attention panel draws one map per layer and head for a typed word, whose numbers are Node's
 * attentionMaps of the downloaded model; bad words are explained in the panel, markup in a
 * word stays text; a loaded model file shows its maps; another kind of model hides the panel.
 * Pause and stop work as before with the dev evaluations in the run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { netHyper, parseModel, type ModelFile } from '../../src/models/modelFile.ts';
import { attentionMaps, wordTokens } from '../../src/models/transformer/attention.ts';
import type { TransformerShape } from '../../src/models/transformer/net.ts';
import { byTestId, chartLines, errorText, gpuStatus, heatmapPixels, status, waitForStatus } from './app.ts';
import { openPage } from './browser.ts';
import { ARTIFACTS, servedSite } from './site.ts';

const RUN_MS = 120_000;
const SHAPE = { 'n-layer': '2', 'n-head': '2', 'n-embd': '16', steps: '60', 'learning-rate': '0.01', 'batch-size': '8' };
const TITLES = ['layer 1 · head 1', 'layer 1 · head 2', 'layer 2 · head 1', 'layer 2 · head 2'];

const served = servedSite();

async function trainTransformer(page: Page, device: 'gpu' | 'cpu'): Promise<void> {
  await byTestId(page, 'device-select').selectOption(device);
  await byTestId(page, 'train').click();
  if (await waitForStatus(page, ['done', 'error'], RUN_MS) === 'error') throw new Error(`the run failed: ${await errorText(page)}`);
}

async function devPoints(page: Page): Promise<number> {
  return Number(await byTestId(page, 'loss-chart').getAttribute('data-dev-points'));
}

async function download(page: Page): Promise<{ text: string; model: ModelFile }> {
  const [file] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'download-model').click()]);
  const text = readFileSync((await file.path())!, 'utf8');
  return { text, model: parseModel(text, 'download') };
}

function shapeOf(m: ModelFile): TransformerShape {
  const h = netHyper('transformer', m.hyper) as Record<string, number>;
  return { V: m.symbols.length, T: h.blockSize, C: h.nEmbd, nh: h.nHead, L: h.nLayer };
}

/** Points at cell (query q, key k) of the i-th map and reads the readout's probability. */
async function cellValue(page: Page, i: number, n: number, q: number, k: number): Promise<{ text: string; value: number }> {
  const canvas = byTestId(page, 'attention-map').nth(i);
  const box = (await canvas.boundingBox())!;
  const header = box.width / n >= 9 ? 14 : 0;
  const cell = (box.width - header) / n;
  await canvas.hover({ position: { x: header + (k + 0.5) * cell, y: header + (q + 0.5) * cell } });
  const text = (await byTestId(page, 'attention-readout').textContent()) ?? '';
  return { text, value: Number(text.split(': ').at(-1)) };
}

/** The panel's message and how many maps it draws, once `word` is typed. */
async function typeWord(page: Page, word: string): Promise<{ message: string; state: string; maps: number }> {
  await byTestId(page, 'attention-word').fill(word);
  const message = byTestId(page, 'attention-message');
  return { message: (await message.textContent()) ?? '', state: (await message.getAttribute('data-state')) ?? '', maps: await byTestId(page, 'attention-map').count() };
}

describe('the page: the Transformer’s dev curve and attention maps', () => {
  it('a short run on each device draws its dev curve; the attention panel draws layers × heads maps of Node’s numbers and explains bad words', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    expect((await gpuStatus(page)).state).toBe('ready');
    await byTestId(page, 'model-select').selectOption('transformer');
    for (const [id, v] of Object.entries(SHAPE)) await byTestId(page, id).fill(v);
    expect(await byTestId(page, 'attention-panel').isVisible()).toBe(false);

    await trainTransformer(page, 'gpu');
    // At least one point during the run (the first is never skipped), and the end.
    expect(await devPoints(page)).toBeGreaterThanOrEqual(2);
    // The curve's last point is the dev loss reported at the end.
    expect(await byTestId(page, 'dev-live').textContent()).toBe(`${await byTestId(page, 'dev-loss').textContent()} after 60 steps`);
    const lines = await chartLines(page);
    const label = 'Transformer GPU seed 42, lr 0.01, batch 8, 2 layers 2 heads 16 channels';
    expect(lines).toEqual([`${label} (each step)`, label, `${label} (dev)`, expect.stringMatching(/^counting model/)]);

    // The default word: 5 positions, 2 layers × 2 heads, titled in order, drawn in blues.
    expect(await byTestId(page, 'attention-panel').isVisible()).toBe(true);
    expect(await byTestId(page, 'attention-word').inputValue()).toBe('emma');
    expect(await byTestId(page, 'attention-message').textContent()).toBe('"emma": 5 positions (the start ".", then its 4 symbols); 2 layers × 2 heads');
    expect(await byTestId(page, 'attention-title').allTextContents()).toEqual(TITLES);
    expect(await byTestId(page, 'attention-map').count()).toBe(4);
    const pixels = await heatmapPixels(page, 'attention-map');
    expect(pixels.blueShare, 'the first map is drawn').toBeGreaterThan(0.2);
    expect(pixels.blues).toBeGreaterThan(2);

    // The numbers are attentionMaps of the downloaded model, as Node computes them.
    const onGpu = await download(page);
    const tokens = wordTokens('emma', onGpu.model.symbols, shapeOf(onGpu.model).T);
    const node = attentionMaps(onGpu.model.weights, shapeOf(onGpu.model), tokens);
    for (const [i, q, k] of [[0, 4, 0], [1, 4, 2], [3, 3, 3], [2, 0, 0]]) {
      const { text, value } = await cellValue(page, i, 5, q, k);
      expect(text).toMatch(new RegExp(`^${TITLES[i]}: "(.)" at ${q} attends to "(.)" at ${k}: \\d\\.\\d{4}$`));
      expect(value, text).toBe(Number(node[i].probs[q * 5 + k].toFixed(4)));
    }
    expect((await cellValue(page, 0, 5, 1, 3)).text).toBe('layer 1 · head 1: "e" at 1 cannot see "m" at 3 (later)');
    await page.screenshot({ path: join(ARTIFACTS, 'page-attention.png'), fullPage: true });

    // Bad words: said in the panel, no maps, no page error.
    const T = shapeOf(onGpu.model).T;
    expect(await typeWord(page, 'Emma')).toEqual({ message: expect.stringMatching(/^"E" is not in the model's vocabulary \(its symbols: [^)]*abcdefghijklmnopqrstuvwxyz\)$/), state: 'error', maps: 0 });
    expect(await byTestId(page, 'attention-word').getAttribute('aria-invalid')).toBe('true');
    expect(await typeWord(page, '')).toEqual({ message: 'type a word: it is empty', state: 'error', maps: 0 });
    expect(await typeWord(page, 'a'.repeat(T))).toEqual({ message: expect.stringContaining(`the model reads at most ${T - 1}`), state: 'error', maps: 0 });
    const markup = '<img src=x onerror=alert(1)>';
    const shown = await typeWord(page, markup);
    expect(shown.message).toMatch(/^"<" is not in the model's vocabulary/);
    expect(await byTestId(page, 'attention-panel').locator('img').count()).toBe(0);
    expect(await errorText(page)).toBeNull();
    expect(await typeWord(page, 'ava')).toEqual({ message: expect.stringMatching(/^"ava": 4 positions/), state: 'info', maps: 4 });

    // The CPU worker: its own dev curve, and the maps of its model (the same seed: close to the GPU's).
    await trainTransformer(page, 'cpu');
    expect(await devPoints(page)).toBeGreaterThanOrEqual(2);
    expect(await chartLines(page)).toContain(label.replace('GPU', 'CPU') + ' (dev)');
    expect(await byTestId(page, 'attention-map').count()).toBe(4);
    const onCpu = await download(page);
    const cpuMaps = attentionMaps(onCpu.model.weights, shapeOf(onCpu.model), wordTokens('ava', onCpu.model.symbols, T));
    const gpuMaps = attentionMaps(onGpu.model.weights, shapeOf(onGpu.model), wordTokens('ava', onGpu.model.symbols, T));
    for (let i = 0; i < 4; i++) for (let c = 0; c < 16; c++) expect(Math.abs(cpuMaps[i].probs[c] - gpuMaps[i].probs[c])).toBeLessThan(1e-3);
    expect((await cellValue(page, 1, 4, 3, 1)).value).toBe(Number(cpuMaps[1].probs[3 * 4 + 1].toFixed(4)));

    // Another kind of model hides the panel.
    await byTestId(page, 'model-select').selectOption('bigram-counts');
    await byTestId(page, 'device-select').selectOption('cpu');
    await byTestId(page, 'train').click();
    expect(await waitForStatus(page, ['done', 'error'], RUN_MS)).toBe('done');
    expect(await byTestId(page, 'attention-panel').isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await page.close();

    // A loaded model file shows its maps.
    const fresh = await openPage(served.browser.context, served.server.url);
    await byTestId(fresh.page, 'model-file').setInputFiles({ name: 'transformer.json', mimeType: 'application/json', buffer: Buffer.from(onGpu.text) });
    await expect.poll(() => byTestId(fresh.page, 'model-info').textContent()).toContain('loaded from transformer.json');
    expect(await byTestId(fresh.page, 'attention-panel').isVisible()).toBe(true);
    expect(await byTestId(fresh.page, 'attention-map').count()).toBe(4);
    expect((await cellValue(fresh.page, 0, 5, 4, 0)).value).toBe(Number(node[0].probs[4 * 5].toFixed(4)));
    expect(fresh.problems).toEqual([]);
    await fresh.page.close();
  }, 4 * RUN_MS);

  it('pause and stop still answer with a dev curve; a stopped run ends it at the step it reached', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await gpuStatus(page);
    await byTestId(page, 'model-select').selectOption('transformer');
    for (const [id, v] of Object.entries({ ...SHAPE, steps: '16000' })) await byTestId(page, id).fill(v);
    await byTestId(page, 'device-select').selectOption('cpu');
    await byTestId(page, 'train').click();
    // The first dev point comes after 16000 / 16 steps: wait for it, then pause.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-dev-points')) >= 1, undefined, { timeout: RUN_MS });
    await byTestId(page, 'pause').click();
    expect(await waitForStatus(page, ['paused'], 5_000)).toBe('paused');
    const stepText = async () => (await byTestId(page, 'step').textContent()) ?? '';
    await page.waitForTimeout(600);
    const paused = await stepText();
    await page.waitForTimeout(600);
    expect(await stepText(), 'no steps while paused').toBe(paused);
    await byTestId(page, 'pause').click();
    expect(await status(page)).toBe('training');
    await byTestId(page, 'stop').click();
    expect(await waitForStatus(page, ['done', 'error'], RUN_MS)).toBe('done');
    const steps = (await stepText()).match(/^([\d,]+) \/ 16,000 \(stopped\)$/)?.[1];
    expect(steps, await stepText()).toBeDefined();
    expect(await byTestId(page, 'dev-live').textContent()).toBe(`${await byTestId(page, 'dev-loss').textContent()} after ${steps} steps`);
    expect(await devPoints(page)).toBeGreaterThanOrEqual(2);
    expect(await byTestId(page, 'attention-map').count()).toBe(4);
    expect(problems).toEqual([]);
    await page.close();
  }, 2 * RUN_MS);
});
