/**
 * The neural bigram trained on the GPU. Everything is allocated and bound once; a training
 * step is a fixed list of dispatches recorded into one compute pass, many steps per submit;
 * the step counter lives on the GPU and each step's loss goes into a history ring that is
 * read back once per submit, never once per step.
 *
 * Three paths compute the same step:
 *  - fused (default): bigram_step_fused_vec4 (or bigram_step_fused past V = 64) +
 *    bigram_update_fused, 2 dispatches per full-batch step (3 with batch_sort for
 *    minibatches), memory O(N) for the examples only;
 *  - unfused: the lecture's ops one kernel each (gather, softmax, NLL, backward, dW, update),
 *    with N×V arrays: the readable version and a cross-check;
 *  - counts: a different algorithm, the full-batch gradient from the count table (1 dispatch,
 *    O(V²)), a cross-check that never stands in for the per-example timings.
 * Evaluation (loss and NLL over all examples, no update) always runs the fused forward.
 *
 * Shapes: N examples, B batch, V vocabulary, C chunk, H history length.
 */
import { UserError } from '../errors.ts';
import { bigramCountsCpu } from '../models/bigramCounts.ts';
import { initBigramWeights, type LossParts } from '../models/bigramNet.ts';
import { chunkTableCpu, maxChunks, packPairs, sortPairsByX } from '../models/bigramOps.ts';
import type { BigramNetHyper } from '../train/hyper.ts';
import type { BigramTrainer } from '../train/trainer.ts';
import { checkDevice, type GpuContext } from './device.ts';
import { VEC4_MAX_VOCAB } from '../../shaders/bigram_step_fused_vec4.wgsl.ts';
import { bindGroup, createBuffer, foldGrid, getPipeline, readBuffer, STORAGE, UNIFORM, type Grid } from './kernels.ts';
import { encodeDispatches, StepLoop, type Dispatch } from './stepLoop.ts';
import { LAUNCH_CANDIDATES, MEASURE_MIN_EXAMPLES, measuredLaunch, sampleExamples, type LaunchChoice, type LaunchShape } from './launchShape.ts';

/**
 * fused and unfused compute every example's softmax; counts is a different algorithm (the
 * gradient collapsed onto the count table, O(V²) per step), a cross-check, full batch only.
 */
export type BigramPath = 'fused' | 'unfused' | 'counts';

export interface GpuBigramOptions {
  path?: BigramPath;
  /**
   * The fused forward/backward kernel: 'vec4' (bigram_step_fused_vec4, loops written out,
   * V ≤ 64) or 'loop' (bigram_step_fused, any V). Default: vec4 where V allows.
   */
  fusedKernel?: 'vec4' | 'loop';
  /** Threads per workgroup of the fused kernel (default: measured, see launchShape.ts). */
  fusedWorkgroup?: number;
  /** C: most examples one workgroup of bigram_step_fused takes (default: measured). */
  chunkSize?: number;
  /** H: steps one submit may hold (the loss history ring). */
  historyLength?: number;
  /** Fold grids into 2-D past this many workgroups (default: the device's limit; lower in tests). */
  maxWorkgroupsPerDimension?: number;
}

export interface BigramParams {
  n: number;
  total: number;
  chunkSize: number;
  historyLength: number;
  lr: number;
  reg: number;
  seed: number;
  rowStride: number;
  maxChunks: number;
}

/** The Params uniform of shaders/lib/bigram_common.wgsl. */
export function paramsBuffer(ctx: GpuContext, label: string, p: BigramParams): GPUBuffer {
  const data = new ArrayBuffer(48);
  const u = new Uint32Array(data);
  const f = new Float32Array(data);
  u[0] = p.n;
  u[1] = p.total;
  u[2] = p.chunkSize;
  u[3] = p.historyLength;
  f[4] = p.lr;
  f[5] = p.reg;
  u[6] = p.seed >>> 0;
  u[7] = Math.floor(p.seed / 2 ** 32) >>> 0;
  u[8] = p.rowStride;
  u[9] = p.maxChunks;
  return createBuffer(ctx, label, data.byteLength, UNIFORM, new Uint8Array(data));
}

const fusedStemFor = (V: number, opts: GpuBigramOptions) =>
  (opts.fusedKernel ?? (V <= VEC4_MAX_VOCAB ? 'vec4' : 'loop')) === 'vec4' ? 'bigram_step_fused_vec4' : 'bigram_step_fused';

/**
 * The launch shape of a trainer: the caller's, or the one measured for this adapter and
 * kernel (timed on these examples the first time, then shared by every trainer of the process).
 */
async function chooseLaunch(ctx: GpuContext, data: { V: number; xs: Uint32Array; ys: Uint32Array }, opts: GpuBigramOptions): Promise<LaunchChoice> {
  const key = `${ctx.description} | ${fusedStemFor(data.V, opts)}`;
  const first = LAUNCH_CANDIDATES[0];
  if (opts.chunkSize !== undefined || opts.fusedWorkgroup !== undefined) {
    return { chunkSize: opts.chunkSize ?? first.chunkSize, fusedWorkgroup: opts.fusedWorkgroup ?? first.fusedWorkgroup, how: 'given', key, timings: [] };
  }
  if (data.xs.length < MEASURE_MIN_EXAMPLES) return { ...first, how: 'small data', key, timings: [] };
  const sample = { V: data.V, ...sampleExamples(data.xs, data.ys) };
  return measuredLaunch(key, (shape) => timeLaunch(ctx, sample, shape, opts));
}

/**
 * ms per full-batch fused step at one shape: a step that compiles, one that sizes the timed
 * submits (about 10 ms each, so a fast GPU is not timing its submit overhead), the least of two.
 */
async function timeLaunch(ctx: GpuContext, data: { V: number; xs: Uint32Array; ys: Uint32Array }, shape: LaunchShape, opts: GpuBigramOptions): Promise<number> {
  const hyper = { steps: 1, lr: 0, reg: 0, batchSize: 0, seed: 0 };
  const t = await GpuBigramTrainer.create(ctx, data, hyper, { fusedKernel: opts.fusedKernel, maxWorkgroupsPerDimension: opts.maxWorkgroupsPerDimension, historyLength: 64, ...shape });
  try {
    await t.runSteps(1);
    let t0 = performance.now();
    await t.runSteps(1);
    const once = performance.now() - t0;
    const K = Math.max(1, Math.min(64, Math.round(10 / Math.max(once, 1e-3))));
    let best = once;
    for (let r = 0; r < 2; r++) {
      t0 = performance.now();
      await t.runSteps(K);
      best = Math.min(best, (performance.now() - t0) / K);
    }
    return best;
  } finally {
    t.dispose();
  }
}

/** Threads per workgroup of onehot_matmul_backward (one workgroup per chunk). */
const CHUNK_WG = 64;
const REDUCE_WG = 256;
const ELEMENT_WG = 256;
const ROW_WG = 64;

/** Columns bigram_step_fused reduces per round, within the workgroup memory granted. */
export function fusedColumns(V: number, wg: number, workgroupBytes: number): number {
  return Math.max(1, Math.min(V, Math.floor((workgroupBytes - 4 * V) / (4 * wg))));
}

export class GpuBigramTrainer implements BigramTrainer {
  readonly device = 'gpu' as const;
  readonly deviceDescription: string;
  private readonly buffers: GPUBuffer[] = [];
  private loop!: StepLoop;
  private evalDispatches: Dispatch[] = [];
  private W!: GPUBuffer;
  private checkpoint!: GPUBuffer;
  private history!: GPUBuffer;
  private evalOut!: GPUBuffer;
  private state!: GPUBuffer;
  private readonly H: number;

  private constructor(
    private readonly ctx: GpuContext,
    readonly V: number,
    readonly path: BigramPath,
    historyLength: number,
    /** The fused kernel's launch shape and how it was chosen. */
    readonly launch: LaunchChoice,
  ) {
    this.deviceDescription = ctx.description;
    this.H = historyLength;
  }

  static async create(
    ctx: GpuContext,
    data: { V: number; xs: Uint32Array; ys: Uint32Array },
    hyper: BigramNetHyper,
    opts: GpuBigramOptions = {},
    initial?: ArrayLike<number>,
  ): Promise<GpuBigramTrainer> {
    const launch = await chooseLaunch(ctx, data, opts);
    const t = new GpuBigramTrainer(ctx, data.V, opts.path ?? 'fused', opts.historyLength ?? 1024, launch);
    // Buffers, pipelines and bind groups are made once: a validation error here is a bug,
    // reported at once rather than at the first submit.
    ctx.device.pushErrorScope('validation');
    let failure: unknown = null;
    try {
      await t.build(data, hyper, opts, initial);
    } catch (e) {
      failure = e;
    }
    const error = await ctx.device.popErrorScope();
    if (!failure && error) failure = new Error(`GPU validation error while setting up the bigram trainer: ${error.message}`);
    if (failure) {
      t.dispose();
      throw failure;
    }
    return t;
  }

  private buffer(label: string, bytes: number, usage = STORAGE, init?: ArrayBufferView): GPUBuffer {
    const limit = Math.min(this.ctx.device.limits.maxStorageBufferBindingSize, this.ctx.device.limits.maxBufferSize);
    if (bytes > limit) {
      throw new UserError(
        `the GPU buffer "${label}" needs ${bytes} bytes, above this device's limit of ${limit} bytes per storage binding` +
          (this.path === 'unfused' ? '; the fused path (the default) needs no N×V arrays' : ''),
      );
    }
    const b = createBuffer(this.ctx, label, bytes, usage, init);
    this.buffers.push(b);
    return b;
  }

  private async build(
    data: { V: number; xs: Uint32Array; ys: Uint32Array },
    hyper: BigramNetHyper,
    opts: GpuBigramOptions,
    initial?: ArrayLike<number>,
  ): Promise<void> {
    const { ctx, V, H } = this;
    const C = this.launch.chunkSize;
    const fusedWG = this.launch.fusedWorkgroup;
    const fusedStem = fusedStemFor(V, opts);
    const maxPerDimension = opts.maxWorkgroupsPerDimension;
    const N = data.xs.length;
    const B = hyper.batchSize;
    const n = B > 0 ? B : N; // examples per step
    const maxDim = Math.min(maxPerDimension ?? Infinity, ctx.device.limits.maxComputeWorkgroupsPerDimension);
    const defines = { V, cols: fusedColumns(V, fusedWG, ctx.device.limits.maxComputeWorkgroupStorageSize), update: true };
    const base = { total: N, chunkSize: C, historyLength: H, lr: hyper.lr, reg: hyper.reg, seed: hyper.seed };
    const params = (label: string, count: number, grid: Grid | null, chunkCap: number) =>
      paramsBuffer(ctx, label, { ...base, n: count, rowStride: grid ? grid.rowStride : 0, maxChunks: chunkCap });
    const track = (b: GPUBuffer) => (this.buffers.push(b), b);

    // Examples: sorted by x for the full batch (its chunk table is built here once);
    // in their own order for minibatches, whose indices must match the CPU's.
    const packed = packPairs(data.xs, data.ys);
    const sorted = sortPairsByX(packed, V);
    const fullChunks = chunkTableCpu(sorted, V, C);
    const fullCap = fullChunks[0];
    const pairsSorted = this.buffer('pairs (sorted by x)', 4 * N, STORAGE, sorted);
    const chunksFull = this.buffer('chunk table (full batch)', fullChunks.byteLength, STORAGE, fullChunks);

    const W0 = initial ? Float32Array.from(initial) : initBigramWeights(V, hyper.seed, Float32Array);
    this.W = this.buffer('W', 4 * V * V, STORAGE, W0);
    this.checkpoint = this.buffer('W checkpoint', 4 * V * V);
    this.history = this.buffer('loss history', 4 * H);
    this.evalOut = this.buffer('evaluation (loss, nll)', 8);
    const state = (this.state = this.buffer('state', 4, STORAGE, new Uint32Array([0])));

    let pairs = pairsSorted;
    let chunks = chunksFull;
    let chunkCap = fullCap;
    const steps: Dispatch[] = [];
    if (B > 0) {
      const batchCap = maxChunks(B, V, C);
      const pairsOriginal = this.buffer('pairs (data order)', 4 * N, STORAGE, packed);
      const indices = this.buffer('batch indices', 4 * B);
      pairs = this.buffer('batch pairs (sorted by x)', 4 * B);
      chunks = this.buffer('chunk table (batch)', 4 * (V + 2 + 2 * batchCap));
      chunkCap = batchCap;
      const sortPipe = await getPipeline(ctx, { stem: 'batch_sort', defines, overrides: { WG: REDUCE_WG } });
      const p = track(params('params batch_sort', B, null, batchCap));
      steps.push({ stem: 'batch_sort', pipeline: sortPipe, bind: bindGroup(ctx, sortPipe, 'batch_sort', [p, pairsOriginal, indices, pairs, chunks, state]), grid: { x: 1, y: 1 } });
    }

    const partials = this.buffer('dW partials', 4 * V * Math.max(chunkCap, fullCap));
    const nllPartials = this.buffer('NLL partials', 4 * Math.max(chunkCap, fullCap));
    const stepFused = await getPipeline(ctx, { stem: fusedStem, defines, overrides: { WG: fusedWG } });
    const updateFused = await getPipeline(ctx, { stem: 'bigram_update_fused', defines, overrides: { WG: REDUCE_WG } });
    const evalOnly = await getPipeline(ctx, { stem: 'bigram_update_fused', defines: { ...defines, update: false }, overrides: { WG: REDUCE_WG } });

    // Evaluation: the fused forward over all examples, the loss without the update.
    {
      const grid = foldGrid(fullCap, 1, maxDim);
      const p = track(params('params eval', N, null, fullCap));
      this.evalDispatches = [
        { stem: fusedStem, pipeline: stepFused, bind: bindGroup(ctx, stepFused, 'eval forward', [null, chunksFull, pairsSorted, this.W, partials, nllPartials]), grid },
        { stem: 'bigram_update_fused', pipeline: evalOnly, bind: bindGroup(ctx, evalOnly, 'eval loss', [p, chunksFull, null, nllPartials, this.W, this.evalOut, state]), grid: { x: 1, y: 1 } },
      ];
    }

    if (this.path === 'counts') {
      if (B > 0) throw new UserError('the count-table algorithm takes the full batch only (--batch-size 0)');
      const table = this.buffer('counts', 4 * V * V, STORAGE, bigramCountsCpu(data.xs, data.ys, V));
      const pipeline = await getPipeline(ctx, { stem: 'bigram_step_counts', defines, overrides: { WG: REDUCE_WG } });
      const p = track(params('params counts', n, null, chunkCap));
      steps.push({ stem: 'bigram_step_counts', pipeline, bind: bindGroup(ctx, pipeline, 'bigram_step_counts', [p, table, this.W, this.history, state]), grid: { x: 1, y: 1 } });
    } else if (this.path === 'fused') {
      const p = track(params('params fused', n, null, chunkCap));
      steps.push(
        { stem: fusedStem, pipeline: stepFused, bind: bindGroup(ctx, stepFused, 'bigram_step_fused', [null, chunks, pairs, this.W, partials, nllPartials]), grid: foldGrid(chunkCap, 1, maxDim) },
        { stem: 'bigram_update_fused', pipeline: updateFused, bind: bindGroup(ctx, updateFused, 'bigram_update_fused', [p, chunks, partials, nllPartials, this.W, this.history, state]), grid: { x: 1, y: 1 } },
      );
    } else {
      const logits = this.buffer('logits', 4 * n * V);
      const probs = this.buffer('probs', 4 * n * V);
      const dlogits = this.buffer('dlogits', 4 * n * V);
      const elementGrid = foldGrid(n * V, ELEMENT_WG, maxDim);
      const rowGrid = foldGrid(n, ROW_WG, maxDim);
      const nllGrid = foldGrid(n, ELEMENT_WG, maxDim);
      const nllOut = this.buffer('NLL partials (unfused)', 4 * nllGrid.x * nllGrid.y);
      const pipe = (stem: string, wg: number) => getPipeline(ctx, { stem, defines, overrides: { WG: wg } });
      const [gather, softmax, nll, finalize, backward, dW, update] = await Promise.all([
        pipe('onehot_matmul', ELEMENT_WG), pipe('softmax_forward', ROW_WG), pipe('nll_forward', ELEMENT_WG),
        pipe('loss_finalize', REDUCE_WG), pipe('softmax_nll_backward', ELEMENT_WG), pipe('onehot_matmul_backward', CHUNK_WG),
        pipe('sgd_update', ELEMENT_WG),
      ]);
      const pe = track(params('params elements', n, elementGrid, chunkCap));
      const pr = track(params('params rows', n, rowGrid, chunkCap));
      const pn = track(params('params nll', n, nllGrid, chunkCap));
      const p0 = track(params('params', n, null, chunkCap));
      const weightGrid = foldGrid(V * V, ELEMENT_WG, maxDim);
      const pw = track(params('params weights', n, weightGrid, chunkCap));
      steps.push(
        { stem: 'onehot_matmul', pipeline: gather, bind: bindGroup(ctx, gather, 'onehot_matmul', [pe, pairs, this.W, logits]), grid: elementGrid },
        { stem: 'softmax_forward', pipeline: softmax, bind: bindGroup(ctx, softmax, 'softmax_forward', [pr, logits, probs]), grid: rowGrid },
        { stem: 'nll_forward', pipeline: nll, bind: bindGroup(ctx, nll, 'nll_forward', [pn, pairs, probs, nllOut]), grid: nllGrid },
        { stem: 'loss_finalize', pipeline: finalize, bind: bindGroup(ctx, finalize, 'loss_finalize', [p0, nllOut, this.W, this.history, state]), grid: { x: 1, y: 1 } },
        { stem: 'softmax_nll_backward', pipeline: backward, bind: bindGroup(ctx, backward, 'softmax_nll_backward', [pe, pairs, probs, dlogits]), grid: elementGrid },
        { stem: 'onehot_matmul_backward', pipeline: dW, bind: bindGroup(ctx, dW, 'onehot_matmul_backward', [null, chunks, dlogits, partials]), grid: foldGrid(chunkCap, 1, maxDim) },
        { stem: 'sgd_update', pipeline: update, bind: bindGroup(ctx, update, 'sgd_update', [pw, chunks, partials, this.W, state]), grid: weightGrid },
      );
    }
    this.loop = new StepLoop(ctx, 'bigram', { weights: this.W, checkpoint: this.checkpoint, weightBytes: 4 * V * V, history: this.history, H });
    this.loop.dispatches = steps;
  }

  /**
   * GPU time of each kernel of a step, from timestamp queries: every dispatch of one step runs
   * `repeats` times in a pass of its own (timestamps are coarse in browsers), then the weights
   * and the step counter are restored. Null where the adapter has no timestamp queries.
   */
  async profileStep(repeats = 5): Promise<{ stem: string; ms: number }[] | null> {
    if (!this.ctx.hasTimestamps) return null;
    checkDevice(this.ctx);
    const { device } = this.ctx;
    const count = this.loop.dispatches.length;
    const querySet = device.createQuerySet({ label: 'kernel timestamps', type: 'timestamp', count: 2 * count });
    const resolved = createBuffer(this.ctx, 'timestamps', 16 * count, 0x200 | 0x4); // QUERY_RESOLVE | COPY_SRC
    const backupW = createBuffer(this.ctx, 'W backup', 4 * this.V * this.V, STORAGE);
    const backupState = createBuffer(this.ctx, 'state backup', 4, STORAGE);
    try {
      const encoder = device.createCommandEncoder({ label: 'profile step' });
      encoder.copyBufferToBuffer(this.W, 0, backupW, 0, 4 * this.V * this.V);
      encoder.copyBufferToBuffer(this.state, 0, backupState, 0, 4);
      this.loop.dispatches.forEach((d, i) => {
        const pass = encoder.beginComputePass({
          label: `profile ${d.stem}`,
          timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
        });
        for (let r = 0; r < repeats; r++) encodeDispatches(pass, [d]);
        pass.end();
      });
      encoder.copyBufferToBuffer(backupW, 0, this.W, 0, 4 * this.V * this.V);
      encoder.copyBufferToBuffer(backupState, 0, this.state, 0, 4);
      encoder.resolveQuerySet(querySet, 0, 2 * count, resolved, 0);
      device.queue.submit([encoder.finish()]);
      const ns = new BigInt64Array(await readBuffer(this.ctx, resolved, 16 * count));
      return this.loop.dispatches.map((d, i) => ({ stem: d.stem, ms: Number(ns[2 * i + 1] - ns[2 * i]) / 1e6 / repeats }));
    } finally {
      querySet.destroy();
      for (const b of [resolved, backupW, backupState]) b.destroy();
    }
  }

  /** Dispatches per training step (the number that transfers to real GPUs). */
  get dispatchesPerStep(): number {
    return this.loop.dispatches.length;
  }

  /** Steps taken so far. */
  get step(): number {
    return this.loop.step;
  }

  runSteps(count: number): Promise<Float32Array> {
    return this.loop.run(count);
  }

  async readWeights(): Promise<Float32Array> {
    return new Float32Array(await readBuffer(this.ctx, this.W, 4 * this.V * this.V));
  }

  async readCheckpoint(): Promise<Float32Array> {
    return new Float32Array(await readBuffer(this.ctx, this.checkpoint, 4 * this.V * this.V));
  }

  async evaluate(): Promise<LossParts> {
    checkDevice(this.ctx);
    const encoder = this.ctx.device.createCommandEncoder({ label: 'evaluate' });
    const pass = encoder.beginComputePass({ label: 'evaluate' });
    encodeDispatches(pass, this.evalDispatches);
    pass.end();
    this.ctx.device.queue.submit([encoder.finish()]);
    const [loss, nll] = new Float32Array(await readBuffer(this.ctx, this.evalOut, 8));
    return { loss, nll };
  }

  dispose(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}
