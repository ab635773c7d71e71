/**
 * The page, end to end: the built site (vite build) served from 127.0.0.1 and driven in headless
 * Chromium with WebGPU on SwiftShader. Every number the page shows is checked against the
 * CPU reference computed here in Node, and every test fails on any console error, uncaught
 * error or dialog.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { bigramCountsCpu, countsNll, countsToProbs } from '../../src/models/bigramCounts.ts';
import { initMlpParams } from '../../src/models/mlp/net.ts';
import { modelSamples, parseModel, serializeModel } from '../../src/models/modelFile.ts';
import { CpuBigramTrainer } from '../../src/train/cpuTrainer.ts';
import { DEFAULT_NET_HYPER, RULES, parseNumber } from '../../src/train/hyper.ts';
import {
  byTestId, chartLines, datasetStats, errorText, gpuStatus, heatmapPixels, loss, samples, status, train, waitForStatus,
} from './app.ts';
import { launch, openPage } from './browser.ts';
import { ARTIFACTS, servedSite } from './site.ts';

/** Full batch at lr 50 comes within 0.037 of the counts' NLL by step 120 (0.05 is the bar). */
const STEPS = 120;
const LR = 50;
const SEED = DEFAULT_NET_HYPER.seed;
/** A GPU run on SwiftShader (a CPU emulation on two cores) can take a while. */
const GPU_RUN_MS = 240_000;
const CPU_RUN_MS = 60_000;

const served = servedSite();
const reference = (() => {
  const d = loadDefaultDataset();
  const V = d.symbols.length;
  const counts = bigramCountsCpu(d.xs, d.ys, V);
  return { d, V, countsNll: countsNll(counts, countsToProbs(counts, V, 1), V) };
})();


/** The neural bigram's final loss on the CPU reference, in Node. */
async function cpuReferenceLoss(steps: number): Promise<number> {
  const { d, V } = reference;
  const t = new CpuBigramTrainer({ V, xs: d.xs, ys: d.ys }, { ...DEFAULT_NET_HYPER, steps, lr: LR, seed: SEED });
  await t.runSteps(steps);
  return (await t.evaluate()).loss;
}

/** The heatmaps show Blues cells (not the grey placeholder) in many shades: a real table. */
async function expectHeatmapsDrawn(page: Page): Promise<void> {
  for (const id of ['heatmap-counts', 'heatmap-model']) {
    const px = await heatmapPixels(page, id);
    expect(px.width, id).toBeGreaterThan(200);
    expect(px.blueShare, `${id}: share of pixels in the colour map`).toBeGreaterThan(0.5);
    expect(px.blues, `${id}: distinct shades`).toBeGreaterThan(50);
  }
}

describe('the page', () => {
  it('opens with the bundled names loaded, their stats and count table shown', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    const stats = await datasetStats(page);
    expect(stats).toMatchObject({ words: reference.d.words.length, examples: reference.d.xs.length, vocab: reference.V });
    expect(stats.text).toContain('bundled first names');
    expect(await status(page)).toBe('idle');
    const counts = await heatmapPixels(page, 'heatmap-counts');
    expect(counts.blueShare).toBeGreaterThan(0.5);
    // The model table waits for a model (only its placeholder's grey text is drawn).
    expect((await heatmapPixels(page, 'heatmap-model')).blueShare).toBeLessThan(0.05);
    // The GPU probe ends either way, with a sentence for the user.
    const gpu = await gpuStatus(page);
    expect(gpu.text.length).toBeGreaterThan(10);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('CPU: trains both models in a Web Worker to the reference losses; samples, curve and tables', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await gpuStatus(page);

    const counting = await train(page, { model: 'bigram-counts', device: 'cpu' }, CPU_RUN_MS);
    expect(counting.loss).toBeCloseTo(reference.countsNll, 4);

    const net = await train(page, { model: 'bigram-nn', device: 'cpu', steps: STEPS, lr: LR, seed: SEED }, CPU_RUN_MS);
    console.log(`CPU neural bigram: ${STEPS} steps in ${net.ms} ms, loss ${net.loss}`);
    expect(net.loss).toBeLessThan(counting.loss + 0.05);
    // The worker runs the CLI's CpuBigramTrainer: the same numbers as in Node.
    expect(Math.abs(net.loss - (await cpuReferenceLoss(STEPS)))).toBeLessThan(1e-4);
    expect(await byTestId(page, 'device-info').textContent()).toContain('Web Worker');
    expect(await byTestId(page, 'step').textContent()).toBe(`${STEPS} / ${STEPS}`);
    expect(await byTestId(page, 'speed').textContent()).toMatch(/steps\/s/);

    expect(await samples(page)).toHaveLength(20);
    expect(await chartLines(page)).toContain(`CPU seed ${SEED}, lr ${LR}`);
    await expectHeatmapsDrawn(page);

    // Pointing at a cell names it in the readout, with both tables' numbers; the arrow keys move it.
    const box = (await byTestId(page, 'heatmap-counts').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const readout = byTestId(page, 'heatmap-readout');
    expect(await readout.textContent()).toMatch(/count [\d,]+ of [\d,]+ .*P\(counts\) 0\.\d{4} · P\(model\) 0\.\d{4}/);
    await byTestId(page, 'heatmap-model').focus();
    const before = await readout.textContent();
    await page.keyboard.press('ArrowRight');
    expect(await readout.textContent()).not.toBe(before);

    await page.screenshot({ path: join(ARTIFACTS, 'page-cpu.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('GPU: trains both models with WebGPU, agrees with the CPU run of the same seed; curves overlay', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    const gpu = await gpuStatus(page);
    expect(gpu.state, `the page has no GPU device: ${gpu.text}`).toBe('ready');
    // The page picks the GPU by itself when there is one.
    expect(await byTestId(page, 'device-select').inputValue()).toBe('gpu');

    const counting = await train(page, { model: 'bigram-counts', device: 'gpu' }, GPU_RUN_MS);
    // Integer counts: the GPU's table is the CPU's, so the NLL is too.
    expect(counting.loss).toBeCloseTo(reference.countsNll, 4);

    const net = await train(page, { model: 'bigram-nn', device: 'gpu', steps: STEPS, lr: LR, seed: SEED }, GPU_RUN_MS);
    console.log(`GPU neural bigram: ${STEPS} steps in ${net.ms} ms, loss ${net.loss} (${await byTestId(page, 'speed').textContent()})`);
    expect(net.loss).toBeLessThan(counting.loss + 0.05);
    expect(await samples(page)).toHaveLength(20);
    await expectHeatmapsDrawn(page);

    const cpu = await train(page, { model: 'bigram-nn', device: 'cpu', steps: STEPS, lr: LR, seed: SEED }, CPU_RUN_MS);
    // Float32 on both, summed in different orders: close, not equal.
    expect(Math.abs(net.loss - cpu.loss), `GPU ${net.loss} vs CPU ${cpu.loss}`).toBeLessThan(1e-3);
    expect(await chartLines(page)).toEqual(expect.arrayContaining([`GPU seed ${SEED}, lr ${LR}`, `CPU seed ${SEED}, lr ${LR}`]));

    await page.screenshot({ path: join(ARTIFACTS, 'page-gpu.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, GPU_RUN_MS * 3 + 60_000);

  it('GPU: a lost device ends the run with an error, keeps the last weights, and the next run opens a new device', async () => {
    // Keep a handle on every device the page opens, to pull one away mid-run.
    const { page, problems } = await openPage(served.browser.context, served.server.url, {
      initScript: `const open = GPUAdapter.prototype.requestDevice;
        GPUAdapter.prototype.requestDevice = async function (...args) {
          const device = await open.apply(this, args);
          (window.__devices ??= []).push(device);
          return device;
        };`,
    });
    const gpu = await gpuStatus(page);
    expect(gpu.state, `the page has no GPU device: ${gpu.text}`).toBe('ready');
    await byTestId(page, 'device-select').selectOption('gpu');
    await byTestId(page, 'steps').fill('100000');
    await byTestId(page, 'train').click();
    // Wait until the heatmap shows weights read back after some steps: those are what is kept.
    await page.waitForFunction(() => /at step [1-9]/.test(document.querySelector('#model-caption')?.textContent ?? ''), undefined, { timeout: GPU_RUN_MS });
    await page.evaluate(() => (window as unknown as { __devices: GPUDevice[] }).__devices.forEach((d) => d.destroy()));
    expect(await waitForStatus(page, ['done', 'error'], GPU_RUN_MS)).toBe('error');
    // The engine's words when it notices the loss first; otherwise the page's, around the
    // browser's error (a device destroyed during a read-back rejects mapAsync with an AbortError).
    expect(await errorText(page)).toMatch(/^(the GPU device was lost|the GPU failed: )/);
    expect(await byTestId(page, 'model-info').textContent()).toMatch(/kept from a run that failed after step [\d,]+/);
    expect(await byTestId(page, 'download-model').isEnabled()).toBe(true);

    await byTestId(page, 'steps').fill('5');
    await train(page, { model: 'bigram-nn', device: 'gpu' }, GPU_RUN_MS);
    expect(await byTestId(page, 'step').textContent()).toBe('5 / 5');
    expect(problems).toEqual([]);
    await page.close();
  }, GPU_RUN_MS * 2);

  it('pauses, resumes and stops a run; the CPU work happens in a worker', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await gpuStatus(page);
    await byTestId(page, 'device-select').selectOption('cpu');
    await byTestId(page, 'steps').fill('100000');
    await byTestId(page, 'train').click();
    const stepNow = async () => Number(((await byTestId(page, 'step').textContent()) ?? '').split(' / ')[0].replace(/,/g, ''));
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]')!.textContent!.split(' / ')[0]) >= 20);
    expect(page.workers().map((w) => w.url()).join(' ')).toMatch(/cpuWorker/);
    // While it runs, the file buttons (a label around a hidden input) look as disabled as they are, like "Bundled names".
    const look = (id: string) => page.evaluate((testid) => {
      const el = document.querySelector(`[data-testid="${testid}"]`)!;
      const s = getComputedStyle(el.closest('.file-button') ?? el);
      return `${s.backgroundColor} ${s.color} ${s.cursor}`;
    }, id);
    const disabledLook = await look('dataset-reset');
    expect(await byTestId(page, 'dataset-reset').isDisabled()).toBe(true);
    for (const id of ['dataset-file', 'model-file']) {
      expect(await byTestId(page, id).isDisabled(), id).toBe(true);
      expect(await look(id), id).toBe(disabledLook);
    }

    await byTestId(page, 'pause').click();
    expect(await status(page)).toBe('paused');
    expect(await byTestId(page, 'pause').textContent()).toBe('Resume');
    // The chunk under way finishes (how long depends on the machine's load), then nothing moves.
    let held = await stepNow();
    for (let t = 0; t < 20; t++) {
      await page.waitForTimeout(500);
      const now = await stepNow();
      if (now === held) break;
      held = now;
    }
    await page.waitForTimeout(1000);
    expect(await stepNow()).toBe(held);

    await byTestId(page, 'pause').click();
    expect(await status(page)).toBe('training');
    await page.waitForFunction((h) => Number(document.querySelector('[data-testid="step"]')!.textContent!.split(' / ')[0].replace(/,/g, '')) > h, held);

    // Stop while paused ends the run at once, with a model of the steps taken.
    await byTestId(page, 'pause').click();
    await byTestId(page, 'stop').click();
    await waitForStatus(page, ['done', 'error'], 30_000);
    expect(await status(page)).toBe('done');
    expect(await byTestId(page, 'step').textContent()).toMatch(/^[\d,]+ \/ 100,000 \(stopped\)$/);
    expect(await byTestId(page, 'model-info').textContent()).toMatch(/neural bigram, [\d,]+ steps/);
    expect(await samples(page)).toHaveLength(20);
    expect(await byTestId(page, 'train').isEnabled()).toBe(true);
    const enabledLook = await look('dataset-reset');
    expect(enabledLook).not.toBe(disabledLook);
    for (const id of ['dataset-file', 'model-file']) expect(await look(id), id).toBe(enabledLook);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('loads word lists from a file, a drop or a paste; bad ones show errors and keep the dataset', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    const file = byTestId(page, 'dataset-file');

    await file.setInputFiles({ name: 'three.txt', mimeType: 'text/plain', buffer: Buffer.from('emma\nolivia\nava\n') });
    await expect.poll(() => datasetStats(page)).toMatchObject({ words: 3, examples: 16, vocab: 8 });
    expect(await errorText(page)).toBeNull();

    // Lone CR line ends (old Mac files) end lines; a control character is refused with its line.
    await file.setInputFiles({ name: 'mac.txt', mimeType: 'text/plain', buffer: Buffer.from('emma\rolivia\rava\r') });
    await expect.poll(() => datasetStats(page)).toMatchObject({ words: 3, examples: 16, vocab: 8 });
    await file.setInputFiles({ name: 'ctl.txt', mimeType: 'text/plain', buffer: Buffer.from('emma\nav\x1ba\n') });
    await expect.poll(() => errorText(page)).toBe('ctl.txt:2: contains the control character \\x1b; expected one word of printable symbols per line');

    await file.setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
    await expect.poll(() => errorText(page)).toBe('empty.txt: the file is empty');
    expect(await datasetStats(page)).toMatchObject({ words: 3, examples: 16 });

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    await file.setInputFiles({ name: 'picture.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => errorText(page)).toMatch(/^picture\.png:\d+: (not valid UTF-8|contains a NUL byte)/);
    expect(await datasetStats(page)).toMatchObject({ words: 3, examples: 16 });

    // A paste that fails keeps both the dataset and the pasted text.
    await byTestId(page, 'dataset-text').fill('   \n\n  ');
    await byTestId(page, 'dataset-text-use').click();
    expect(await errorText(page)).toBe('pasted list: no words (every line is blank)');
    expect(await byTestId(page, 'dataset-text').inputValue()).toBe('   \n\n  ');
    expect(await datasetStats(page)).toMatchObject({ words: 3 });

    // Dropped on the data panel.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['anna\nbob\n'], 'dropped.txt', { type: 'text/plain' }));
      document.querySelector('[data-testid="dataset-stats"]')!.closest('section')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="dataset-stats"]')!.getAttribute('data-words') === '2');
    expect((await datasetStats(page)).text).toContain('dropped.txt');
    expect(await errorText(page)).toBeNull();

    // Markup in the data is only ever text.
    const markup = ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=2</script>', '<b onmouseover=alert(1)>bold</b>'];
    await byTestId(page, 'dataset-text').fill(Array(5).fill(markup).flat().join('\n'));
    await byTestId(page, 'dataset-text-use').click();
    expect(await datasetStats(page)).toMatchObject({ words: 15 });
    expect((await datasetStats(page)).text).toContain('<');
    await train(page, { model: 'bigram-counts', device: 'cpu' }, CPU_RUN_MS);
    await byTestId(page, 'sample-count').fill('40');
    await byTestId(page, 'sample-button').click();
    const names = await samples(page);
    expect(names).toHaveLength(40);
    expect(names.join('')).toMatch(/[<>=]/);
    expect(await byTestId(page, 'samples-list').locator('img, script, b').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();

    await byTestId(page, 'dataset-reset').click();
    expect(await datasetStats(page)).toMatchObject({ words: reference.d.words.length });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('downloads the model as the CLI\'s JSON and loads it back; bad model files are refused', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await gpuStatus(page);
    expect(await byTestId(page, 'download-model').isDisabled()).toBe(true);
    await train(page, { model: 'bigram-nn', device: 'cpu', steps: 30, lr: LR, seed: 7 }, CPU_RUN_MS);
    await byTestId(page, 'sample-seed').fill('3');
    await byTestId(page, 'sample-button').click();
    const trained = await samples(page);

    const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'download-model').click()]);
    const path = join(ARTIFACTS, 'downloaded-model.json');
    await download.saveAs(path);
    const text = readFileSync(path, 'utf8');
    const m = parseModel(text, 'download');
    expect(m).toMatchObject({ kind: 'bigram-nn', steps: 30, symbols: reference.d.symbols, hyper: { lr: LR, seed: 7 } });
    expect(m.weights).toHaveLength(reference.V ** 2);
    expect(download.suggestedFilename()).toBe('makemore-bigram-nn.json');
    await page.close();

    // A fresh page: the loaded model samples exactly what the trained one did.
    const fresh = await openPage(served.browser.context, served.server.url);
    const p2 = fresh.page;
    const modelFile = byTestId(p2, 'model-file');
    await modelFile.setInputFiles({ name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await expect.poll(() => byTestId(p2, 'model-info').textContent()).toContain('loaded from model.json');
    await byTestId(p2, 'sample-seed').fill('3');
    await byTestId(p2, 'sample-button').click();
    expect(await samples(p2)).toEqual(trained);
    expect((await heatmapPixels(p2, 'heatmap-model')).blueShare).toBeGreaterThan(0.5);

    await modelFile.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('hello') });
    await expect.poll(() => errorText(p2)).toMatch(/^notes\.json: not a model file \(invalid JSON/);
    await modelFile.setInputFiles({ name: 'future.json', mimeType: 'application/json', buffer: Buffer.from(text.replace('"version":1', '"version":99')) });
    await expect.poll(() => errorText(p2)).toBe('future.json: model file version 99 is not supported (this version reads 1)');
    // Fields are checked as the CLI's flags are: a counting model with a negative smoothing is refused, not sampled.
    const counts = JSON.stringify({ format: 'makemore-webgpu/model', version: 1, kind: 'bigram-counts', symbols: ['.', 'a', 'b'], hyper: { smoothing: -1 }, steps: 0, loss: 1, nll: 1, weights: [1, 1, 1, 1, 1, 1, 1, 1, 1] });
    await modelFile.setInputFiles({ name: 'smoothing.json', mimeType: 'application/json', buffer: Buffer.from(counts) });
    await expect.poll(() => errorText(p2)).toBe('smoothing.json: corrupted model file: "hyper.smoothing" must be a finite number ≥ 0, got -1');
    // The loaded model is still the current one.
    expect(await byTestId(p2, 'model-info').textContent()).toContain('loaded from model.json');

    // A model file of the context model: loaded and sampled as the CLI does (its training: mlp.test.ts).
    const shape = { V: reference.V, T: 3, E: 4, H: 16 };
    const mlp = serializeModel({
      kind: 'mlp', symbols: reference.d.symbols, hyper: { blockSize: shape.T, embed: shape.E, hidden: shape.H },
      steps: 0, loss: 0, nll: 0, weights: Array.from(initMlpParams(shape, 5, Float32Array)),
    });
    await modelFile.setInputFiles({ name: 'mlp.json', mimeType: 'application/json', buffer: Buffer.from(mlp) });
    await expect.poll(() => byTestId(p2, 'model-info').textContent()).toContain('context model (MLP)');
    await byTestId(p2, 'sample-seed').fill('11');
    await byTestId(p2, 'sample-button').click();
    expect(await samples(p2)).toEqual(modelSamples(parseModel(mlp, 'mlp.json'), 20, 11));
    expect(problems).toEqual([]);
    expect(fresh.problems).toEqual([]);
    await p2.close();
  });

  it('validates the form like the CLI, reports divergence, and works from the keyboard', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await gpuStatus(page);
    await byTestId(page, 'device-select').selectOption('cpu');
    const cliMessage = (name: string, text: string, rule: (typeof RULES)[keyof typeof RULES]) => {
      try {
        parseNumber(name, text, rule);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`${text} is valid`);
    };

    await byTestId(page, 'steps').fill('abc');
    // Keyboard: focus the Train button and press Enter.
    await byTestId(page, 'train').focus();
    expect(await byTestId(page, 'train').evaluate((b) => getComputedStyle(b).outlineStyle)).toBe('solid');
    await page.keyboard.press('Enter');
    expect(await errorText(page)).toBe(cliMessage('Steps', 'abc', RULES.steps));
    expect(await status(page)).toBe('error');
    expect(await byTestId(page, 'steps').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('steps');

    await byTestId(page, 'steps').fill('20');
    await byTestId(page, 'learning-rate').fill('0');
    await byTestId(page, 'train').click();
    expect(await errorText(page)).toBe(cliMessage('Learning rate', '0', RULES.lr));

    await byTestId(page, 'model-select').selectOption('bigram-counts');
    await byTestId(page, 'smoothing').fill('-1');
    await byTestId(page, 'train').click();
    expect(await errorText(page)).toBe(cliMessage('Smoothing', '-1', RULES.smoothing));

    // A learning rate far too high: the run ends in an error that says so, and no model.
    await byTestId(page, 'model-select').selectOption('bigram-nn');
    await byTestId(page, 'learning-rate').fill('1e10');
    await byTestId(page, 'train').click();
    expect(await waitForStatus(page, ['done', 'error'], CPU_RUN_MS)).toBe('error');
    expect(await errorText(page)).toMatch(/^training diverged: the loss (is not finite|rose to \S+) at step \d+.*the learning rate 10000000000 is probably too high \(try 50, the default\)$/);
    expect(await byTestId(page, 'download-model').isDisabled()).toBe(true);
    expect(await loss(page).catch(() => 'no number')).toBe('no number');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without WebGPU, says so plainly and trains on the CPU', async () => {
    const plain = await launch({ webgpu: false });
    try {
      const { page, problems } = await openPage(plain.context, served.server.url);
      const gpu = await gpuStatus(page);
      expect(gpu.state).toBe('unavailable');
      expect(gpu.text).toMatch(/^No GPU here: .+\. The CPU device works without it\.$/);
      expect(await byTestId(page, 'device-select').locator('option[value="gpu"]').isDisabled()).toBe(true);
      expect(await byTestId(page, 'device-select').inputValue()).toBe('cpu');
      const run = await train(page, { model: 'bigram-nn', device: 'cpu', steps: 20, lr: LR }, CPU_RUN_MS);
      expect(run.loss).toBeCloseTo(await cpuReferenceLoss(20), 4);
      expect(problems).toEqual([]);

      // A browser with no WebGPU at all (no navigator.gpu): said in the page's own words.
      const bare = await openPage(plain.context, served.server.url, {
        initScript: "Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });",
      });
      expect(bare.problems).toEqual([]);
      expect((await gpuStatus(bare.page)).text).toMatch(/^No GPU here: this browser has no WebGPU \(navigator\.gpu is missing\)/);
    } finally {
      await plain.close();
    }
  });

  it('at 390 px: the loss legend keeps each line\'s swatch, name and value side by side, and is shorter than the chart', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await page.setViewportSize({ width: 390, height: 844 });
    await gpuStatus(page);
    await train(page, { model: 'bigram-counts', device: 'cpu' }, CPU_RUN_MS);
    await train(page, { model: 'bigram-nn', device: 'cpu', steps: 20, lr: LR, seed: SEED }, CPU_RUN_MS);
    // An MLP run adds the longest names: its steps' own losses, the smoothed line, the dev points.
    await byTestId(page, 'model-select').selectOption('mlp');
    await byTestId(page, 'steps').fill('30');
    await byTestId(page, 'train').click();
    expect(await waitForStatus(page, ['done', 'error'], CPU_RUN_MS)).toBe('done');
    const layout = await page.evaluate(() => {
      const chart = document.querySelector('[data-testid="loss-chart"]')!;
      const legend = chart.querySelector('.u-legend')!.getBoundingClientRect();
      const canvas = chart.querySelector('canvas')!.getBoundingClientRect();
      // Each line's entry: its swatch, name and value side by side (the name may wrap within its column).
      const entries = Array.from(chart.querySelectorAll('.u-legend .u-series')).slice(1).map((tr) => {
        const [marker, label, value] = ['.u-marker', '.u-label', '.u-value'].map((q) => tr.querySelector(q)!.getBoundingClientRect());
        const middle = (r: DOMRect) => (r.top + r.bottom) / 2;
        const beside = (a: DOMRect, b: DOMRect) => a.right <= b.left + 1 && middle(b) > a.top && middle(b) < a.bottom;
        return { label: tr.querySelector('.u-label')!.textContent, together: beside(marker, label) && beside(label, value) };
      });
      const wide = Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > 391).slice(0, 8).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
      return { legend: legend.height, chart: canvas.height, width: document.documentElement.scrollWidth, entries, wide };
    });
    expect(layout.entries.length).toBeGreaterThanOrEqual(2);
    for (const e of layout.entries) expect(e.together, `${e.label}: swatch, name and value side by side`).toBe(true);
    expect(layout.legend, 'legend height against the chart\'s').toBeLessThan(layout.chart);
    expect(layout.width, layout.wide.join('; ')).toBeLessThanOrEqual(390);
    await byTestId(page, 'loss-chart').screenshot({ path: join(ARTIFACTS, 'page-390-chart.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
