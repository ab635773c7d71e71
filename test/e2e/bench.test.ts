/**
 * The benchmark page, end to end: the built site's bench.html in headless Chromium with WebGPU
 * on SwiftShader, in quick mode. Both halves run (GPU on the page, CPU in its worker), every
 * kernel and step path gets a GPU and a CPU time in the table, the ladder has a line per model
 * with GPU and CPU test losses that agree, the charts are drawn (their canvases hold the
 * series' colours), and the download is the CLI's JSON, checked here
 * against the suite's own compare and crossover. Any console error or uncaught error fails.
 * No timing is asserted: SwiftShader's numbers mean nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { compare, crossover, LADDER, QUICK, type Row } from '../../bench/suite.ts';
import { CPU_COLOUR, GPU_COLOUR, STEP_STYLE } from '../../bench/page/palette.ts';
import type { BenchReport } from '../../bench/page/report.ts';
import { byTestId, chartPixels, legendLabels } from './app.ts';
import { launch, openPage } from './browser.ts';
import { ARTIFACTS, servedSite } from './site.ts';

/** Quick mode takes a minute or two on SwiftShader with two cores; others' tests may share them. */
const RUN_MS = 420_000;
/** Every kernel of the two GPU paths' steps, as bench/suite.ts names them (the CLI test's list). */
const GPU_KERNELS = [
  'onehot_matmul', 'softmax_forward', 'nll_forward', 'loss_finalize', 'softmax_nll_backward', 'onehot_matmul_backward', 'sgd_update',
  'bigram_step_fused_vec4', 'bigram_update_fused',
];
const STEP_PATHS = ['bigram_step_fused', 'bigram_step_unfused', 'bigram_step_counts'];

const served = servedSite();


interface TableRow { suite: string; name: string; N: number; gpu: string; cpu: string; ratio: string }

async function tableRows(page: Page): Promise<TableRow[]> {
  return page.locator('[data-testid="bench-table"] tr[data-suite]').evaluateAll((trs) => trs.map((tr) => {
    const col = (c: string) => tr.querySelector(`[data-col="${c}"]`)?.textContent ?? '';
    const el = tr as HTMLElement;
    return { suite: el.dataset.suite!, name: el.dataset.name!, N: Number(el.dataset.n), gpu: col('gpu'), cpu: col('cpu'), ratio: col('ratio') };
  }));
}

/**
 * Presses Run from the keyboard and waits for the run to end; returns the final status, how
 * long it took, and whether rows showed up in the table while it was still running.
 */
async function runBench(page: Page): Promise<{ status: string; ms: number; rowsWhileRunning: boolean }> {
  const t0 = Date.now();
  await byTestId(page, 'bench-run').focus();
  await page.keyboard.press('Enter');
  const rowsWhileRunning = await page.waitForFunction(
    () => document.querySelector('[data-testid="bench-table"] tr[data-suite]') !== null,
    undefined, { timeout: RUN_MS, polling: 50 },
  ).then(async () => (await byTestId(page, 'bench-status').textContent()) === 'running');
  await page.waitForFunction(
    () => ['done', 'error'].includes(document.querySelector('[data-testid="bench-status"]')?.textContent ?? ''),
    undefined, { timeout: RUN_MS, polling: 250 },
  );
  return { status: (await byTestId(page, 'bench-status').textContent()) ?? '', ms: Date.now() - t0, rowsWhileRunning };
}

interface LadderRow { name: string; N: number; cells: Record<string, string> }

async function ladderRows(page: Page): Promise<LadderRow[]> {
  return page.locator('[data-testid="bench-ladder-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const el = tr as HTMLElement;
    const cells = Object.fromEntries(Array.from(el.querySelectorAll<HTMLElement>('[data-col]')).map((td) => [td.dataset.col!, td.textContent ?? '']));
    return { name: el.dataset.name!, N: Number(el.dataset.n), cells };
  }));
}

async function downloadReport(page: Page, name: string): Promise<{ report: BenchReport; filename: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'bench-download').click()]);
  const path = join(ARTIFACTS, name);
  await download.saveAs(path);
  return { report: JSON.parse(readFileSync(path, 'utf8')) as BenchReport, filename: download.suggestedFilename() };
}

const isMs = (s: string) => /^\d+\.\d+$/.test(s);

describe('the benchmark page', () => {
  it('quick mode: both halves run, every kernel and step path has GPU and CPU times, the ladder a line per model whose test losses agree, the charts are drawn, the download is the CLI\'s JSON', async () => {
    const { page, problems } = await openPage(served.browser.context, `${served.server.url}bench.html?quick=1`);
    expect(await byTestId(page, 'bench-mode-quick').isChecked(), '?quick=1 selects quick mode').toBe(true);
    expect(await byTestId(page, 'bench-status').textContent()).toBe('idle');
    expect(await byTestId(page, 'bench-download').isDisabled()).toBe(true);
    // The adapter is named before any run.
    await expect.poll(() => byTestId(page, 'bench-adapter').textContent()).toMatch(/SwiftShader/i);

    const { status, ms, rowsWhileRunning } = await runBench(page);
    if (status !== 'done') throw new Error(`the benchmark ended in ${status}: ${await byTestId(page, 'bench-error').textContent()}`);
    console.log(`quick benchmark on the page: ${(ms / 1000).toFixed(1)} s`);
    expect(rowsWhileRunning, 'rows show as they are measured').toBe(true);
    expect(await byTestId(page, 'bench-error').isHidden()).toBe(true);

    const env = (await byTestId(page, 'bench-env').textContent()) ?? '';
    expect(env).toMatch(/SwiftShader/i);
    expect(env).toContain('HeadlessChrome');
    expect(env).toMatch(/Timestamps\s*available/);
    // The fused bigram step's launch shape, as measured (or the default on data too small to time).
    expect(await byTestId(page, 'bench-launch').textContent()).toMatch(/C \d+, \d+ threads|not measured \(small data/);
    expect(env).toMatch(/\d{4}-\d\d-\d\dT/);

    // The table: a GPU and a CPU time for every kernel, every step path and the count table at every N.
    const rows = await tableRows(page);
    const line = (suite: string, name: string, N: number) => rows.find((r) => r.suite === suite && r.name === name && r.N === N);
    const want: [string, string, number][] = [
      ...GPU_KERNELS.map((k): [string, string, number] => ['kernel', k, QUICK.kernelN]),
      ...QUICK.sizes.flatMap((N) => [...STEP_PATHS.map((p): [string, string, number] => ['step', p, N]), ['counts', 'bigram_counts', N] as [string, string, number]]),
    ];
    for (const [suite, name, N] of want) {
      const r = line(suite, name, N);
      expect(r, `${suite} ${name} at N ${N} is in the table`).toBeDefined();
      expect(isMs(r!.gpu) && isMs(r!.cpu), `${suite} ${name} at N ${N}: gpu ${r!.gpu}, cpu ${r!.cpu}`).toBe(true);
      expect(r!.ratio).toMatch(/^\d+\.\d+(e-\d+)?×$/);
    }
    // The CPU trainer's own step has no GPU twin: shown, marked as CPU only.
    expect(line('kernel', 'bigram_step', QUICK.kernelN)).toMatchObject({ gpu: '–' });
    expect(await byTestId(page, 'bench-crossover').textContent()).toMatch(/^The fused GPU step (overtakes the CPU step at N ≈ [\d,]+ \(between|is ahead of the CPU step at|stays behind the CPU step at every size)/);

    // The ladder: one line per model, both devices timed, test losses that agree to float32 rounding.
    const steps = Number(await byTestId(page, 'bench-ladder-steps').textContent());
    expect(steps).toBeGreaterThanOrEqual(2);
    const ladder = await ladderRows(page);
    expect(ladder.map((l) => l.name)).toEqual([...LADDER]);
    for (const { name, N, cells } of ladder) {
      expect(N, name).toBe(steps);
      expect(isMs(cells.gpu) && isMs(cells.cpu), `${name}: gpu ${cells.gpu}, cpu ${cells.cpu}`).toBe(true);
      expect(cells.ratio, name).toMatch(/^\d+\.\d+(e-\d+)?×$/);
      expect(cells.parameters, name).toMatch(/^\d{1,3}(,\d{3})*$/);
      expect(cells.dispatches, name).toMatch(/^[\d,]+$/);
      expect(Math.abs(Number(cells['gpu-loss']) - Number(cells['cpu-loss'])), `${name}: test loss gpu ${cells['gpu-loss']}, cpu ${cells['cpu-loss']}`).toBeLessThanOrEqual(1e-3);
    }
    const ladderBars = await chartPixels(page, 'bench-ladder-chart', [GPU_COLOUR, CPU_COLOUR]);
    expect(ladderBars.width).toBeGreaterThan(300);
    expect(ladderBars.counts[0], 'ladder: GPU bars').toBeGreaterThan(500);
    expect(ladderBars.counts[1], 'ladder: CPU bars').toBeGreaterThan(500);
    expect(await legendLabels(page, 'bench-ladder-chart')).toEqual(['GPU', 'CPU']);

    // The charts: bars in both colours; a line in each path's colour; the counts path labelled as another algorithm.
    const kernels = await chartPixels(page, 'bench-kernel-chart', [GPU_COLOUR, CPU_COLOUR]);
    expect(kernels.width).toBeGreaterThan(300);
    expect(kernels.counts[0], 'GPU bars').toBeGreaterThan(500);
    expect(kernels.counts[1], 'CPU bars').toBeGreaterThan(500);
    expect(await legendLabels(page, 'bench-kernel-chart')).toEqual(['GPU', 'CPU']);
    const styles = Object.values(STEP_STYLE);
    const stepPixels = await chartPixels(page, 'bench-step-chart', styles.map((s) => s.stroke));
    expect(stepPixels.width).toBeGreaterThan(300);
    styles.forEach((s, i) => expect(stepPixels.counts[i], `step chart: pixels in ${s.stroke}`).toBeGreaterThan(40));
    expect(await legendLabels(page, 'bench-step-chart')).toEqual(['CPU', 'GPU fused', 'GPU unfused', 'GPU counts: different algorithm (count table)']);

    // The download: the JSON of `npm run bench -- --json`, consistent with its own rows.
    const { report, filename } = await downloadReport(page, 'bench-page.json');
    expect(filename).toMatch(/^bench-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
    expect(Object.keys(report).sort()).toEqual(['comparisons', 'crossover', 'env', 'rows']);
    expect(report.env.runtime).toMatch(/HeadlessChrome|Chrome/);
    expect(report.env.adapter?.description).toMatch(/SwiftShader/i);
    expect(report.env).toMatchObject({ quick: true, repeats: QUICK.repeats, timestamps: true });
    expect(report.env.commit).toMatch(/^([0-9a-f]{7,}|unknown)$/);
    expect(Object.keys(report.env).sort()).toEqual(['adapter', 'commit', 'cpu', 'date', 'quick', 'repeats', 'runtime', 'timestamps']);
    const rowsOf = (device: Row['device']) => report.rows.filter((r) => r.device === device);
    expect(rowsOf('gpu').filter((r) => r.suite === 'kernel').map((r) => r.name)).toEqual(expect.arrayContaining(GPU_KERNELS));
    expect(rowsOf('cpu').length).toBeGreaterThan(0);
    for (const r of report.rows) {
      // Above 0 even for a 0.03 ms CPU op: samples repeat it past the browser's 0.1 ms clock tick.
      expect(r.ms.median, `${r.device} ${r.suite} ${r.name} at N ${r.N}`).toBeGreaterThan(0);
      expect(r.ms.min, `${r.device} ${r.name}`).toBeLessThanOrEqual(r.ms.median);
      expect(r.ms.max).toBeGreaterThanOrEqual(r.ms.median);
      // The ladder's ms is over its timed chunks, not the repeats.
      if (r.suite !== 'ladder') expect(r.ms.runs).toBe(QUICK.repeats);
    }
    for (const kind of LADDER) {
      const [g, c] = (['gpu', 'cpu'] as const).map((d) => report.rows.find((r) => r.suite === 'ladder' && r.name === kind && r.device === d));
      expect(g && c, `${kind}: a GPU and a CPU ladder row`).toBeTruthy();
      expect(g!).toMatchObject({ N: steps, parameters: c!.parameters });
      expect(g!.dispatches).toBeGreaterThan(0);
      expect(Math.abs(g!.testLoss! - c!.testLoss!), `${kind}: test loss gpu ${g!.testLoss}, cpu ${c!.testLoss}`).toBeLessThan(1e-3);
    }
    expect(report.comparisons).toEqual(compare(report.rows));
    expect(report.crossover).toEqual(crossover(report.rows));
    // One table line per comparison, plus the CPU rows nobody raced.
    expect(rows.filter((r) => r.gpu !== '–' && r.cpu !== '–')).toHaveLength(report.comparisons.length);

    await page.screenshot({ path: join(ARTIFACTS, 'bench.png'), fullPage: true });
    // Common window sizes: the charts follow their panels' width, nothing spills sideways (the table may scroll in its own box).
    for (const width of [1024, 768, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await expect.poll(() => page.evaluate(() => {
        const fits = (id: string) => {
          const box = document.querySelector(`[data-testid="${id}"]`) as HTMLElement;
          return box.querySelector('canvas')!.getBoundingClientRect().width <= box.clientWidth + 1;
        };
        return document.documentElement.scrollWidth <= window.innerWidth && fits('bench-kernel-chart') && fits('bench-step-chart') && fits('bench-ladder-chart');
      }), { message: `at ${width} px` }).toBe(true);
      expect((await chartPixels(page, 'bench-step-chart', [CPU_COLOUR])).counts[0], `step chart at ${width} px`).toBeGreaterThan(20);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'bench-390.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, RUN_MS + 60_000);

  it('at 390 px: a table wider than its box says that it scrolls sideways; one that fits says nothing', async () => {
    const { page, problems } = await openPage(served.browser.context, `${served.server.url}bench.html`);
    await page.setViewportSize({ width: 390, height: 900 });
    // A results row as the page writes one: a long kernel name that does not wrap.
    await page.evaluate(() => {
      const row = document.querySelector<HTMLTableElement>('#bench-table')!.createTBody().insertRow();
      for (const [cls, text] of [['name', 'crossentropy_forward_softmax_fused'], ['num', '262,144'], ['num', '12.345'], ['num', '67.890'], ['num', '5.50×'], ['num', '1.23'], ['note', 'a note of a few words']]) {
        const cell = row.insertCell();
        cell.className = cls;
        cell.textContent = text;
      }
    });
    const hints = () => page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('.table-wrap')).map((wrap) => {
      const hint = getComputedStyle(wrap, '::before');
      return {
        table: wrap.querySelector('table')!.id,
        overflows: wrap.scrollWidth > wrap.clientWidth + 1,
        hint: hint.content !== 'none' && hint.display !== 'none' ? hint.content : '',
        inView: wrap.getBoundingClientRect().right <= window.innerWidth,
      };
    }));
    await expect.poll(async () => (await hints()).find((h) => h.table === 'bench-table')?.hint).toContain('Scroll sideways');
    for (const h of await hints()) {
      expect(h.inView, `${h.table}: its box within the window`).toBe(true);
      expect(Boolean(h.hint), `${h.table}: hint shown exactly when it overflows`).toBe(h.overflows);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'bench-390-table.png'), fullPage: true });
    // Wide enough for the whole table: no hint.
    await page.setViewportSize({ width: 1280, height: 900 });
    await expect.poll(async () => (await hints()).find((h) => h.table === 'bench-table')?.hint).toBe('');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without a WebGPU adapter: says so plainly, runs the CPU half alone, downloads CPU rows only', async () => {
    const plain = await launch({ webgpu: false });
    try {
      const { page, problems } = await openPage(plain.context, `${served.server.url}bench.html?quick=1`);
      const { status } = await runBench(page);
      expect(status).toBe('done');
      expect(await byTestId(page, 'bench-error').textContent()).toMatch(/^No GPU half: .+ The CPU half runs alone\.$/);
      const rows = await tableRows(page);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.gpu === '–' && isMs(r.cpu)), 'CPU times only').toBe(true);
      for (const N of QUICK.sizes) expect(rows.some((r) => r.suite === 'step' && r.name === 'bigram_step' && r.N === N)).toBe(true);
      // The kernel bars are drawn in the CPU's colour alone.
      const kernels = await chartPixels(page, 'bench-kernel-chart', [GPU_COLOUR, CPU_COLOUR]);
      expect(kernels.counts[0]).toBe(0);
      expect(kernels.counts[1]).toBeGreaterThan(500);
      expect(await byTestId(page, 'bench-crossover').textContent()).toBe('–');

      const { report } = await downloadReport(page, 'bench-page-cpu.json');
      expect(report.env.adapter).toBeNull();
      expect(report.rows.every((r) => r.device === 'cpu')).toBe(true);
      expect(report.comparisons).toEqual([]);
      expect(report.crossover).toBeNull();
      expect(problems).toEqual([]);
    } finally {
      await plain.close();
    }
  }, RUN_MS);
});
