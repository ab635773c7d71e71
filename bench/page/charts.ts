/**
 * The benchmark page's charts (uPlot): GPU against CPU per kernel and per model of the ladder
 * as grouped horizontal bars on a log scale of ms, and ms per training step against N, log-log,
 * one line per path, with the N where the fused GPU step overtakes the CPU step marked. All
 * redraw as rows arrive and follow their container's width.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { frameThrottle } from '../../src/page/dom.ts';
import { CPU_COLOUR as CPU, GPU_COLOUR as GPU, STEP_STYLE } from './palette.ts';
import { formatMs, formatN, STEP_LINES, type BarData, type StepData } from './report.ts';

const AXIS = { stroke: '#1f2937', grid: { stroke: '#e5e7eb' }, ticks: { stroke: '#d1d5db' }, font: '12px system-ui, sans-serif', labelFont: '600 13px system-ui, sans-serif' };
const legendMs = (_u: uPlot, v: number | null) => (v == null ? '–' : `${formatMs(v)} ms`);

/** A uPlot in a container: rebuilt when the data's shape changes, resized with the container. */
abstract class Chart<D> {
  protected plot: uPlot | null = null;
  protected data: D | null = null;
  private shape = '';
  readonly redraw = frameThrottle(() => this.draw());

  constructor(protected readonly container: HTMLElement) {
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: this.height() })).observe(container);
  }

  show(data: D | null): void {
    this.data = data;
    this.redraw();
  }

  protected width(): number {
    return Math.max(280, this.container.clientWidth);
  }

  protected abstract height(): number;
  /** A key that changes when the plot needs new options (categories, sizes), not just new values. */
  protected abstract shapeOf(data: D): string;
  protected abstract options(data: D): uPlot.Options;
  protected abstract aligned(data: D): uPlot.AlignedData;

  private draw(): void {
    const data = this.data;
    if (!data) {
      this.plot?.destroy();
      this.plot = null;
      this.shape = '';
      return;
    }
    const shape = this.shapeOf(data);
    if (this.plot && shape === this.shape) {
      this.plot.setData(this.aligned(data));
      return;
    }
    this.plot?.destroy();
    this.shape = shape;
    this.plot = new uPlot(this.options(data), this.aligned(data), this.container);
  }
}

/** GPU and CPU bars side by side for each category (kernel, model); the names on the left, ms (log) along the bottom. */
export class BarChart extends Chart<BarData> {
  constructor(container: HTMLElement, private readonly labels: { category: string; axis: string }) {
    super(container);
  }

  protected height(): number {
    return 70 + 34 * Math.max(1, this.data?.names.length ?? 1);
  }

  protected shapeOf(d: BarData): string {
    return d.names.join();
  }

  protected aligned(d: BarData): uPlot.AlignedData {
    return [d.names.map((_, i) => i), d.gpu, d.cpu];
  }

  protected options(d: BarData): uPlot.Options {
    const names = d.names;
    const bar = (align: -1 | 1, colour: string): uPlot.Series => ({
      fill: colour, stroke: colour, width: 0, points: { show: false }, value: legendMs,
      paths: uPlot.paths.bars!({ size: [0.38, 26], align }),
    });
    return {
      width: this.width(),
      height: this.height(),
      // Categories run down the page (x is vertical, first at the top), ms across it.
      scales: { x: { time: false, ori: 1, dir: -1, range: [-0.5, Math.max(0.5, names.length - 0.5)] }, y: { distr: 3, ori: 0, dir: 1 } },
      axes: [
        {
          ...AXIS, scale: 'x', side: 3, size: labelWidth(names), gap: 6, grid: { show: false }, ticks: { show: false },
          splits: () => names.map((_, i) => i), values: (_u, splits) => splits.map((i) => names[i] ?? ''),
        },
        { ...AXIS, scale: 'y', side: 2, label: this.labels.axis, values: (_u, splits) => splits.map(tickMs) },
      ],
      series: [
        { label: this.labels.category, value: (_u, i) => (i == null ? '–' : names[i] ?? '–') },
        { label: 'GPU', ...bar(-1, GPU) },
        { label: 'CPU', ...bar(1, CPU) },
      ],
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      legend: { live: true },
    };
  }
}

/** ms per step against N, log-log: the CPU step and each GPU path; the crossover N as a vertical line. */
export class StepChart extends Chart<StepData & { crossoverN: number | null }> {
  protected height(): number {
    return 340;
  }

  protected shapeOf(d: StepData): string {
    return `${d.Ns.join()}|${d.ms.map((m) => m.some((v) => v !== null)).join()}`;
  }

  protected aligned(d: StepData): uPlot.AlignedData {
    return [d.Ns, ...d.ms];
  }

  protected options(d: StepData & { crossoverN: number | null }): uPlot.Options {
    const series: uPlot.Series[] = [{ label: 'N', value: (_u, v) => (v == null ? '–' : formatN(v)) }];
    STEP_LINES.forEach((l, i) => {
      const style = STEP_STYLE[l.key];
      series.push({
        label: l.label, stroke: style.stroke, width: 2, dash: style.dash ? [...style.dash] : undefined, value: legendMs,
        points: { show: true, size: 7, fill: style.stroke, stroke: style.stroke },
        // A path never measured (no WebGPU) stays in the legend, switched off.
        show: d.ms[i].some((v) => v !== null),
      });
    });
    return {
      width: this.width(),
      height: this.height(),
      scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
      axes: [
        { ...AXIS, label: 'N: examples per step (log scale)', values: (_u, splits) => splits.map((v) => (v == null ? '' : formatN(v))) },
        { ...AXIS, label: 'ms per step (log scale)', size: 64, values: (_u, splits) => splits.map(tickMs) },
      ],
      series,
      legend: { live: true },
      hooks: { draw: [(u) => this.drawCrossover(u)] },
    };
  }

  private drawCrossover(u: uPlot): void {
    const N = this.data?.crossoverN;
    if (N == null) return;
    const x = Math.round(u.valToPos(N, 'x', true));
    const { top, height, left, width } = u.bbox;
    if (x < left || x > left + width) return;
    const ctx = u.ctx;
    const px = uPlot.pxRatio;
    ctx.save();
    ctx.strokeStyle = '#111827';
    ctx.lineWidth = px;
    ctx.setLineDash([6 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(x + 0.5, top);
    ctx.lineTo(x + 0.5, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#111827';
    ctx.font = `600 ${12 * px}px system-ui, sans-serif`;
    const text = `crossover N ≈ ${formatN(N)}`;
    // On the side of the line with room for the text.
    const right = x + ctx.measureText(text).width + 8 * px < left + width;
    ctx.textAlign = right ? 'left' : 'right';
    ctx.fillText(text, x + (right ? 6 : -6) * px, top + 16 * px);
    ctx.restore();
  }
}

/** Axis ticks on a log scale: 0.01, 0.1, 1, 10, 100 (no 1e-2). */
function tickMs(v: number | null): string {
  return v == null ? '' : v >= 1 ? String(Math.round(v)) : String(+v.toPrecision(1));
}

/** Room for the longest kernel name on the left axis (monospace-ish estimate at 12px). */
function labelWidth(names: string[]): number {
  return Math.min(220, 16 + 7 * Math.max(6, ...names.map((n) => n.length)));
}
