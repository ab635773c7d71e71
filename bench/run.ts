/**
 * GPU vs CPU benchmark (Node, Dawn): `npm run bench [-- --quick] [--json] [--sizes 10000,228146]`.
 *
 * step:   one full-batch training step of the neural bigram (forward + backward + update) at
 *         several N, on the CPU and on the GPU (fused and unfused paths): K steps per submit
 *         and one wait at the end, median of R timed repeats after a warm-up.
 * counts: the counting model's V×V table on the GPU and the CPU.
 *
 * Every row says what ran where; the adapter, Node version, date and commit head the report.
 * On a software adapter (SwiftShader) only ratios measured in the same run mean anything.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bigramCountsCpu } from '../src/models/bigramCounts.ts';
import { bigramCountsGpu } from '../src/gpu/bigramCounts.ts';
import { GpuBigramTrainer, type BigramPath } from '../src/gpu/bigramTrainer.ts';
import { openNodeGpu } from '../src/gpu/nodeBackend.ts';
import { CpuBigramTrainer } from '../src/train/cpuTrainer.ts';
import { cpuDescription } from '../src/train/platform.ts';
import { benchDataset } from './data.ts';
import { time, type Timing } from './stats.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'boolean' },
    sizes: { type: 'string' },
    repeats: { type: 'string' },
  },
});
const quick = Boolean(values.quick);
const sizes = values.sizes ? values.sizes.split(',').map(Number) : quick ? [10_000, 60_000] : [10_000, 100_000, 228_146, 1_000_000, 3_000_000];
const repeats = values.repeats ? Number(values.repeats) : quick ? 3 : 10;
/** The unfused path holds three N×V arrays: past this N it is slow and large, and skipped. */
const UNFUSED_MAX_N = 1_000_000;

interface Row {
  suite: string;
  name: string;
  N: number;
  V: number;
  device: 'cpu' | 'gpu';
  /** Milliseconds per step (or per table build). */
  ms: Timing;
  examplesPerSecond: number;
}

const log = (s: string) => (values.json ? process.stderr : process.stdout).write(s + '\n');
const ctx = await openNodeGpu();
const env = {
  date: new Date().toISOString(),
  commit: gitCommit(),
  node: process.versions.node,
  adapter: ctx.adapter,
  cpu: cpuDescription(),
  quick,
  repeats,
};
log(`adapter: ${ctx.description}`);
log(`cpu: ${env.cpu} | node ${env.node} | commit ${env.commit} | ${env.date}`);
const rows: Row[] = [];

function row(r: Omit<Row, 'examplesPerSecond'>): Row {
  const full = { ...r, examplesPerSecond: (r.N / r.ms.median) * 1000 };
  rows.push(full);
  return full;
}

function fmt(t: Timing): string {
  return `${t.median.toFixed(2)} ms (min ${t.min.toFixed(2)}, max ${t.max.toFixed(2)})`;
}

for (const N of sizes) {
  const d = benchDataset(N);
  const V = d.symbols.length;
  const data = { V, xs: d.xs, ys: d.ys };
  const hyper = { steps: 1, lr: 0.1, reg: 0.01, batchSize: 0, seed: 1 };
  // Steps per submit: enough to amortise the wait, few enough to stay well under a second.
  const K = Math.max(1, Math.min(20, Math.round(2_000_000 / N)));

  const cpu = new CpuBigramTrainer(data, hyper);
  const cpuRow = row({ suite: 'step', name: 'bigram_step', N, V, device: 'cpu', ms: perStep(await time(() => cpu.runSteps(K).then(() => {}), repeats), K) });
  const line = [`bigram_step cpu      | N ${N} | ${fmt(cpuRow.ms)}`];
  for (const path of ['fused', 'unfused'] as BigramPath[]) {
    if (path === 'unfused' && N > UNFUSED_MAX_N) continue;
    const gpu = await GpuBigramTrainer.create(ctx, data, hyper, { path });
    const r = row({ suite: 'step', name: `bigram_step_${path}`, N, V, device: 'gpu', ms: perStep(await time(() => gpu.runSteps(K).then(() => {}), repeats), K) });
    gpu.dispose();
    line.push(`bigram_step_${path.padEnd(7)} | N ${N} | gpu ${fmt(r.ms)} | cpu/gpu ${(cpuRow.ms.median / r.ms.median).toFixed(2)}× | ${(r.examplesPerSecond / 1e6).toFixed(1)} M examples/s`);
  }
  log(line.join('\n'));

  const countsCpu = row({ suite: 'counts', name: 'bigram_counts', N, V, device: 'cpu', ms: await time(() => void bigramCountsCpu(d.xs, d.ys, V), repeats) });
  const countsGpu = row({ suite: 'counts', name: 'bigram_counts', N, V, device: 'gpu', ms: await time(() => bigramCountsGpu(ctx, d.xs, d.ys, V).then(() => {}), repeats) });
  log(`bigram_counts        | N ${N} | gpu ${fmt(countsGpu.ms)} | cpu ${fmt(countsCpu.ms)} | cpu/gpu ${(countsCpu.ms.median / countsGpu.ms.median).toFixed(2)}×`);
}

const report = { env, rows };
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/bench-${env.date.replace(/[:.]/g, '-')}.json`, import.meta.url);
writeFileSync(file, JSON.stringify(report, null, 2));
log(`results written to bench/results/${file.pathname.split('/').pop()}`);
if (values.json) process.stdout.write(JSON.stringify(report) + '\n');

function perStep(t: Timing, K: number): Timing {
  return { median: t.median / K, min: t.min / K, max: t.max / K, runs: t.runs };
}

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}
