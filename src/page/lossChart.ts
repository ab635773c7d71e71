/**
 * The live loss curve (uPlot): one line per run, kept across runs of the same dataset so a GPU
 * run and a CPU run of the same seed overlay, plus the counting model's NLL as the target line.
 * Losses arrive per chunk; the chart redraws at most once per animation frame. A minibatch
 * loss is noisy: such a run is drawn faint, step by step, under a smoothed line (an
 * exponential moving average, debiased as in Adam so the first steps are not pulled to 0).
 * A neural model with a dev split also has its dev loss, a few points per run, drawn as hollow
 * dots on a thin line in the run's colour: where it rises while the train loss falls, it overfits.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DeviceKind } from '../train/hyper.ts';
import { frameThrottle } from './dom.ts';

interface ChartRun {
  label: string;
  device: DeviceKind;
  losses: number[];
  /** The smoothed line, when the run has one. */
  smooth: { beta: number; ema: number; weight: number; values: number[] } | null;
  /** The dev loss by step (the steps done when it was taken), when the run has a dev curve. */
  dev: Map<number, number> | null;
}

export interface RunLineOptions {
  /** Draw a smoothed line over about this many steps, above the faint per-step line. */
  smoothOver?: number;
  /** The run reports its dev loss now and then (pushDev): give it a dev line. */
  dev?: boolean;
}

/** Runs kept on the chart; older ones drop off. */
const MAX_RUNS = 4;
/** Points per line: longer runs are drawn with a stride (every step is still kept). */
const MAX_POINTS = 4000;
const HEIGHT = 260;
const STEP_TICKS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7].map((p) => m * p)).sort((a, b) => a - b);
// Dark enough for 3:1 against white (WCAG non-text contrast); the CPU line is dashed so an exact overlay still shows both.
const COLOURS: Record<DeviceKind, string[]> = { gpu: ['#c2410c', '#7e22ce'], cpu: ['#1d4ed8', '#15803d'] };

export class LossChart {
  private runs: ChartRun[] = [];
  private reference: { label: string; value: number } | null = null;
  private plot: uPlot | null = null;
  private readonly redraw = frameThrottle(() => this.plot?.setData(this.data()));

  constructor(private readonly container: HTMLElement) {
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(container);
    this.rebuild();
  }

  /** A new line; a finished run with the same label is replaced by it. */
  beginRun(label: string, device: DeviceKind, opts: RunLineOptions = {}): ChartRun {
    this.runs = this.runs.filter((r) => r.label !== label);
    const smooth = opts.smoothOver ? { beta: 1 - 1 / opts.smoothOver, ema: 0, weight: 0, values: [] } : null;
    const run: ChartRun = { label, device, losses: [], smooth, dev: opts.dev ? new Map() : null };
    this.runs.push(run);
    if (this.runs.length > MAX_RUNS) this.runs.shift();
    if (run.dev) this.container.dataset.devPoints = '0';
    else delete this.container.dataset.devPoints;
    this.rebuild();
    return run;
  }

  push(run: ChartRun, losses: Float32Array): void {
    for (const l of losses) run.losses.push(l);
    const s = run.smooth;
    if (s) {
      for (const l of losses) {
        // A non-finite loss ends the run (it diverged): it is not averaged in.
        if (Number.isFinite(l)) {
          s.ema = s.beta * s.ema + (1 - s.beta) * l;
          s.weight = s.beta * s.weight + (1 - s.beta);
        }
        s.values.push(s.weight > 0 ? s.ema / s.weight : NaN);
      }
    }
    this.redraw();
  }

  /** The run's dev loss after `step` steps (a second one at the same step replaces the first). */
  pushDev(run: ChartRun, step: number, loss: number): void {
    if (!run.dev) return;
    run.dev.set(step, loss);
    // The newest run's dev points, for readers of the page that cannot see the canvas.
    if (run === this.runs.at(-1)) this.container.dataset.devPoints = String(run.dev.size);
    this.redraw();
  }

  /** The counting model's NLL: where the net's loss should end up. */
  setReference(ref: { label: string; value: number } | null): void {
    this.reference = ref;
    this.rebuild();
  }

  clear(): void {
    this.runs = [];
    this.rebuild();
  }

  private width(): number {
    return Math.max(200, this.container.clientWidth);
  }

  private rebuild(): void {
    this.plot?.destroy();
    const used: Record<DeviceKind, number> = { gpu: 0, cpu: 0 };
    const series: uPlot.Series[] = [{ label: 'step' }];
    const value = (_u: uPlot, v: number | null) => (v == null ? '–' : v.toFixed(4));
    for (const r of this.runs) {
      const palette = COLOURS[r.device];
      const stroke = palette[used[r.device]++ % palette.length];
      const dash = r.device === 'cpu' ? [8, 5] : undefined;
      if (r.smooth) {
        // The steps' own losses, faint (alpha 0x55), then the smoothed line named after the run.
        series.push({ label: `${r.label} (each step)`, stroke: `${stroke}55`, width: 1, points: { show: false }, value });
        series.push({ label: r.label, stroke, width: 2, dash, points: { show: false }, value });
      } else {
        series.push({ label: r.label, stroke, width: 2, dash, points: { show: false }, value });
      }
      // Few points, far apart: hollow dots joined by a thin line across the steps between them.
      if (r.dev) series.push({ label: `${r.label} (dev)`, stroke, width: 1, spanGaps: true, points: { show: true, size: 8, width: 2, fill: '#ffffff' }, value });
    }
    if (this.reference) {
      // No dots (uPlot adds them to a short run's lines): dots mark the dev points.
      series.push({ label: this.reference.label, stroke: '#4b5563', width: 1.5, dash: [2, 4], points: { show: false }, value });
    }
    const axis = { stroke: '#1f2937', grid: { stroke: '#e5e7eb' }, ticks: { stroke: '#d1d5db' } };
    this.plot = new uPlot({
      width: this.width(),
      height: HEIGHT,
      scales: { x: { time: false } },
      // Steps are whole numbers: no ticks at 2.5.
      axes: [{ ...axis, label: 'step', incrs: STEP_TICKS }, { ...axis, label: 'loss', size: 60 }],
      series,
      legend: { live: true },
    }, this.data(), this.container);
  }

  private data(): uPlot.AlignedData {
    const n = Math.max(1, ...this.runs.map((r) => r.losses.length));
    const stride = Math.ceil(n / MAX_POINTS);
    // Steps are 1-based in the UI: the loss at x = 1 is the first step's (taken before its update).
    const xs = new Set<number>();
    for (let i = 0; i < n; i += stride) xs.add(i + 1);
    xs.add(n);
    // A dev point is drawn at its own step, not the nearest of the stride.
    for (const r of this.runs) for (const step of r.dev?.keys() ?? []) xs.add(step);
    const x = [...xs].sort((a, b) => a - b);
    const line = (values: number[]) => x.map((s) => (s <= values.length && Number.isFinite(values[s - 1]) ? values[s - 1] : null));
    const lines = this.runs.flatMap((r) => [
      line(r.losses),
      ...(r.smooth ? [line(r.smooth.values)] : []),
      ...(r.dev ? [x.map((s) => r.dev!.get(s) ?? null)] : []),
    ]);
    const ref = this.reference;
    return [x, ...lines, ...(ref ? [x.map(() => ref.value)] : [])];
  }
}
