/**
 * GPU vs CPU benchmark in Node (Dawn): `npm run bench [-- --quick] [--json] [--sizes 10000,228146] [--suites …] [--ladder-steps N] [--ladder-models mlp,gru,…] [--adapter swiftshader|lavapipe|ICD.json]`.
 * Prints one table per suite (kernels, training steps, count tables), where the GPU overtakes
 * the CPU, and writes the full results to bench/results/. See bench/suite.ts for the method.
 * On a software adapter (SwiftShader) only ratios measured in the same run mean anything.
 * The adapter and the fused bigram step's measured launch shape are written beside the numbers.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { openNodeGpu } from '../src/gpu/nodeBackend.ts';
import { selectVulkanDriver } from '../src/gpu/nodeGpu.ts';
import { describeLaunch, measuredLaunches, type LaunchChoice } from '../src/gpu/launchShape.ts';
import { cpuDescription } from '../src/train/platform.ts';
import { loadDefaultNames } from '../src/node.ts';
import { compare, cpuSuite, crossover, crossoverSentence, FULL, gpuSuite, LADDER, QUICK, type BenchOptions } from './suite.ts';
import type { NetModelKind } from '../src/models/registry.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'boolean' },
    sizes: { type: 'string' },
    repeats: { type: 'string' },
    suites: { type: 'string' },
    'ladder-steps': { type: 'string' },
    'ladder-models': { type: 'string' },
    adapter: { type: 'string' },
  },
});
// Before Dawn loads: the Vulkan loader reads VK_ICD_FILENAMES once.
if (values.adapter) selectVulkanDriver(values.adapter);
const SUITES = ['kernel', 'step', 'mlp', 'transformer', 'matmul', 'ladder'] as const;
const only = values.suites ? values.suites.split(',') : [...SUITES];
for (const s of only) if (!(SUITES as readonly string[]).includes(s)) throw new Error(`--suites takes a list of ${SUITES.join(', ')}, got ${s}`);
const preset = values.quick ? QUICK : FULL;
const opts: BenchOptions = {
  ...preset,
  sizes: values.sizes ? values.sizes.split(',').map(Number) : preset.sizes,
  repeats: values.repeats ? Number(values.repeats) : preset.repeats,
  words: createRequire(import.meta.url)('an-array-of-english-words'),
  ladderWords: (await loadDefaultNames()).words,
};
// --suites: what is not asked for is left out ('step' covers the count tables too).
if (!only.includes('kernel')) opts.kernelN = 0;
if (!only.includes('step')) opts.sizes = [];
if (!only.includes('mlp')) opts.mlpBatches = [];
if (!only.includes('transformer')) opts.transformerBatches = [];
if (!only.includes('matmul')) opts.matmulShapes = [];
if (values['ladder-steps']) opts.ladderSteps = Number(values['ladder-steps']);
if (!only.includes('ladder')) opts.ladderSteps = 0;
if (values['ladder-models']) {
  opts.ladderModels = values['ladder-models'].split(',') as NetModelKind[];
  for (const k of opts.ladderModels) if (!LADDER.includes(k)) throw new Error(`--ladder-models takes a list of ${LADDER.join(', ')}, got ${k}`);
}
for (const n of [...(values.sizes ? opts.sizes : []), opts.repeats, ...(values['ladder-steps'] ? [opts.ladderSteps!] : [])]) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--sizes, --repeats and --ladder-steps take positive integers, got ${n}`);
}
const log = (s: string) => (values.json ? process.stderr : process.stdout).write(s + '\n');

const ctx = await openNodeGpu();
const env = {
  date: new Date().toISOString(),
  commit: gitCommit(),
  runtime: `Node ${process.versions.node}`,
  adapter: ctx.adapter,
  /** The Vulkan driver Dawn was pointed at, if any. */
  vulkanDriver: process.env.VK_ICD_FILENAMES ?? null,
  /** The fused bigram step's launch shape per kernel, measured on first use (src/gpu/launchShape.ts). */
  launches: [] as LaunchChoice[],
  cpu: cpuDescription(),
  timestamps: ctx.hasTimestamps,
  quick: Boolean(values.quick),
  repeats: opts.repeats,
};
log(`adapter: ${ctx.description}${ctx.hasTimestamps ? '' : ' (no timestamp queries: kernel suite skipped)'}`);
log(`cpu: ${env.cpu} | ${env.runtime} | commit ${env.commit} | ${env.date}`);
log(`running: kernels at N ${opts.kernelN}, steps at N ${opts.sizes.join(', ')}, MLP steps at B ${opts.mlpBatches?.join(', ')}, ${opts.repeats} repeats …`);

const gpuRows = await gpuSuite(ctx, opts);
env.launches = await measuredLaunches();
for (const c of env.launches) log(`launch shape (${c.key}): ${describeLaunch(c)}`);
const rows = [...gpuRows, ...(await cpuSuite(opts))];
const comparisons = compare(rows);
const ms = (x: number) => `${x < 10 ? x.toFixed(3) : x.toFixed(1)} ms`;
const TITLES = {
  kernel: 'per kernel (GPU: timestamp queries)',
  step: 'per training step (forward + backward + update, full batch)',
  counts: 'count table',
  mlp: 'context model (MLP) training step, N = minibatch size (block 3, embed 10, hidden 200)',
  matmul: 'matrix products (ops/matmul and its CPU twin), N = rows of the output',
  transformer: "makemore's Transformer training step (4 layers, 4 heads, 64 channels, T 16, AdamW), N = batch of words",
  ladder: `makemore's ladder: every neural model at its default size, ${opts.ladderSteps} steps on the bundled names (seed 42, 80/10/10), N = steps`,
} as const;
for (const suite of ['kernel', 'step', 'counts', 'mlp', 'transformer', 'matmul', 'ladder'] as const) {
  const measured = comparisons.filter((x) => x.suite === suite);
  // A suite left out (--suites) gets no heading.
  if (measured.length === 0) continue;
  log(`\n${TITLES[suite]}`);
  for (const c of measured) {
    const gb = c.gbPerSecond !== undefined ? ` | ${c.gbPerSecond.toFixed(2)} GB/s` : '';
    const perSecond = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(1)} M` : `${(x / 1e3).toFixed(1)} k`);
    const rate = c.stepsPerSecond !== undefined ? ` | ${c.stepsPerSecond.toFixed(1)} steps/s, ${perSecond(c.examplesPerSecond!)} examples/s` : '';
    const flops = c.gpuGflops !== undefined ? ` | GFLOP/s gpu ${c.gpuGflops.toFixed(2)}, cpu ${c.cpuGflops!.toFixed(2)}` : '';
    const dispatches = c.dispatches !== undefined ? ` | ${c.dispatches} dispatches` : '';
    const ladder = c.gpuTestLoss !== undefined ? ` | ${c.parameters} parameters | test loss gpu ${c.gpuTestLoss.toFixed(4)}, cpu ${c.cpuTestLoss!.toFixed(4)}` : '';
    log(`${c.name.padEnd(24)} | N ${String(c.N).padStart(7)} | gpu ${ms(c.gpuMs).padStart(11)} | cpu ${ms(c.cpuMs).padStart(11)} | ${c.speedup.toFixed(2)}×${gb}${rate}${flops}${dispatches}${ladder}${c.note ? ` | ${c.note}` : ''}`);
  }
}
const cross = crossover(rows);
const sentence = crossoverSentence(rows);
if (sentence) log(`\n${sentence}`);

const report = { env, rows, comparisons, crossover: cross };
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const name = `bench-${env.date.replace(/[:.]/g, '-')}.json`;
writeFileSync(new URL(name, dir), JSON.stringify(report, null, 2));
log(`results: bench/results/${name}`);
if (values.json) process.stdout.write(JSON.stringify(report) + '\n');

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}
