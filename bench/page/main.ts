/**
 * The benchmark page: bench/suite.ts in the browser. The GPU half (gpuSuite) runs on this
 * thread against navigator.gpu, then the CPU half (cpuSuite) in a Web Worker, one after the
 * other so neither slows the other; rows show in the table and charts as they are measured,
 * and the whole run downloads as the JSON of `npm run bench -- --json`.
 * `?quick=1` selects the quick preset (the end-to-end test's mode).
 */
import '../../src/page/style.css';
import './bench.css';
import wordsUrl from 'an-array-of-english-words/index.json?url';
import { UserError } from '../../src/errors.ts';
import { describeAdapter, openGpu, type GpuContext } from '../../src/gpu/device.ts';
import { browserShaderFiles } from '../../src/gpu/shaders.browser.ts';
import { describeLaunch, measuredLaunches } from '../../src/gpu/launchShape.ts';
import { byId, formatInt, frameThrottle, messageOf } from '../../src/page/dom.ts';
import { loadBundledDataset } from '../../src/page/defaultDataset.ts';
import { crossover, crossoverSentence, FULL, gpuSuite, QUICK, type Row } from '../suite.ts';
import { BarChart, StepChart } from './charts.ts';
import type { BenchRequest, BenchResponse } from './protocol.ts';
import {
  buildReport, formatMs, formatN, kernelData, ladderData, ladderLines, reportFileName, stepData, SUITES, tableLines,
  type BenchEnv, type BenchReport, type LadderLine, type TableLine,
} from './report.ts';

type Status = 'idle' | 'running' | 'done' | 'error';

const errorBox = byId('bench-error', HTMLElement);
const statusEl = byId('bench-status', HTMLElement);
const progressEl = byId('bench-progress', HTMLElement);
const runButton = byId('bench-run', HTMLButtonElement);
const downloadButton = byId('bench-download', HTMLButtonElement);
const modeFields = byId('bench-mode', HTMLFieldSetElement);
const table = byId('bench-table', HTMLTableElement);
const crossoverEl = byId('bench-crossover', HTMLElement);
const kernelBox = byId('bench-kernel-chart', HTMLElement);
const stepBox = byId('bench-step-chart', HTMLElement);
const ladderBox = byId('bench-ladder-chart', HTMLElement);
const ladderBody = byId('bench-ladder-table', HTMLTableElement).tBodies[0];
const ladderStepsEl = byId('bench-ladder-steps', HTMLElement);
const envEl = {
  adapter: byId('env-adapter', HTMLElement),
  timestamps: byId('env-timestamps', HTMLElement),
  launch: byId('env-launch', HTMLElement),
  browser: byId('env-browser', HTMLElement),
  cpu: byId('env-cpu', HTMLElement),
  date: byId('env-date', HTMLElement),
  commit: byId('env-commit', HTMLElement),
};

const kernelChart = new BarChart(kernelBox, { category: 'kernel', axis: 'ms per kernel (log scale)' });
const stepChart = new StepChart(stepBox);
const ladderChart = new BarChart(ladderBox, { category: 'model', axis: 'ms per training step (log scale)' });
/**
 * Chrome's performance.now ticks in 0.1 ms on a page that is not cross-origin isolated: samples
 * repeat an op until they last this long, so the tick is at most 2% of any time shown.
 */
const MIN_SAMPLE_MS = 5;
/** The ladder's steps in quick mode: two timed chunks' worth and the compile, not the full 200 (a Transformer step is ~0.5 s on SwiftShader). */
const QUICK_LADDER_STEPS = 10;
const CPU_DESCRIPTION = `CPU (JavaScript, single thread, in a Web Worker; ${navigator.hardwareConcurrency || '?'} logical cores)`;

let rows: Row[] = [];
let report: BenchReport | null = null;
let running = false;

// ---- Status, errors, environment ----------------------------------------------------------

function setStatus(s: Status): void {
  statusEl.textContent = s;
  statusEl.dataset.state = s;
}

/** Errors add up: a missing GPU and a failed CPU half are both worth reading. */
function showError(text: string, e?: unknown): void {
  errorBox.textContent = errorBox.hidden ? text : `${errorBox.textContent}\n${text}`;
  errorBox.hidden = false;
  if (e !== undefined && !(e instanceof UserError)) console.warn(e);
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

function mode(): 'quick' | 'full' {
  return modeFields.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value === 'quick' ? 'quick' : 'full';
}

function showEnv(env: Partial<BenchEnv> & { adapterText?: string }): void {
  if (env.adapterText !== undefined) envEl.adapter.textContent = env.adapterText;
  if (env.timestamps !== undefined) {
    envEl.timestamps.textContent = env.timestamps ? 'available: per-kernel GPU times' : 'not available: no per-kernel GPU times';
  }
  if (env.date !== undefined) envEl.date.textContent = env.date;
}

envEl.browser.textContent = navigator.userAgent;
envEl.cpu.textContent = CPU_DESCRIPTION;
envEl.commit.textContent = `commit ${__BUILD_COMMIT__}`;

/** Why there is no GPU half, in words a user can act on; null if navigator.gpu exists. */
function noWebGpuReason(): string | null {
  if ((navigator as Navigator & { gpu?: GPU }).gpu) return null;
  return window.isSecureContext
    ? 'This browser has no WebGPU (navigator.gpu is missing): try a current Chrome or Edge, or Firefox/Safari with WebGPU enabled.'
    : 'WebGPU needs a secure page (https:// or http://localhost).';
}

/** The adapter at load, before any run: what the GPU half will run on. */
async function probeAdapter(): Promise<void> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    showEnv({ adapterText: `none: ${noWebGpuReason()}` });
    return;
  }
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      showEnv({ adapterText: 'none: WebGPU found no adapter' });
      return;
    }
    const info = adapter.info ?? ({} as GPUAdapterInfo);
    const fallback = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter);
    if (!running) showEnv({ adapterText: describeAdapter(info, fallback).description, timestamps: adapter.features.has('timestamp-query') });
  } catch (e) {
    showEnv({ adapterText: `none: ${messageOf(e)}` });
  }
}

// ---- Results: table, charts, crossover ----------------------------------------------------

function cell(text: string, opts: { title?: string; className?: string } = {}): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (opts.title) td.title = opts.title;
  if (opts.className) td.className = opts.className;
  return td;
}

function msCell(r: Row | null, col: string): HTMLTableCellElement {
  const td = r
    ? cell(formatMs(r.ms.median), { title: `${r.device.toUpperCase()} ${r.name}: median of ${r.ms.runs} (min ${formatMs(r.ms.min)}, max ${formatMs(r.ms.max)} ms)` })
    : cell('–', { className: 'missing' });
  td.dataset.col = col;
  td.classList.add('num');
  return td;
}

function tableRow(l: TableLine): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.suite = l.suite;
  tr.dataset.name = l.name;
  tr.dataset.n = String(l.N);
  const name = cell(l.name, { className: 'name' });
  // The CPU twin of a GPU kernel version, or a CPU op no GPU row races.
  if (l.gpu && l.cpu && l.cpu.name !== l.name) name.title = `against the CPU's ${l.cpu.name}`;
  if (!l.gpu && l.cpu) name.append(Object.assign(document.createElement('span'), { className: 'unit', textContent: ' (CPU only)' }));
  const ratio = cell(l.speedup === null ? '–' : `${l.speedup >= 0.1 ? l.speedup.toFixed(2) : l.speedup.toPrecision(2)}×`, { className: 'num' });
  ratio.dataset.col = 'ratio';
  if (l.speedup !== null) ratio.classList.add(l.speedup >= 1 ? 'gpu-wins' : 'cpu-wins');
  const gb = cell(l.gbPerSecond === null ? '' : l.gbPerSecond.toFixed(2), { className: 'num' });
  gb.dataset.col = 'gbs';
  tr.append(name, Object.assign(cell(formatInt(l.N), { className: 'num' }), { title: `${l.N} ${l.suite === 'ladder' ? 'steps' : 'examples'}` }),
    msCell(l.gpu, 'gpu'), msCell(l.cpu, 'cpu'), ratio, gb, cell(l.note ?? '', { className: 'note' }));
  return tr;
}

function renderTable(): void {
  for (const body of Array.from(table.tBodies)) body.remove();
  const lines = tableLines(rows);
  for (const { suite, title } of SUITES) {
    const mine = lines.filter((l) => l.suite === suite);
    if (mine.length === 0) continue;
    const body = table.createTBody();
    const head = body.insertRow();
    const th = document.createElement('th');
    th.colSpan = table.tHead!.rows[0].cells.length;
    th.scope = 'rowgroup';
    th.textContent = title;
    head.append(th);
    for (const l of mine) body.append(tableRow(l));
  }
}

const num = (x: number | null, text: (x: number) => string, col: string, title?: string): HTMLTableCellElement => {
  const td = cell(x === null ? '–' : text(x), { className: x === null ? 'num missing' : 'num', title });
  td.dataset.col = col;
  return td;
};

function ladderRow(l: LadderLine): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.name = l.name;
  tr.dataset.n = String(l.N);
  const ratio = num(l.speedup, (x) => `${x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}×`, 'ratio');
  if (l.speedup !== null) ratio.classList.add(l.speedup >= 1 ? 'gpu-wins' : 'cpu-wins');
  const loss = (x: number) => x.toFixed(4);
  tr.append(
    cell(l.name, { className: 'name' }),
    num(l.parameters, formatInt, 'parameters'),
    num(l.gpuMs, formatMs, 'gpu', `ms per step: the median over the chunks of the ${l.N} steps after the first`),
    num(l.cpuMs, formatMs, 'cpu', `ms per step: the median over the chunks of the ${l.N} steps after the first`),
    ratio,
    num(l.dispatches, formatInt, 'dispatches'),
    num(l.gpuTestLoss, loss, 'gpu-loss', l.gpuTestLoss === null ? undefined : String(l.gpuTestLoss)),
    num(l.cpuTestLoss, loss, 'cpu-loss', l.cpuTestLoss === null ? undefined : String(l.cpuTestLoss)),
    num(l.lossDiff, (x) => (x === 0 ? '0' : x.toExponential(1)), 'loss-diff'),
  );
  return tr;
}

function renderLadder(): void {
  const lines = ladderLines(rows);
  ladderBody.replaceChildren(...lines.map(ladderRow));
  const bars = ladderData(rows);
  ladderChart.show(bars.names.length ? bars : null);
  ladderBox.setAttribute('aria-label', bars.names.length
    ? `ms per training step, GPU and CPU, log scale, for ${bars.names.length} models: the table beside holds the numbers`
    : 'ms per training step per model, GPU and CPU: no results yet');
}

function renderCharts(): void {
  const kernels = kernelData(rows);
  kernelChart.show(kernels.names.length ? kernels : null);
  kernelBox.setAttribute('aria-label', kernels.names.length
    ? `ms per kernel, GPU and CPU, log scale, for ${kernels.names.length} kernels: the table below holds the numbers`
    : 'ms per kernel, GPU and CPU: no results yet');
  const steps = stepData(rows);
  const cross = crossover(rows);
  stepChart.show(steps.Ns.length ? { ...steps, crossoverN: cross?.N ?? null } : null);
  stepBox.setAttribute('aria-label', steps.Ns.length
    ? `ms per training step against N from ${formatN(steps.Ns[0])} to ${formatN(steps.Ns[steps.Ns.length - 1])}, log-log, CPU and each GPU path: the table below holds the numbers`
    : 'ms per step against N: no results yet');
  crossoverEl.textContent = crossoverSentence(rows, formatInt) ?? '–';
}

const render = frameThrottle(() => {
  renderTable();
  renderCharts();
  renderLadder();
});

function addRow(row: Row, half: 'GPU' | 'CPU'): void {
  rows.push(row);
  progressEl.textContent = `${half} half: ${rows.length} rows · last ${row.device.toUpperCase()} ${row.name} at N ${formatInt(row.N)}: ${formatMs(row.ms.median)} ms`;
  render();
}

// ---- The run ------------------------------------------------------------------------------

let words: Promise<string[]> | null = null;

/** The ~275k-word English list, fetched once (3 MB of JSON) and posted to each worker. */
function loadWords(): Promise<string[]> {
  words ??= fetch(wordsUrl).then(async (r) => {
    if (!r.ok) throw new Error(`the word list did not load: HTTP ${r.status}`);
    return (await r.json()) as string[];
  });
  words.catch(() => (words = null));
  return words;
}

function runCpuHalf(req: BenchRequest): Promise<void> {
  const worker = new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module', name: 'makemore-bench-cpu' });
  return new Promise<void>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<BenchResponse>) => {
      const m = e.data;
      if (m.type === 'row') addRow(m.row, 'CPU');
      else if (m.type === 'done') resolve();
      else reject(Object.assign(new Error(m.message), { name: m.name }));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`the CPU worker failed: ${e.message || 'it did not start'}`));
    };
    worker.postMessage(req);
  }).finally(() => worker.terminate());
}

async function run(): Promise<void> {
  if (running) return;
  running = true;
  runButton.disabled = true;
  downloadButton.disabled = true;
  modeFields.disabled = true;
  clearError();
  setStatus('running');
  rows = [];
  report = null;
  render();

  const quick = mode() === 'quick';
  const preset = { ...(quick ? QUICK : FULL), ladderSteps: quick ? QUICK_LADDER_STEPS : FULL.ladderSteps };
  ladderStepsEl.textContent = formatInt(preset.ladderSteps!);
  const env: BenchEnv = {
    date: new Date().toISOString(),
    commit: __BUILD_COMMIT__,
    runtime: navigator.userAgent,
    adapter: null,
    cpu: CPU_DESCRIPTION,
    timestamps: false,
    quick,
    repeats: preset.repeats,
  };
  showEnv({ date: env.date });
  let failed = false;
  try {
    progressEl.textContent = 'loading the word list…';
    const list = await loadWords();
    // The ladder trains on the bundled names, as the CLI's does: a language model's test loss means something there.
    const ladderWords = loadBundledDataset().words;

    // The GPU half. Without WebGPU it is skipped and said so; the CPU half runs regardless.
    progressEl.textContent = 'GPU half: opening the device…';
    let ctx: GpuContext | null = null;
    const missing = noWebGpuReason();
    if (missing) {
      showError(`No GPU half: ${missing} The CPU half runs alone.`);
      showEnv({ adapterText: 'none (no WebGPU)', timestamps: false });
    } else {
      try {
        ctx = await openGpu((navigator as Navigator & { gpu?: GPU }).gpu, browserShaderFiles);
      } catch (e) {
        showError(`No GPU half: ${messageOf(e)} The CPU half runs alone.`, e);
        showEnv({ adapterText: 'none (no adapter)', timestamps: false });
      }
    }
    if (ctx) {
      env.adapter = ctx.adapter;
      env.timestamps = ctx.hasTimestamps;
      showEnv({ adapterText: ctx.description, timestamps: ctx.hasTimestamps });
      try {
        progressEl.textContent = 'GPU half: compiling and warming up…';
        await gpuSuite(ctx, { ...preset, words: list, ladderWords, minSampleMs: MIN_SAMPLE_MS, onRow: (r) => addRow(r, 'GPU') });
        // What the fused bigram step measured and chose on this adapter (src/gpu/launchShape.ts).
        const launches = await measuredLaunches();
        envEl.launch.textContent = launches.length ? launches.map((c) => `${c.key}: ${describeLaunch(c)}`).join('; ') : 'not measured (small data: the default shape)';
      } catch (e) {
        failed = true;
        showError(`The GPU half failed: ${messageOf(e)}. The CPU half still runs.`, e);
      } finally {
        ctx.device.destroy();
      }
    }

    progressEl.textContent = 'CPU half: starting the worker…';
    try {
      await runCpuHalf({
        opts: { sizes: preset.sizes, kernelN: preset.kernelN, repeats: preset.repeats, minSampleMs: MIN_SAMPLE_MS, ladderSteps: preset.ladderSteps, ladderWords },
        words: list,
      });
    } catch (e) {
      failed = true;
      showError(`The CPU half failed: ${messageOf(e)}`, e);
    }
  } catch (e) {
    failed = true;
    showError(messageOf(e), e);
  } finally {
    report = buildReport(env, rows);
    progressEl.textContent = `${rows.length} rows in ${((Date.now() - Date.parse(env.date)) / 1000).toFixed(1)} s`;
    render();
    setStatus(failed ? 'error' : 'done');
    downloadButton.disabled = rows.length === 0;
    runButton.disabled = false;
    modeFields.disabled = false;
    running = false;
  }
}

function download(): void {
  if (!report) return;
  const blob = new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = reportFileName(report.env);
  a.click();
  // Revoked late: revoking at once can cancel a download the browser has not started reading.
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/**
 * A table wider than its box scrolls inside it: data-scrollable then shows a hint that says so
 * (on a phone the scroll bar is hidden until touched). Redone when the box or the table resizes.
 */
function markScrollable(wrap: HTMLElement): void {
  const update = () => wrap.toggleAttribute('data-scrollable', wrap.scrollWidth > wrap.clientWidth + 1);
  const observer = new ResizeObserver(update);
  observer.observe(wrap);
  for (const child of Array.from(wrap.children)) observer.observe(child);
}
for (const wrap of Array.from(document.querySelectorAll<HTMLElement>('.table-wrap'))) markScrollable(wrap);

runButton.addEventListener('click', () => void run());
downloadButton.addEventListener('click', download);

// ---- Start --------------------------------------------------------------------------------

if (new URLSearchParams(location.search).get('quick') === '1') {
  modeFields.querySelector<HTMLInputElement>('input[value="quick"]')!.checked = true;
}
setStatus('idle');
void probeAdapter();
