/**
 * The benchmark suite, the same in Node (bench/run.ts) and on the benchmark page. It comes in
 * two halves that share nothing but the data, so the page can run the CPU half in a Web
 * Worker: gpuSuite times the kernels and steps on a GpuContext, cpuSuite their CPU twins.
 * `compare` pairs the rows up (ratio cpu/gpu) and finds where the GPU overtakes the CPU.
 *
 * Timing: K steps per submit and one wait, median (min, max) of R timed repeats after a
 * warm-up; per-kernel GPU times from timestamp queries, each kernel repeated in its own pass.
 */
import { bigramNetLossAndGrad, initBigramWeights, sgdUpdateCpu } from '../src/models/bigramNet.ts';
import { bigramCountsCpu } from '../src/models/bigramCounts.ts';
import {
  bigramStepFusedCpu, chunkTableCpu, lossFinalizeCpu, nllForwardCpu, onehotMatmulBackwardCpu, onehotMatmulCpu, packPairs,
  sgdUpdateFromPartialsCpu, softmaxForwardCpu, softmaxNllBackwardCpu, sortPairsByX,
} from '../src/models/bigramOps.ts';
import { bigramCountsGpu } from '../src/gpu/bigramCounts.ts';
import { GpuBigramTrainer, type BigramPath } from '../src/gpu/bigramTrainer.ts';
import type { GpuContext } from '../src/gpu/device.ts';
import { CpuBigramTrainer } from '../src/train/cpuTrainer.ts';
import { CpuNetTrainer } from '../src/nn/cpuTrainer.ts';
import { GpuNetTrainer } from '../src/nn/gpuTrainer.ts';
import { netModel, type NetModelKind } from '../src/models/registry.ts';
import { contextData } from '../src/data/contexts.ts';
import { datasetFromWords } from '../src/data/dataset.ts';
import { DEFAULT_MLP_HYPER, DEFAULT_TRANSFORMER_HYPER, type MlpHyper, type TransformerHyper } from '../src/train/hyper.ts';
import { sequenceData } from '../src/data/sequences.ts';
import { transformerNetSpec } from '../src/models/transformer/net.ts';
import { benchDataset } from './data.ts';
import { BENCH_SHAPES, benchMatmulCpu, benchMatmulGpu, type Shape } from './matmulBench.ts';
import { summarize, time, type Timing } from './stats.ts';

export interface BenchOptions {
  /** Examples per step for the step suite. */
  sizes: number[];
  /** Minibatch sizes for the MLP suite. */
  mlpBatches?: number[];
  /** Batch sizes (words) for the Transformer suite: makemore's default network, T = 16. */
  transformerBatches?: number[];
  /** Matrix products for the matmul suite (GFLOP/s of ops/matmul and of its CPU twin). */
  matmulShapes?: Shape[];
  /** The ladder suite: every neural model at its default size trains this many steps (0: none). */
  ladderSteps?: number;
  /** The ladder's rungs (default LADDER, all of them). */
  ladderModels?: readonly NetModelKind[];
  /** The ladder's words (names: a language model's test loss means something there); default `words`. */
  ladderWords?: readonly string[];
  /** Examples for the per-kernel suite. */
  kernelN: number;
  repeats: number;
  words: readonly string[];
  /** The unfused path holds three N×V arrays: larger N is skipped. */
  unfusedMaxN?: number;
  onRow?: (row: Row) => void;
  /**
   * Wall-clock samples shorter than this repeat the op and take the mean (stats.ts `time`): for
   * a coarse clock, as in the browser. Unset: one call per sample, as in the CLI.
   */
  minSampleMs?: number;
}

export interface Row {
  suite: 'kernel' | 'step' | 'counts' | 'mlp' | 'matmul' | 'transformer' | 'ladder';
  /** The op's stem (kernel suite) or the step's path; N is the batch size in the mlp suite. */
  name: string;
  device: 'gpu' | 'cpu';
  N: number;
  V: number;
  /** ms per kernel, per step, or per table build. */
  ms: Timing;
  /** Bytes the op reads and writes at the least (kernel suite), for GB/s. */
  bytes?: number;
  /** A different algorithm from the per-example step: never a stand-in for its numbers. */
  note?: string;
  /** matmul and mlp suites: arithmetic rate (GFLOP = 2·M·K·N per product; an MLP step ≈ 6·B·(T·E·H + H·V)). */
  gflops?: number;
  /** mlp, transformer and ladder suites, GPU: dispatches per training step. */
  dispatches?: number;
  /** ladder suite: the test split's loss after the steps, and the model's parameters. */
  testLoss?: number;
  parameters?: number;
}

/** The context model's step in floating-point operations: the forward's two products and the backward's four. */
function mlpStepFlops(B: number, V: number, h: MlpHyper): number {
  const TE = h.blockSize * h.embed;
  return 6 * B * (TE * h.hidden + h.hidden * V);
}

function matmulName(s: Shape): string {
  return `matmul ${s.M}×${s.K}·${s.K}×${s.N} ${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'}`;
}

export const QUICK: Pick<BenchOptions, 'sizes' | 'kernelN' | 'repeats' | 'mlpBatches' | 'transformerBatches' | 'ladderSteps'> = {
  sizes: [10_000, 60_000], kernelN: 20_000, repeats: 3, mlpBatches: [32, 512], transformerBatches: [], ladderSteps: 0,
};
export const FULL: Pick<BenchOptions, 'sizes' | 'kernelN' | 'repeats' | 'mlpBatches' | 'matmulShapes' | 'transformerBatches' | 'ladderSteps'> = {
  sizes: [10_000, 30_000, 100_000, 228_146, 1_000_000, 3_000_000],
  kernelN: 228_146,
  repeats: 10,
  mlpBatches: [32, 512, 4096],
  matmulShapes: BENCH_SHAPES,
  transformerBatches: [32, 512],
  ladderSteps: 200,
};

/**
 * The ladder's rungs, in makemore's order (the neural bigram has a trainer of its own: the step
 * suite; makemore's zero-started bigram is a rung). makemore's own figures, 2,000 steps on
 * its split of names.txt, beside makemore's: README.md, "makemore's figures".
 */
export const LADDER: readonly NetModelKind[] = ['makemore-bigram', 'mlp', 'makemore-mlp', 'bow', 'rnn', 'gru', 'transformer'];
/** Steps per timed chunk of the ladder (one submit on the GPU); fewer in a short run, so a chunk after the first is timed. */
const LADDER_CHUNK = 20;
const ladderChunk = (steps: number) => Math.max(1, Math.min(LADDER_CHUNK, Math.floor(steps / 2)));

/** A rung's data and hyper-parameters: its defaults, `steps` steps, the seeded 80/10/10 split of the words. */
function ladderSetup(words: readonly string[], kind: NetModelKind, steps: number) {
  const def = netModel(kind);
  const d = datasetFromWords(words.filter((w) => [...w].length <= 15), 'ladder words');
  const given = { ...(def.defaults as MlpHyper), steps };
  const data = def.data(d, given);
  const hyper = def.resolve(given, data) as MlpHyper;
  return { data, spec: def.spec(data, hyper) };
}

/**
 * One rung: `steps` steps in chunks, ms per step the median over the chunks after the first
 * (which compiles on the GPU), then the test loss.
 */
async function ladderRung(t: { runSteps(n: number): Promise<unknown>; evaluateSplit(s: 'test'): Promise<number>; readWeights(): Promise<Float32Array> }, steps: number) {
  const per: number[] = [];
  const chunk = ladderChunk(steps);
  for (let done = 0; done < steps; done += chunk) {
    const k = Math.min(chunk, steps - done);
    const t0 = performance.now();
    await t.runSteps(k);
    if (done > 0) per.push((performance.now() - t0) / k);
  }
  return { ms: summarize(per.length ? per : [NaN]), testLoss: await t.evaluateSplit('test'), parameters: (await t.readWeights()).length };
}

/** The MLP suite's model: the default recipe (block 3, embed 10, hidden 200) on 30,000 words. */
const MLP_WORDS = 30_000;
function mlpSetup(words: readonly string[], B: number) {
  const d = datasetFromWords(words.slice(0, MLP_WORDS), `english words, first ${MLP_WORDS}`);
  const hyper: MlpHyper = { ...DEFAULT_MLP_HYPER, batchSize: B, steps: 1 };
  // Steps per submit: about 4,096 examples' worth, 1 to 20.
  return { data: contextData(d, hyper.blockSize, hyper.seed), hyper, K: Math.max(1, Math.min(20, Math.round(4096 / B))) };
}

/** makemore's Transformer at its defaults on words of up to 15 letters (T = 16); one step per submit at B ≥ 256. */
function transformerSetup(words: readonly string[], B: number) {
  const d = datasetFromWords(words.slice(0, MLP_WORDS).filter((w) => [...w].length <= 15), `english words of up to 15 letters`);
  const data = sequenceData(d, 1, 16);
  const hyper: TransformerHyper = { ...DEFAULT_TRANSFORMER_HYPER, batchSize: B, blockSize: data.T };
  return { data, spec: transformerNetSpec(data, hyper), K: B >= 256 ? 1 : 4 };
}

/** A Transformer step in floating-point operations: 6 per multiply-add of its matrix products per position (forward 2, backward 4), and attention's. */
function transformerStepFlops(B: number, V: number): number {
  const { nLayer: L, nEmbd: C } = DEFAULT_TRANSFORMER_HYPER;
  const T = 16;
  const weights = L * (C * 3 * C + C * C + 2 * C * 4 * C) + C * V;
  return 6 * B * T * weights + 6 * B * L * T * T * C;
}

/** Steps per submit: enough to amortise the wait, few enough to keep a submit short. */
const stepsPerSubmit = (N: number) => Math.max(1, Math.min(20, Math.round(2_000_000 / N)));

const perStep = (t: Timing, K: number): Timing => ({ median: t.median / K, min: t.min / K, max: t.max / K, runs: t.runs });

/** Minimum bytes each kernel moves for N examples of vocabulary V. */
export function kernelBytes(stem: string, N: number, V: number): number {
  const NV = N * V;
  switch (stem) {
    case 'onehot_matmul': return 4 * (N + NV);
    case 'softmax_forward': return 8 * NV;
    case 'nll_forward': return 8 * N;
    case 'softmax_nll_backward': return 4 * (2 * NV + N);
    case 'onehot_matmul_backward': return 4 * NV;
    case 'bigram_step_fused':
    case 'bigram_step_fused_vec4': return 4 * N;
    case 'bigram_step': return 8 * N; // xs and ys
    default: return 4 * 2 * V * V; // loss_finalize, sgd_update, bigram_update_fused: W in and out
  }
}

const HYPER = { steps: 1, lr: 0.1, reg: 0.01, batchSize: 0, seed: 1 };

export async function gpuSuite(ctx: GpuContext, opts: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const emit = (r: Row) => (rows.push(r), opts.onRow?.(r));
  const unfusedMaxN = opts.unfusedMaxN ?? 1_000_000;

  // Per kernel: one step of each path, every kernel timed by timestamps.
  if (ctx.hasTimestamps && opts.kernelN > 0) {
    const d = benchDataset(opts.words, opts.kernelN);
    const V = d.symbols.length;
    for (const path of ['unfused', 'fused'] as const) {
      const t = await GpuBigramTrainer.create(ctx, { V, xs: d.xs, ys: d.ys }, HYPER, { path });
      await t.runSteps(1);
      const runs: { stem: string; ms: number }[][] = [];
      for (let r = 0; r < opts.repeats; r++) runs.push((await t.profileStep(3))!);
      t.dispose();
      runs[0].forEach(({ stem }, i) => {
        emit({ suite: 'kernel', name: stem, device: 'gpu', N: d.xs.length, V, ms: summarize(runs.map((k) => k[i].ms)), bytes: kernelBytes(stem, d.xs.length, V) });
      });
    }
  }

  for (const N of opts.sizes) {
    const d = benchDataset(opts.words, N);
    const V = d.symbols.length;
    const K = stepsPerSubmit(N);
    for (const path of ['fused', 'unfused', 'counts'] as BigramPath[]) {
      if (path === 'unfused' && N > unfusedMaxN) continue;
      const t = await GpuBigramTrainer.create(ctx, { V, xs: d.xs, ys: d.ys }, HYPER, { path });
      const ms = perStep(await time(() => t.runSteps(K).then(() => {}), opts.repeats, 1, opts.minSampleMs), K);
      t.dispose();
      emit({
        suite: 'step', name: `bigram_step_${path}`, device: 'gpu', N, V, ms,
        ...(path === 'counts' ? { note: 'different algorithm: the gradient from the V×V count table, O(V²) per step' } : {}),
      });
    }
    emit({ suite: 'counts', name: 'bigram_counts', device: 'gpu', N, V, ms: await time(() => bigramCountsGpu(ctx, d.xs, d.ys, V).then(() => {}), opts.repeats, 1, opts.minSampleMs) });
  }

  for (const B of opts.mlpBatches ?? []) {
    const { data, hyper, K } = mlpSetup(opts.words, B);
    const t = await GpuNetTrainer.create(ctx, netModel('mlp').spec(data, hyper), data);
    const ms = perStep(await time(() => t.runSteps(K).then(() => {}), opts.repeats, 1, opts.minSampleMs), K);
    emit({ suite: 'mlp', name: 'mlp_step', device: 'gpu', N: B, V: data.V, ms, gflops: mlpStepFlops(B, data.V, hyper) / 1e6 / ms.median, dispatches: t.dispatchesPerStep });
    t.dispose();
  }
  for (const B of opts.transformerBatches ?? []) {
    const { data, spec, K } = transformerSetup(opts.words, B);
    const t = await GpuNetTrainer.create(ctx, spec, data);
    await t.runSteps(K); // compiles
    const ms = perStep(await time(() => t.runSteps(K).then(() => {}), opts.repeats, 2, opts.minSampleMs), K);
    emit({ suite: 'transformer', name: 'transformer_step', device: 'gpu', N: B, V: data.V, ms, gflops: transformerStepFlops(B, data.V) / 1e6 / ms.median, dispatches: t.dispatchesPerStep });
    t.dispose();
  }
  for (const kind of opts.ladderSteps ? opts.ladderModels ?? LADDER : []) {
    const { data, spec } = ladderSetup(opts.ladderWords ?? opts.words, kind, opts.ladderSteps!);
    const t = await GpuNetTrainer.create(ctx, spec, data);
    const r = await ladderRung(t, opts.ladderSteps!);
    emit({ suite: 'ladder', name: kind, device: 'gpu', N: opts.ladderSteps!, V: data.V, ...r, dispatches: t.dispatchesPerStep });
    t.dispose();
  }
  for (const r of await benchMatmulGpu(ctx, opts.matmulShapes ?? [], opts.repeats)) {
    emit({ suite: 'matmul', name: matmulName(r), device: 'gpu', N: r.M, V: 0, ms: { median: r.ms, min: r.ms, max: r.ms, runs: opts.repeats }, gflops: r.gflops });
  }
  return rows;
}

export async function cpuSuite(opts: BenchOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const emit = (r: Row) => (rows.push(r), opts.onRow?.(r));

  // Per kernel: the CPU twins, one op at a time, on the same data.
  if (opts.kernelN > 0) {
    const d = benchDataset(opts.words, opts.kernelN);
    const V = d.symbols.length;
    const N = d.xs.length;
    const W = initBigramWeights(V, 1, Float32Array);
    const pairs = sortPairsByX(packPairs(d.xs, d.ys), V);
    const chunks = chunkTableCpu(pairs, V, 1024);
    const logits = onehotMatmulCpu(W, pairs, V);
    const probs = softmaxForwardCpu(logits, V);
    const dlogits = softmaxNllBackwardCpu(probs, pairs, V);
    const partials = onehotMatmulBackwardCpu(dlogits, chunks, V);
    const nll = nllForwardCpu(probs, pairs, V, 256);
    const grad = new Float64Array(V * V);
    const ops: [string, () => void][] = [
      ['onehot_matmul', () => void onehotMatmulCpu(W, pairs, V)],
      ['softmax_forward', () => void softmaxForwardCpu(logits, V)],
      ['nll_forward', () => void nllForwardCpu(probs, pairs, V, 256)],
      ['loss_finalize', () => void lossFinalizeCpu(nll, W, N, 0.01)],
      ['softmax_nll_backward', () => void softmaxNllBackwardCpu(probs, pairs, V)],
      ['onehot_matmul_backward', () => void onehotMatmulBackwardCpu(dlogits, chunks, V)],
      ['sgd_update', () => sgdUpdateFromPartialsCpu(W.slice(), partials, chunks, V, 0.1, 0.01)],
      ['bigram_step_fused', () => void bigramStepFusedCpu(W, pairs, chunks, V)],
      ['bigram_update_fused', () => sgdUpdateCpu(W.slice(), grad, 0.1)],
    ];
    // The CPU trainer's own step: everything in one pass, the CPU's answer to the fused kernels.
    ops.push(['bigram_step', () => void bigramNetLossAndGrad(W, V, d.xs, d.ys, null, 0.01, grad)]);
    for (const [name, op] of ops) {
      emit({ suite: 'kernel', name, device: 'cpu', N, V, ms: await time(op, opts.repeats, 1, opts.minSampleMs), bytes: kernelBytes(name, N, V) });
    }
  }

  for (const N of opts.sizes) {
    const d = benchDataset(opts.words, N);
    const V = d.symbols.length;
    const K = stepsPerSubmit(N);
    const t = new CpuBigramTrainer({ V, xs: d.xs, ys: d.ys }, HYPER);
    emit({ suite: 'step', name: 'bigram_step', device: 'cpu', N, V, ms: perStep(await time(() => t.runSteps(K).then(() => {}), opts.repeats, 1, opts.minSampleMs), K) });
    emit({ suite: 'counts', name: 'bigram_counts', device: 'cpu', N, V, ms: await time(() => void bigramCountsCpu(d.xs, d.ys, V), opts.repeats, 1, opts.minSampleMs) });
  }

  for (const B of opts.mlpBatches ?? []) {
    const { data, hyper, K } = mlpSetup(opts.words, B);
    const t = new CpuNetTrainer(netModel('mlp').spec(data, hyper), data);
    const ms = perStep(await time(() => t.runSteps(K).then(() => {}), opts.repeats, 1, opts.minSampleMs), K);
    emit({ suite: 'mlp', name: 'mlp_step', device: 'cpu', N: B, V: data.V, ms, gflops: mlpStepFlops(B, data.V, hyper) / 1e6 / ms.median });
  }
  for (const B of opts.transformerBatches ?? []) {
    const { data, spec, K } = transformerSetup(opts.words, B);
    const t = new CpuNetTrainer(spec, data);
    const ms = perStep(await time(() => t.runSteps(K).then(() => {}), B >= 256 ? 1 : opts.repeats, 1, opts.minSampleMs), K);
    emit({ suite: 'transformer', name: 'transformer_step', device: 'cpu', N: B, V: data.V, ms, gflops: transformerStepFlops(B, data.V) / 1e6 / ms.median });
  }
  for (const kind of opts.ladderSteps ? opts.ladderModels ?? LADDER : []) {
    const { data, spec } = ladderSetup(opts.ladderWords ?? opts.words, kind, opts.ladderSteps!);
    emit({ suite: 'ladder', name: kind, device: 'cpu', N: opts.ladderSteps!, V: data.V, ...(await ladderRung(new CpuNetTrainer(spec, data), opts.ladderSteps!)) });
  }
  for (const r of benchMatmulCpu(opts.matmulShapes ?? [], opts.repeats)) {
    emit({ suite: 'matmul', name: matmulName(r), device: 'cpu', N: r.M, V: 0, ms: { median: r.ms, min: r.ms, max: r.ms, runs: opts.repeats }, gflops: r.gflops });
  }
  return rows;
}

export interface Comparison {
  suite: Row['suite'];
  name: string;
  N: number;
  gpuMs: number;
  cpuMs: number;
  /** cpu / gpu: above 1, the GPU is faster. */
  speedup: number;
  gbPerSecond?: number;
  /** matmul and mlp suites: GFLOP/s of the GPU and of the CPU. */
  gpuGflops?: number;
  cpuGflops?: number;
  /** mlp suite: dispatches per GPU step. */
  dispatches?: number;
  /** ladder suite: the test loss after the steps on each device, and the parameters. */
  gpuTestLoss?: number;
  cpuTestLoss?: number;
  parameters?: number;
  /** Step suite: GPU steps and examples per second. */
  stepsPerSecond?: number;
  examplesPerSecond?: number;
  note?: string;
}

/** The CPU row a GPU row races: every GPU step path the CPU step, each version of a kernel its CPU twin. */
export function cpuTwin(suite: Row['suite'], name: string): string {
  return suite === 'step' ? 'bigram_step' : name.replace(/_vec4$/, '');
}

/** GPU rows beside the CPU row of the same op and N (per-example steps against the CPU step). */
export function compare(rows: Row[]): Comparison[] {
  const cpu = (suite: Row['suite'], name: string, N: number) =>
    rows.find((r) => r.device === 'cpu' && r.suite === suite && r.N === N && r.name === cpuTwin(suite, name));
  return rows
    .filter((r) => r.device === 'gpu')
    .flatMap((g) => {
      const c = cpu(g.suite, g.name, g.N);
      if (!c) return [];
      return [{
        suite: g.suite, name: g.name, N: g.N, gpuMs: g.ms.median, cpuMs: c.ms.median, speedup: c.ms.median / g.ms.median,
        ...(g.bytes ? { gbPerSecond: g.bytes / (g.ms.median * 1e6) } : {}),
        ...(g.gflops !== undefined && c.gflops !== undefined ? { gpuGflops: g.gflops, cpuGflops: c.gflops } : {}),
        ...(g.dispatches !== undefined ? { dispatches: g.dispatches } : {}),
        ...(g.testLoss !== undefined && c.testLoss !== undefined ? { gpuTestLoss: g.testLoss, cpuTestLoss: c.testLoss, parameters: g.parameters } : {}),
        ...(g.suite === 'step' || g.suite === 'mlp' || g.suite === 'transformer' ? { stepsPerSecond: 1000 / g.ms.median, examplesPerSecond: (1000 * g.N) / g.ms.median } : {}),
        ...(g.note ? { note: g.note } : {}),
      }];
    });
}

/**
 * The N where a GPU step path overtakes the CPU step, interpolated log-log between the two
 * measured sizes around it; null if it never does in the sizes measured, or from the start.
 */
export function crossover(rows: Row[], gpuName = 'bigram_step_fused'): { N: number; below: number; above: number } | null {
  const pairs = compare(rows).filter((c) => c.suite === 'step' && c.name === gpuName).sort((a, b) => a.N - b.N);
  for (let i = 1; i < pairs.length; i++) {
    const [a, b] = [pairs[i - 1], pairs[i]];
    if (a.speedup < 1 && b.speedup >= 1) {
      const f = -Math.log(a.speedup) / (Math.log(b.speedup) - Math.log(a.speedup));
      return { N: Math.round(Math.exp(Math.log(a.N) + f * (Math.log(b.N) - Math.log(a.N)))), below: a.N, above: b.N };
    }
  }
  return null;
}

/**
 * Where the fused GPU step stands against the CPU step, in words: the crossover, or which of
 * "ahead everywhere" and "behind everywhere" happened; null without both measured.
 */
export function crossoverSentence(rows: Row[], formatN: (n: number) => string = String, gpuName = 'bigram_step_fused'): string | null {
  const pairs = compare(rows).filter((c) => c.suite === 'step' && c.name === gpuName).sort((a, b) => a.N - b.N);
  if (pairs.length === 0) return null;
  const cross = crossover(rows, gpuName);
  const first = formatN(pairs[0].N);
  const last = formatN(pairs[pairs.length - 1].N);
  if (cross) return `The fused GPU step overtakes the CPU step at N ≈ ${formatN(cross.N)} (between ${formatN(cross.below)} and ${formatN(cross.above)}).`;
  if (pairs.every((p) => p.speedup >= 1)) return `The fused GPU step is ahead of the CPU step at every size measured, from the smallest (N = ${first}).`;
  if (pairs.every((p) => p.speedup < 1)) return `The fused GPU step stays behind the CPU step at every size measured (N = ${first} to ${last}).`;
  return `The fused GPU step is ahead of the CPU step at N = ${pairs.filter((p) => p.speedup >= 1).map((p) => formatN(p.N)).join(', ')} and behind at N = ${pairs.filter((p) => p.speedup < 1).map((p) => formatN(p.N)).join(', ')}.`;
}
