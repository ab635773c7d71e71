/** Drives the page through its data-testids, as a user would: fill, select, click, read. */
import type { Page } from 'playwright-core';

export type Status = 'idle' | 'training' | 'paused' | 'done' | 'error';

export interface TrainSettings {
  model: 'bigram-counts' | 'bigram-nn';
  device: 'cpu' | 'gpu';
  steps?: number;
  lr?: number;
  seed?: number;
}

export const byTestId = (page: Page, id: string) => page.getByTestId(id);

export async function status(page: Page): Promise<string> {
  return (await byTestId(page, 'status').textContent()) ?? '';
}

/** Waits until the status is one of `want`; a run that ends in another state fails with the page's error. */
export async function waitForStatus(page: Page, want: Status[], timeout: number): Promise<Status> {
  await page.waitForFunction(
    (states: string[]) => states.includes(document.querySelector('[data-testid="status"]')?.textContent ?? ''),
    want, { timeout, polling: 100 },
  );
  return (await status(page)) as Status;
}

/** The GPU probe's outcome, once it has one. */
export async function gpuStatus(page: Page): Promise<{ state: string; text: string }> {
  const el = byTestId(page, 'gpu-status');
  await page.waitForFunction(() => document.querySelector('[data-testid="gpu-status"]')?.getAttribute('data-state') !== 'checking', undefined, { timeout: 60_000 });
  return { state: (await el.getAttribute('data-state')) ?? '', text: (await el.textContent()) ?? '' };
}

/** Fills the form, presses Train and waits for the run to end; throws with the page's error if it fails. */
export async function train(page: Page, s: TrainSettings, timeout: number): Promise<{ loss: number; ms: number }> {
  await byTestId(page, 'model-select').selectOption(s.model);
  await byTestId(page, 'device-select').selectOption(s.device);
  if (s.model === 'bigram-nn') {
    if (s.steps !== undefined) await byTestId(page, 'steps').fill(String(s.steps));
    if (s.lr !== undefined) await byTestId(page, 'learning-rate').fill(String(s.lr));
    if (s.seed !== undefined) await byTestId(page, 'seed').fill(String(s.seed));
  }
  const t0 = Date.now();
  await byTestId(page, 'train').click();
  const end = await waitForStatus(page, ['done', 'error'], timeout);
  if (end === 'error') throw new Error(`the run failed: ${await byTestId(page, 'error').textContent()}`);
  return { loss: await loss(page), ms: Date.now() - t0 };
}

export async function loss(page: Page): Promise<number> {
  const text = (await byTestId(page, 'loss').textContent()) ?? '';
  const v = Number(text);
  if (!Number.isFinite(v)) throw new Error(`the loss reads ${JSON.stringify(text)}, not a number`);
  return v;
}

export async function samples(page: Page): Promise<string[]> {
  // Each sampled name is data-testid="samples"; their list is samples-list.
  return byTestId(page, 'samples-list').getByTestId('samples').allTextContents();
}

export async function datasetStats(page: Page): Promise<{ words: number; examples: number; vocab: number; text: string }> {
  const el = byTestId(page, 'dataset-stats');
  const get = async (k: string) => Number(await el.getAttribute(`data-${k}`));
  return { words: await get('words'), examples: await get('examples'), vocab: await get('vocab'), text: (await el.textContent()) ?? '' };
}

export async function errorText(page: Page): Promise<string | null> {
  const el = byTestId(page, 'error');
  return (await el.isVisible()) ? await el.textContent() : null;
}

/**
 * What a heatmap canvas actually holds: the share of its pixels drawn in the Blues colour map
 * (blue clearly above red; the empty placeholder is grey) and how many distinct blues there are.
 */
export async function heatmapPixels(page: Page, testid: string): Promise<{ width: number; blueShare: number; blues: number }> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement;
    const { width, height } = canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
    let blue = 0;
    const shades = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (b > r + 8 && data[i + 3] === 255) {
        blue++;
        shades.add((r << 16) | (g << 8) | b);
      }
    }
    return { width, blueShare: blue / (width * height), blues: shades.size };
  }, testid);
}

/** Labels of the loss chart's lines, from uPlot's legend. */
export async function chartLines(page: Page): Promise<string[]> {
  const labels = await byTestId(page, 'loss-chart').locator('.u-legend .u-series .u-label').allTextContents();
  return labels.slice(1); // the first is the x axis
}

/**
 * What a uPlot chart has drawn: the pixels of its canvas inside the plot area (uPlot's
 * `.u-over` box, so axes and labels do not count) near each of `colours` ('#rrggbb'), and the
 * share of the area that is not background at all.
 */
export async function chartPixels(page: Page, testid: string, colours: string[]): Promise<{ width: number; height: number; counts: number[]; inked: number }> {
  return page.evaluate(({ id, colours }) => {
    const root = document.querySelector(`[data-testid="${id}"]`)!;
    const canvas = root.querySelector('canvas');
    const over = root.querySelector<HTMLElement>('.u-over');
    if (!canvas || !over) return { width: 0, height: 0, counts: colours.map(() => 0), inked: 0 };
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const [x0, y0] = [Math.round(over.offsetLeft * ratio), Math.round(over.offsetTop * ratio)];
    const [w, h] = [Math.round(over.offsetWidth * ratio), Math.round(over.offsetHeight * ratio)];
    const data = canvas.getContext('2d')!.getImageData(x0, y0, w, h).data;
    const rgb = colours.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    const counts = colours.map(() => 0);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      // The canvas is transparent where nothing is drawn; grid lines are light grey.
      if (a < 128 || (r > 200 && g > 200 && b > 200)) continue;
      inked++;
      rgb.forEach(([cr, cg, cb], k) => {
        if (Math.max(Math.abs(r - cr), Math.abs(g - cg), Math.abs(b - cb)) <= 24) counts[k]++;
      });
    }
    return { width: w, height: h, counts, inked: inked / (w * h) };
  }, { id: testid, colours });
}

/** Labels of a uPlot chart's series, from its legend (the x axis's first). */
export async function legendLabels(page: Page, testid: string): Promise<string[]> {
  const labels = await byTestId(page, testid).locator('.u-legend .u-series .u-label').allTextContents();
  return labels.slice(1);
}
