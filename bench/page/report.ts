/**
 * The benchmark page's numbers, apart from the DOM: the report it downloads (the JSON of
 * `npm run bench -- --json`), the lines of its tables and the data of its charts, all
 * derived from the suite's rows as they arrive.
 */
import type { AdapterDescription } from '../../src/gpu/device.ts';
import { compare, cpuTwin, crossover, type Comparison, type Row } from '../suite.ts';

/** What every number is measured on: the CLI's env, with the browser as the runtime. */
export interface BenchEnv {
  date: string;
  commit: string;
  /** navigator.userAgent on the page, `Node x.y.z` in the CLI. */
  runtime: string;
  /** null when there was no WebGPU adapter: the report then holds CPU rows only. */
  adapter: AdapterDescription | null;
  cpu: string;
  timestamps: boolean;
  quick: boolean;
  repeats: number;
}

export interface BenchReport {
  env: BenchEnv;
  rows: Row[];
  comparisons: Comparison[];
  crossover: ReturnType<typeof crossover>;
}

export function buildReport(env: BenchEnv, rows: Row[]): BenchReport {
  return { env, rows, comparisons: compare(rows), crossover: crossover(rows) };
}

/** The file name the CLI gives the same report in bench/results/. */
export function reportFileName(env: BenchEnv): string {
  return `bench-${env.date.replace(/[:.]/g, '-')}.json`;
}

/**
 * One line of the results table: a GPU row beside its CPU twin (the CLI's comparison), or a
 * row without one, yet or at all (a run still going, the CPU trainer's own step, no WebGPU).
 */
export interface TableLine {
  suite: Row['suite'];
  name: string;
  N: number;
  gpu: Row | null;
  cpu: Row | null;
  /** cpu / gpu: above 1, the GPU is faster. */
  speedup: number | null;
  gbPerSecond: number | null;
  note: string | null;
}

export const SUITES: { suite: Row['suite']; title: string }[] = [
  { suite: 'kernel', title: 'per kernel (GPU: timestamp queries)' },
  { suite: 'step', title: 'per training step (forward + backward + update, full batch)' },
  { suite: 'counts', title: 'count table' },
  { suite: 'mlp', title: 'context model (MLP) step, N = minibatch size' },
  { suite: 'transformer', title: "makemore's Transformer step, N = batch of words" },
  { suite: 'matmul', title: 'matrix products (ops/matmul and its CPU twin), N = rows of the output' },
  { suite: 'ladder', title: "makemore's ladder: every neural model at its default size, N = steps" },
];

/** Table lines by suite in the CLI's order: GPU rows as they came, each with its twin, then CPU rows nobody raced. */
export function tableLines(rows: Row[]): TableLine[] {
  const lines: TableLine[] = [];
  for (const { suite } of SUITES) {
    const cpuRows = rows.filter((r) => r.suite === suite && r.device === 'cpu');
    const raced = new Set<Row>();
    for (const g of rows.filter((r) => r.suite === suite && r.device === 'gpu')) {
      const c = cpuRows.find((r) => r.N === g.N && r.name === cpuTwin(suite, g.name)) ?? null;
      if (c) raced.add(c);
      lines.push({
        suite, name: g.name, N: g.N, gpu: g, cpu: c,
        speedup: c ? c.ms.median / g.ms.median : null,
        gbPerSecond: g.bytes ? g.bytes / (g.ms.median * 1e6) : null,
        note: g.note ?? null,
      });
    }
    for (const c of cpuRows.filter((r) => !raced.has(r))) {
      lines.push({ suite, name: c.name, N: c.N, gpu: null, cpu: c, speedup: null, gbPerSecond: null, note: c.note ?? null });
    }
  }
  return lines;
}

/** The step chart's lines: the CPU step and every GPU path, ms per step at each N measured. */
export const STEP_LINES = [
  { key: 'cpu', device: 'cpu', name: 'bigram_step', label: 'CPU' },
  { key: 'fused', device: 'gpu', name: 'bigram_step_fused', label: 'GPU fused' },
  { key: 'unfused', device: 'gpu', name: 'bigram_step_unfused', label: 'GPU unfused' },
  { key: 'counts', device: 'gpu', name: 'bigram_step_counts', label: 'GPU counts: different algorithm (count table)' },
] as const;

export interface StepData {
  Ns: number[];
  /** One array per STEP_LINES entry, aligned with Ns; null where not measured. */
  ms: (number | null)[][];
}

export function stepData(rows: Row[]): StepData {
  const steps = rows.filter((r) => r.suite === 'step');
  const Ns = [...new Set(steps.map((r) => r.N))].sort((a, b) => a - b);
  const ms = STEP_LINES.map((l) => Ns.map((N) => positive(steps.find((r) => r.device === l.device && r.name === l.name && r.N === N)?.ms.median)));
  return { Ns, ms };
}

/** GPU and CPU bars per category: the kernel chart's and the ladder chart's. */
export interface BarData {
  /** The category labels: the GPU kernel's name (its CPU twin is in the table), or the CPU op's when it has none; the ladder's model kinds. */
  names: string[];
  gpu: (number | null)[];
  cpu: (number | null)[];
}

export function kernelData(rows: Row[]): BarData {
  const lines = tableLines(rows).filter((l) => l.suite === 'kernel');
  return {
    names: lines.map((l) => l.name),
    gpu: lines.map((l) => positive(l.gpu?.ms.median)),
    cpu: lines.map((l) => positive(l.cpu?.ms.median)),
  };
}

/** One line of the ladder's table: a model at its default size, trained N steps on each device. */
export interface LadderLine {
  name: string;
  /** Steps trained. */
  N: number;
  parameters: number | null;
  gpuMs: number | null;
  cpuMs: number | null;
  /** cpu / gpu: above 1, the GPU is faster. */
  speedup: number | null;
  /** GPU dispatches per step. */
  dispatches: number | null;
  gpuTestLoss: number | null;
  cpuTestLoss: number | null;
  /** |GPU − CPU| test loss: the same seed and data, so float32 rounding apart. */
  lossDiff: number | null;
}

const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** The ladder's lines from the table's (a model's GPU row beside its CPU row), in the order measured. */
export function ladderLines(rows: Row[]): LadderLine[] {
  return tableLines(rows).filter((l) => l.suite === 'ladder').map((l) => {
    const gpuTestLoss = finite(l.gpu?.testLoss);
    const cpuTestLoss = finite(l.cpu?.testLoss);
    return {
      name: l.name, N: l.N,
      parameters: l.gpu?.parameters ?? l.cpu?.parameters ?? null,
      gpuMs: finite(l.gpu?.ms.median), cpuMs: finite(l.cpu?.ms.median),
      speedup: finite(l.speedup ?? undefined),
      dispatches: l.gpu?.dispatches ?? null,
      gpuTestLoss, cpuTestLoss,
      lossDiff: gpuTestLoss !== null && cpuTestLoss !== null ? Math.abs(gpuTestLoss - cpuTestLoss) : null,
    };
  });
}

/** The ladder chart's bars: ms per step on each device, one pair per model. */
export function ladderData(rows: Row[]): BarData {
  const lines = ladderLines(rows);
  return {
    names: lines.map((l) => l.name),
    gpu: lines.map((l) => positive(l.gpuMs ?? undefined)),
    cpu: lines.map((l) => positive(l.cpuMs ?? undefined)),
  };
}

/** A log scale has no place for 0 (a CPU op under the browser's timer resolution) or a missing value. */
function positive(x: number | undefined): number | null {
  return x !== undefined && x > 0 && Number.isFinite(x) ? x : null;
}

/** Milliseconds as the CLI prints them. */
export function formatMs(x: number): string {
  return x < 10 ? x.toFixed(3) : x.toFixed(1);
}

/** 10000 → "10k", 3000000 → "3M", 228146 → "228k". */
export function formatN(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toPrecision(3)}k`;
  return String(n);
}
