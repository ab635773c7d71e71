/**
 * The neural bigram's CPU step beside PyTorch's on one CPU thread, on the same word list, in
 * one session, the two alternating so that the machine's load falls on both alike:
 *   npx tsx bench/cpuBigram.ts --input names.txt [--batches 0,32,512,4096] [--rounds 5]
 *                              [--pytorch [--python python3]] [--json] [ROOT...]
 * Batch 0 is the full batch. ROOT: source trees whose CpuBigramTrainer is timed side by side
 * (`.` by default; e.g. a `git archive` of an older commit, as for bench/stepCompare.ts).
 * Each trainer starts from W = 0 with lr 50 and reg 0.01, as bench/pytorch_bigram.py does, and
 * the first full-batch losses of both are printed together: the same function, computed twice.
 * ms per step = the median over rounds of the mean of K steps (about 2M examples' worth, 1 to
 * 200 steps), after K warm-up steps; wall time and the process's CPU time (steadier when other
 * work shares the cores). With --pytorch each round also runs the PyTorch script once (its own
 * warm-up, one sample per batch size).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { summarize, type Timing } from './stats.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    input: { type: 'string' },
    batches: { type: 'string', default: '0,32,512,4096' },
    rounds: { type: 'string', default: '5' },
    pytorch: { type: 'boolean' },
    python: { type: 'string', default: 'python3' },
    json: { type: 'boolean' },
  },
});
if (!values.input) throw new Error('usage: npx tsx bench/cpuBigram.ts --input names.txt [--batches 0,32,512,4096] [--rounds 5] [--pytorch [--python python3]] [--json] [ROOT...]');
const batches = values.batches!.split(',').map(Number);
const rounds = Number(values.rounds);
for (const n of batches) if (!Number.isInteger(n) || n < 0) throw new Error(`--batches takes non-negative integers, got ${n}`);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes an integer ≥ 1, got ${values.rounds}`);
const roots = (positionals.length ? positionals : ['.']).map((r) => resolve(r));
const HYPER = { steps: 1, lr: 50, reg: 0.01, seed: 1 };
const CHECK_STEPS = 5;
const log = (s: string) => (values.json ? process.stderr : process.stdout).write(s + '\n');

/** Steps per sample: about 2M examples' worth, as the suite's stepsPerSubmit, up to 200 for small batches. */
export const stepsPerSample = (n: number): number => Math.max(1, Math.min(200, Math.round(2_000_000 / n)));

interface Runner { runSteps(n: number): Promise<Float32Array> }
interface Tree { root: string; make: (batchSize: number) => Runner; N: number; V: number }

const trees: Tree[] = [];
for (const root of roots) {
  const { parseWordList } = await import(`${root}/src/data/dataset.ts`);
  const { CpuBigramTrainer } = await import(`${root}/src/train/cpuTrainer.ts`);
  const d = parseWordList(readFileSync(values.input), values.input);
  const V = d.symbols.length;
  const make = (batchSize: number): Runner =>
    new CpuBigramTrainer({ V, xs: d.xs, ys: d.ys }, { ...HYPER, batchSize }, Float32Array, new Float32Array(V * V));
  trees.push({ root, make, N: d.xs.length, V });
}
const { N, V } = trees[0];
log(`${values.input}: N ${N}, V ${V}; ${rounds} rounds; ${process.version}`);

// The same function: full-batch losses from W = 0.
const checks = new Map<string, number[]>();
for (const tree of trees) checks.set(tree.root, Array.from(await tree.make(0).runSteps(CHECK_STEPS)));

const samples = new Map<string, number[]>(); // `${root}|${batch}` → ms per step
const cpuSamples = new Map<string, number[]>(); // the same, CPU time
const push = (m: Map<string, number[]>, key: string, ms: number) => m.set(key, [...(m.get(key) ?? []), ms]);
const trainers = new Map<string, Runner>();
for (const tree of trees) {
  for (const B of batches) {
    const t = tree.make(B);
    await t.runSteps(stepsPerSample(B || N)); // warm-up: the JIT
    trainers.set(`${tree.root}|${B}`, t);
  }
}
interface PytorchReport { runtime: string; N: number; V: number; checkLosses: number[]; results: { batch: number; ms: number; cpuMs: number }[] }
let pytorch: PytorchReport | null = null;
for (let r = 0; r < rounds; r++) {
  for (const tree of trees) {
    for (const B of batches) {
      const K = stepsPerSample(B || N);
      const t = trainers.get(`${tree.root}|${B}`)!;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await t.runSteps(K);
      const c = process.cpuUsage(c0);
      push(samples, `${tree.root}|${B}`, (performance.now() - t0) / K);
      push(cpuSamples, `${tree.root}|${B}`, (c.user + c.system) / 1000 / K);
    }
  }
  if (values.pytorch) {
    const script = new URL('./pytorch_bigram.py', import.meta.url).pathname;
    const out = execFileSync(values.python!, [script, '--input', values.input, '--batches', batches.join(','), '--rounds', '1', '--check-steps', String(CHECK_STEPS), '--json'], { encoding: 'utf8' });
    const report = JSON.parse(out) as PytorchReport;
    if (report.N !== N || report.V !== V) throw new Error(`PyTorch read N ${report.N}, V ${report.V}; we read N ${N}, V ${V}`);
    for (const res of report.results) {
      push(samples, `pytorch|${res.batch}`, res.ms);
      push(cpuSamples, `pytorch|${res.batch}`, res.cpuMs);
    }
    pytorch = report;
  }
}

const fmt = (ms: number) => (ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const columns = [...trees.map((t) => t.root), ...(pytorch ? ['pytorch'] : [])];
const rows = batches.map((B) => {
  const ms: Record<string, Timing> = {};
  const cpuMs: Record<string, Timing> = {};
  for (const c of columns) {
    ms[c] = summarize(samples.get(`${c}|${B}`)!);
    cpuMs[c] = summarize(cpuSamples.get(`${c}|${B}`)!);
  }
  return { batch: B, ms, cpuMs };
});
log(`first ${CHECK_STEPS} full-batch losses from W = 0 (lr ${HYPER.lr}, reg ${HYPER.reg}):`);
for (const [root, l] of checks) log(`  ${root}: ${l.map((x) => x.toFixed(6)).join(', ')}`);
if (pytorch) log(`  ${pytorch.runtime}: ${pytorch.checkLosses.map((x) => x.toFixed(6)).join(', ')}`);
log(`ms per step, median of ${rounds} (min–max), then CPU time:`);
for (const { batch, ms, cpuMs } of rows) {
  const cells = columns.map((c) => `${c === 'pytorch' ? 'PyTorch' : c} ${fmt(ms[c].median)} (${fmt(ms[c].min)}–${fmt(ms[c].max)}), CPU ${fmt(cpuMs[c].median)}`);
  const ratio = pytorch ? ` | PyTorch / ours ${(ms.pytorch.median / ms[trees[0].root].median).toFixed(2)}×, CPU ${(cpuMs.pytorch.median / cpuMs[trees[0].root].median).toFixed(2)}×` : '';
  log(`  batch ${String(batch || `full (${N})`).padStart(13)}: ${cells.join(' | ')}${ratio}`);
}
if (values.json) {
  process.stdout.write(JSON.stringify({
    input: values.input, N, V, node: process.version, pytorch: pytorch?.runtime ?? null, rounds,
    checkLosses: { ...Object.fromEntries(checks), ...(pytorch ? { pytorch: pytorch.checkLosses } : {}) }, rows,
  }) + '\n');
}
