/**
 * The page: wires the panels to one another and to training runs. State lives here: the
 * dataset (in its panel), the current model (in the model panel) and the run in progress.
 */
import './style.css';
import { UserError } from '../errors.ts';
import type { Dataset } from '../data/dataset.ts';
import { bigramCountsCpu, countsNll, countsToProbs } from '../models/bigramCounts.ts';
import { modelProbabilities, type ModelFile } from '../models/modelFile.ts';
import { byId, countOf, formatInt, formatSpeed, frameThrottle, messageOf } from './dom.ts';
import { DatasetPanel } from './datasetPanel.ts';
import { forgetGpu, gpuState } from './gpuDevice.ts';
import { Heatmap, showSymbol, type Cell } from './heatmap.ts';
import { HyperForm, isGenericKind, pageHyper, type GenericKind } from './hyperForm.ts';
import { LossChart } from './lossChart.ts';
import { ModelPanel } from './modelPanel.ts';
import { PauseGate } from './pauseGate.ts';
import { SamplesPanel } from './samplesPanel.ts';
import { AttentionPanel } from './attentionPanel.ts';
import { loadBundledDataset } from './defaultDataset.ts';
import { runOnPage } from './trainingRun.ts';
import { DivergedError, type Progress } from '../train/trainer.ts';
import { DEFAULT_MLP_HYPER, DEFAULT_TRANSFORMER_HYPER, type MlpHyper, type NetTrainingHyper, type TransformerHyper } from '../train/hyper.ts';
import { isNetModel, netModel } from '../models/registry.ts';

type Status = 'idle' | 'training' | 'paused' | 'done' | 'error';

const errorBox = byId('error', HTMLElement);
const statusEl = byId('status', HTMLElement);
const stepEl = byId('step', HTMLElement);
const lossEl = byId('loss', HTMLElement);
const speedEl = byId('speed', HTMLElement);
const devLiveEl = byId('dev-live', HTMLElement);
const deviceInfo = byId('device-info', HTMLElement);
const trainButton = byId('train', HTMLButtonElement);
const pauseButton = byId('pause', HTMLButtonElement);
const stopButton = byId('stop', HTMLButtonElement);
const gpuStatus = byId('gpu-status', HTMLElement);
const countsView = byId('counts-view', HTMLSelectElement);
const countsCaption = byId('counts-caption', HTMLElement);
const modelCaption = byId('model-caption', HTMLElement);
const readout = byId('heatmap-readout', HTMLElement);
const splitLosses = byId('split-losses', HTMLElement);
const splitLossEls = {
  train: byId('train-loss', HTMLElement),
  dev: byId('dev-loss', HTMLElement),
  test: byId('test-loss', HTMLElement),
};

let running: { controller: AbortController; gate: PauseGate } | null = null;
let progress: Progress | null = null;

function showError(e: unknown, text = messageOf(e)): void {
  errorBox.textContent = text;
  errorBox.hidden = false;
  // Programming errors also go to the console, with their stack.
  if (!(e instanceof UserError)) console.warn(e);
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

function setStatus(s: Status): void {
  statusEl.textContent = s;
  statusEl.dataset.state = s;
}

// ---- Panels -------------------------------------------------------------------------------

const chart = new LossChart(byId('loss-chart', HTMLElement));
const form = new HyperForm(() => showCounts());
const modelPanel = new ModelPanel((m, origin) => {
  clearError();
  setModel(m, origin);
  samples.sample();
}, showError);
const samples = new SamplesPanel(() => modelPanel.model, showError);
const attention = new AttentionPanel();
const datasetPanel = new DatasetPanel(loadBundledDataset, () => {
  clearError();
  datasetChanged();
}, showError);

// ---- Heatmaps: the data's counts beside the model's probabilities ---------------------------

let counts: { dataset: Dataset; table: Uint32Array } | null = null;
/** The model table's values, and how the readout names one of them ("P(model)"). */
let modelProbs: { symbols: string[]; probs: Float64Array; given: (x: string) => string } | null = null;

const countsMap = new Heatmap(byId('heatmap-counts', HTMLCanvasElement), 'No data', (c) => pointAt(countsMap, c));
const modelMap = new Heatmap(byId('heatmap-model', HTMLCanvasElement), 'Train a model to see its probabilities', (c) => pointAt(modelMap, c));

function dataCounts(): Uint32Array {
  const d = datasetPanel.dataset;
  if (counts?.dataset !== d) counts = { dataset: d, table: bigramCountsCpu(d.xs, d.ys, d.symbols.length) };
  return counts.table;
}

let probsCache: { table: Uint32Array; smoothing: number; probs: Float64Array } | null = null;

/** The counting model's probabilities at the smoothing in the form (kept: the readout asks on every pointer move). */
function countProbs(): { probs: Float64Array; smoothing: number } {
  const smoothing = form.smoothingOrDefault();
  const table = dataCounts();
  if (probsCache?.table !== table || probsCache.smoothing !== smoothing) {
    probsCache = { table, smoothing, probs: countsToProbs(table, datasetPanel.dataset.symbols.length, smoothing) };
  }
  return probsCache;
}

function showCounts(): void {
  const d = datasetPanel.dataset;
  const V = d.symbols.length;
  const table = dataCounts();
  const { probs, smoothing } = countProbs();
  if (countsView.value === 'probabilities') {
    countsMap.show({ symbols: d.symbols, values: probs, format: (p) => p.toFixed(2), description: `Probabilities of the counting model (smoothing ${smoothing}), ${V} by ${V}` });
    countsCaption.textContent = `Counting model: P(next | current), smoothing ${smoothing}`;
  } else {
    countsMap.show({ symbols: d.symbols, values: table, format: String, description: `Bigram counts of the data, ${V} by ${V}` });
    countsCaption.textContent = 'Counts in the data';
  }
  const nll = countsNll(table, probs, V);
  chart.setReference({ label: `counting model (smoothing ${smoothing})`, value: nll });
}

/** A context model's row x is its distribution after this context: T−1 boundaries, then x. */
function mlpContext(T: number, boundary: string, x: string): string {
  return [...Array<string>(T - 1).fill(showSymbol(boundary)), x].join(', ');
}

function mlpCaption(T: number, boundary: string, when: string): string {
  return `Context model (MLP): next-symbol probabilities after (${mlpContext(T, boundary, 'x')}) · ${when}`;
}

function showModelProbs(symbols: string[], probs: Float64Array, caption: string, blockSize = 0): void {
  const given = blockSize > 0 ? (x: string) => `P(model | ${mlpContext(blockSize, symbols[0], x)})` : () => 'P(model)';
  modelProbs = { symbols, probs, given };
  const V = symbols.length;
  modelMap.show({ symbols, values: probs, format: (p) => p.toFixed(2), description: `${caption}, ${V} by ${V}` });
  modelCaption.textContent = caption;
}

function clearModelMap(): void {
  modelProbs = null;
  modelMap.show(null);
  modelCaption.textContent = 'Model probabilities';
}

/** One cursor for both tables, matched by pair: a loaded model may have other symbols. */
function pointAt(from: Heatmap, cell: Cell | null): void {
  const symbols = from.values?.symbols;
  const pair = cell && symbols ? [symbols[cell.x], symbols[cell.y]] : null;
  const cellOf = (syms: string[] | undefined): Cell | null => {
    if (!pair || !syms) return null;
    const x = syms.indexOf(pair[0]);
    const y = syms.indexOf(pair[1]);
    return x >= 0 && y >= 0 ? { x, y } : null;
  };
  const d = datasetPanel.dataset;
  const inData = cellOf(d.symbols);
  const inModel = cellOf(modelProbs?.symbols);
  countsMap.setCursor(inData);
  modelMap.setCursor(inModel);
  if (!pair) {
    readout.textContent = '\u00a0';
    return;
  }
  const [a, b] = pair.map(showSymbol);
  const parts = [`"${a}" → "${b}"`];
  if (inData) {
    const V = d.symbols.length;
    const table = dataCounts();
    let row = 0;
    for (let y = 0; y < V; y++) row += table[inData.x * V + y];
    parts.push(`count ${formatInt(table[inData.x * V + inData.y])} of ${formatInt(row)} after "${a}"`);
    parts.push(`P(counts) ${countProbs().probs[inData.x * V + inData.y].toFixed(4)}`);
  }
  if (inModel && modelProbs) parts.push(`${modelProbs.given(a)} ${modelProbs.probs[inModel.x * modelProbs.symbols.length + inModel.y].toFixed(4)}`);
  readout.textContent = parts.join(' · ');
}

countsView.addEventListener('change', () => showCounts());

function setModel(m: ModelFile, origin: string): void {
  modelPanel.set(m, origin);
  samples.update();
  attention.set(m);
  showModel(m);
  showSplitLosses(m);
}

function showModel(m: ModelFile): void {
  if (m.kind === 'mlp') {
    // An MLP sees several symbols: its row x is the distribution after the context (., …, ., x).
    const T = Number(m.hyper.blockSize ?? DEFAULT_MLP_HYPER.blockSize);
    showModelProbs(m.symbols, modelProbabilities(m), mlpCaption(T, m.symbols[0], `${countOf(m.steps, 'step')}`), T);
    return;
  }
  if (m.kind === 'transformer') {
    // Row x: the distribution after the sequence (., x), the word's first symbol.
    showModelProbs(m.symbols, modelProbabilities(m), `Transformer: P(next | ., current) after ${countOf(m.steps, 'step')}`);
    return;
  }
  if (isGenericKind(m.kind)) {
    // Like the Transformer, they read the whole word so far: row x is after (., x).
    showModelProbs(m.symbols, modelProbabilities(m), `${netModel(m.kind).label}: P(next | ., current) after ${formatInt(m.steps)} steps`);
    return;
  }
  const name = m.kind === 'bigram-counts'
    ? `Counting model: P(next | current), smoothing ${m.hyper.smoothing ?? 0}`
    : `Neural net: P(next | current) after ${countOf(m.steps, 'step')}`;
  showModelProbs(m.symbols, modelProbabilities(m), name);
}

/** The context model's loss on each split, as the CLI reports them (plain numbers; – for none). */
function showSplitLosses(m: ModelFile | null): void {
  const values = m && isNetModel(m.kind) ? { train: m.loss, dev: m.devLoss, test: m.testLoss } : null;
  splitLosses.hidden = values === null;
  for (const k of ['train', 'dev', 'test'] as const) {
    const v = values?.[k];
    splitLossEls[k].textContent = v !== undefined && Number.isFinite(v) ? v.toFixed(4) : '–';
  }
}

function datasetChanged(): void {
  // Curves of another dataset are not comparable with the next runs.
  chart.clear();
  showCounts();
  pointAt(countsMap, null);
}

// ---- Devices ------------------------------------------------------------------------------

const deviceSelect = form.deviceSelect;
const gpuOption = deviceSelect.querySelector<HTMLOptionElement>('option[value="gpu"]')!;
let deviceTouched = false;
deviceSelect.addEventListener('change', () => (deviceTouched = true));

void gpuState().then((s) => {
  gpuStatus.dataset.state = s.ok ? 'ready' : 'unavailable';
  if (s.ok) {
    gpuOption.disabled = false;
    gpuOption.textContent = 'GPU (WebGPU)';
    gpuStatus.textContent = `WebGPU ready: ${s.backend.description}`;
    // The GPU is the point of the page: choose it unless the user already chose.
    if (!deviceTouched && !running) deviceSelect.value = 'gpu';
  } else {
    gpuOption.textContent = 'GPU (WebGPU): not available';
    gpuStatus.textContent = `No GPU here: ${s.reason.replace(/\.$/, '')}. The CPU device works without it.`;
  }
});

// ---- Training -----------------------------------------------------------------------------

function renderProgress(): void {
  if (!progress || !running) return;
  stepEl.textContent = `${formatInt(progress.step)} / ${formatInt(progress.steps)}`;
  lossEl.textContent = progress.loss.toFixed(4);
  speedEl.textContent = formatSpeed(progress.msPerStep);
}

const drawProgress = frameThrottle(renderProgress);


function setRunning(on: boolean): void {
  trainButton.disabled = on;
  pauseButton.disabled = !on;
  stopButton.disabled = !on;
  pauseButton.textContent = 'Pause';
  form.disabled = on;
  datasetPanel.disabled = on;
  modelPanel.disabled = on;
}

async function train(): Promise<void> {
  if (running) return;
  clearError();
  let settings;
  try {
    settings = form.read();
  } catch (e) {
    showError(e);
    setStatus('error');
    return;
  }
  const dataset = datasetPanel.dataset;
  const { model, device, hyper } = settings;
  const run = { controller: new AbortController(), gate: new PauseGate() };
  running = run;
  progress = null;
  setRunning(true);
  setStatus('training');
  const steps = model === 'mlp' ? settings.mlp.steps : model === 'transformer' ? settings.transformer.steps : settings.net ? settings.net.steps : model === 'bigram-nn' ? hyper.steps : 0;
  stepEl.textContent = steps ? `0 / ${formatInt(steps)}` : '–';
  lossEl.textContent = speedEl.textContent = devLiveEl.textContent = '–';
  deviceInfo.textContent = device === 'gpu' ? 'GPU (starting…)' : 'CPU (starting…)';
  showSplitLosses(null);

  const line = model === 'bigram-nn'
    ? chart.beginRun(`${device.toUpperCase()} seed ${hyper.seed}, lr ${hyper.lr}${hyper.batchSize ? `, batch ${hyper.batchSize}` : ''}${hyper.reg !== 0.01 ? `, reg ${hyper.reg}` : ''}`, device)
    : model === 'mlp'
      ? chart.beginRun(mlpLineLabel(device, settings.mlp), device, { smoothOver: Math.max(10, Math.min(200, Math.round(settings.mlp.steps / 50))), dev: true })
      : model === 'transformer'
        ? chart.beginRun(transformerLineLabel(device, settings.transformer), device, { smoothOver: Math.max(10, Math.min(200, Math.round(settings.transformer.steps / 50))), dev: true })
        : isGenericKind(model) && settings.net
          ? chart.beginRun(genericLineLabel(model, device, settings.net), device, { smoothOver: Math.max(10, Math.min(200, Math.round(settings.net.steps / 50))), dev: true })
          : null;
  const netName = `Neural net: P(next | current)`;
  try {
    const outcome = await runOnPage({ dataset, ...settings }, {
      signal: run.controller.signal,
      gate: run.gate,
      gpu: async () => {
        const s = await gpuState();
        if (!s.ok) throw new UserError(`the GPU device is not available: ${s.reason}`);
        return s.backend;
      },
      onStart: (description) => (deviceInfo.textContent = description),
      onLosses: (losses) => line && chart.push(line, losses),
      onDevLoss: (step, loss) => {
        if (line) chart.pushDev(line, step, loss);
        devLiveEl.textContent = `${loss.toFixed(4)} after ${countOf(step, 'step')}`;
      },
      onProgress: (p) => {
        progress = p;
        drawProgress();
      },
      onProbabilities: (probs, step) => {
        if (model === 'bigram-nn') showModelProbs(dataset.symbols, probs, `${netName} at step ${formatInt(step)}`);
        const T = settings.mlp.blockSize;
        if (model === 'mlp') showModelProbs(dataset.symbols, probs, mlpCaption(T, dataset.symbols[0], `step ${formatInt(step)}`), T);
        if (model === 'transformer') showModelProbs(dataset.symbols, probs, `Transformer: P(next | ., current) at step ${formatInt(step)}`);
        if (isGenericKind(model)) showModelProbs(dataset.symbols, probs, `${netModel(model).label}: P(next | ., current) at step ${formatInt(step)}`);
      },
      onEvaluating: (split, done, total) => {
        // The last steps' numbers now, before a frame that would write over what follows.
        if (progress) renderProgress();
        progress = null;
        speedEl.textContent = `evaluating the ${split} split: ${formatInt(done)} / ${formatInt(total)} examples`;
      },
      onPartial: (m) => setModel(m, `kept from a run that failed after step ${formatInt(m.steps)}`),
    });
    setModel(outcome.model, `trained on ${outcome.deviceDescription}`);
    lossEl.textContent = outcome.loss.toFixed(4);
    if (steps) {
      stepEl.textContent = `${formatInt(outcome.steps)} / ${formatInt(steps)}${outcome.cancelled ? ' (stopped)' : ''}`;
      speedEl.textContent = formatSpeed(outcome.msPerStep);
    } else {
      speedEl.textContent = `table built in ${outcome.msPerStep.toFixed(1)} ms`;
    }
    samples.sample();
    setStatus('done');
  } catch (e) {
    // Any GPU failure but a diverging loss may be a lost device: open a fresh one next time.
    if (device === 'gpu' && !(e instanceof DivergedError)) forgetGpu();
    // The table goes back to the model that is still current (the failed run's is not kept).
    if (modelPanel.model) showModel(modelPanel.model);
    else clearModelMap();
    showSplitLosses(modelPanel.model);
    lossEl.textContent = '–';
    showError(e, device === 'gpu' && !(e instanceof UserError)
      ? `the GPU failed: ${messageOf(e)}. The next GPU run opens a new device.`
      : messageOf(e));
    setStatus('error');
  } finally {
    running = null;
    setRunning(false);
  }
}

/** The chart's name of a Transformer run: what was chosen, the shape only when not the default. */
function transformerLineLabel(device: string, h: TransformerHyper): string {
  const d = DEFAULT_TRANSFORMER_HYPER;
  const shape = h.nLayer !== d.nLayer || h.nHead !== d.nHead || h.nEmbd !== d.nEmbd ? `, ${h.nLayer} layers ${h.nHead} heads ${h.nEmbd} channels` : '';
  return `Transformer ${device.toUpperCase()} seed ${h.seed}, lr ${h.lr}, batch ${h.batchSize}${shape}`;
}

/** The chart's name of a run of a generic kind (rnn, gru, bow): the model, what was chosen, the fields that differ from the page's defaults, by flag. */
function genericLineLabel(kind: GenericKind, device: string, h: NetTrainingHyper): string {
  const def = netModel(kind);
  const d = pageHyper(kind) as unknown as Record<string, number>;
  const v = h as unknown as Record<string, number>;
  const shape = def.fields.filter((f) => v[f.key] !== d[f.key]).map((f) => `${f.flag} ${v[f.key]}`).join(' ');
  return `${def.label} ${device.toUpperCase()} seed ${h.seed}, lr ${h.lr}, batch ${h.batchSize}${shape ? `, ${shape}` : ''}`;
}

/** The chart's name of a context model run: what was chosen, the shape only when not the default. */
function mlpLineLabel(device: string, h: MlpHyper): string {
  const d = DEFAULT_MLP_HYPER;
  const shape = h.blockSize !== d.blockSize || h.embed !== d.embed || h.hidden !== d.hidden ? `, T ${h.blockSize} E ${h.embed} H ${h.hidden}` : '';
  const optimizer = h.optimizer === 'adamw' ? `, AdamW wd ${h.weightDecay}` : '';
  return `MLP ${device.toUpperCase()} seed ${h.seed}, lr ${h.lr}→${h.lrFinal}, batch ${h.batchSize}${shape}${optimizer}`;
}

trainButton.addEventListener('click', () => void train());

pauseButton.addEventListener('click', () => {
  if (!running) return;
  const { gate } = running;
  if (gate.paused) gate.resume();
  else gate.pause();
  pauseButton.textContent = gate.paused ? 'Resume' : 'Pause';
  setStatus(gate.paused ? 'paused' : 'training');
});

stopButton.addEventListener('click', () => {
  if (!running) return;
  running.controller.abort();
  // A paused run must wake up to notice it was stopped.
  running.gate.resume();
});

// ---- Start: the bundled names, their table, an empty model --------------------------------

datasetChanged();
setStatus('idle');
