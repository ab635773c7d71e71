/**
 * The context model (makemore's MLP) trained on the GPU. Everything is allocated and bound
 * once; a training step is a fixed list of 20 dispatches recorded into one compute pass, many
 * steps per submit. The step counter and the step's learning rate live on the GPU (State), the
 * minibatch is drawn on the GPU (batch_indices, identical to the CPU's draw), and each step's
 * loss goes to a history ring read back once per submit. A split is evaluated on the GPU in
 * chunks of R rows, its partial sums read back once and added in float64.
 *
 * Shapes: N examples, B batch, V vocabulary, T context, E embedding, H hidden, R rows per
 * evaluation chunk. The step (CPU twins in src/models/mlpOps.ts, same stems):
 *   batch_indices                       indices (B,)
 *   embedding_forward                   emb (B, T·E) = C[X[indices]]
 *   matmul, bias_add                    hpre (B, H) = emb·W1 + b1
 *   tanh_forward                        h (B, H)
 *   matmul, bias_add                    logits (B, V) = h·W2 + b2
 *   softmax_forward (the bigram's)      probs (B, V) for the backward
 *   crossentropy_forward                loss partial sums, by log-sum-exp of the logits
 *   mlp_loss_record                     history[step], the step's lr, step + 1
 *   crossentropy_softmax_backward       dlogits (B, V)
 *   matmul (hᵀ·dlogits), bias_backward  dW2 (H, V), db2 (V,)
 *   matmul (dlogits·W2ᵀ)                dh (B, H)
 *   tanh_backward                       dhpre (B, H)
 *   matmul (embᵀ·dhpre), bias_backward  dW1 (T·E, H), db1 (H,)
 *   matmul (dhpre·W1ᵀ)                  demb (B, T·E)
 *   embedding_backward                  dC (V, E)
 *   mlp_sgd_update                      P ← P − lr·grad (every parameter, one dispatch)
 * Parameters and gradients are flat vectors in the GPU layout of mlpParamTable(shape, 64):
 * each tensor is bound as a 256-byte-aligned range of them.
 */
import { UserError } from '../errors.ts';
import type { ContextData, ContextExamples, SplitName } from '../data/contexts.ts';
import type { LossParts } from '../models/bigramNet.ts';
import {
  GPU_PARAM_ALIGN, initMlpParams, mlpParamCount, mlpParamTable, padParams, unpadParams, type MlpShape, type ParamName,
} from '../models/mlp.ts';
import type { MlpHyper } from '../train/hyper.ts';
import { checkContextData, mlpSchedule, mlpShape } from '../train/mlpCpuTrainer.ts';
import type { MlpTrainer } from '../train/trainer.ts';
import { paramsBuffer } from './bigramTrainer.ts';
import { checkDevice, type GpuContext } from './device.ts';
import { bindGroup, createBuffer, foldGrid, getPipeline, readBuffer, STORAGE, UNIFORM, type Grid, type KernelSpec } from './kernels.ts';
import { encodeDispatches, StepLoop, type Dispatch } from './stepLoop.ts';
import { MLP_SHADER_LIBS } from './shaders.ts';

/** The MlpParams uniform of shaders/lib/mlp_common.wgsl; unset fields are 0. */
export interface MlpUniform {
  n: number;
  first: number;
  total: number;
  historyLength: number;
  seed: number;
  lr: number;
  lrFinal: number;
  decayStep: number;
  rowStride: number;
  T: number;
  E: number;
  V: number;
  M: number;
  K: number;
  N: number;
  partial: number;
  partials: number;
}

export function mlpParamsBuffer(ctx: GpuContext, label: string, p: Partial<MlpUniform>): GPUBuffer {
  const data = new ArrayBuffer(80);
  const u = new Uint32Array(data);
  const f = new Float32Array(data);
  const seed = p.seed ?? 0;
  u[0] = p.n ?? 0;
  u[1] = p.first ?? 0;
  u[2] = p.total ?? 0;
  u[3] = p.historyLength ?? 0;
  u[4] = seed >>> 0;
  u[5] = Math.floor(seed / 2 ** 32) >>> 0;
  f[6] = p.lr ?? 0;
  f[7] = p.lrFinal ?? 0;
  u[8] = p.decayStep ?? 0;
  u[9] = p.rowStride ?? 0;
  u[10] = p.T ?? 0;
  u[11] = p.E ?? 0;
  u[12] = p.V ?? 0;
  u[13] = p.M ?? 0;
  u[14] = p.K ?? 0;
  u[15] = p.N ?? 0;
  u[16] = p.partial ?? 0;
  u[17] = p.partials ?? 0;
  return createBuffer(ctx, label, data.byteLength, UNIFORM, new Uint8Array(data));
}

/** A kernel of the context model: its stem, #if flags and workgroup size. */
export function mlpKernel(stem: string, defines: Record<string, boolean> = {}, overrides?: Record<string, number>): KernelSpec {
  return { stem, defines, overrides, libs: MLP_SHADER_LIBS };
}

/** Workgroup sizes of the trainer's kernels. */
export const MLP_WG = {
  element: 256, // embedding_forward, bias_add, tanh_*, crossentropy_softmax_backward, mlp_sgd_update
  column: 64, // batch_indices, bias_backward, embedding_backward, mlp_loss_record
  crossentropy: 256, // rows per partial sum
} as const;

/**
 * matmul's TS: TS×TS threads per workgroup, a (4·TS)² output tile. Few threads suit a CPU
 * emulation of a GPU (barriers are costly there); a real GPU wants full workgroups.
 */
export function matmulTile(ctx: GpuContext): number {
  return ctx.adapter.software ? 4 : 16;
}

/** The matmul grid: one workgroup per (4·TS)×(4·TS) output tile. */
export function matmulGrid(M: number, N: number, TS: number): Pick<Grid, 'x' | 'y'> {
  return { x: Math.ceil(N / (4 * TS)), y: Math.ceil(M / (4 * TS)) };
}

export interface GpuMlpOptions {
  /** Steps one submit may hold (the loss history ring). */
  historyLength?: number;
  /** R: rows of one evaluation chunk. */
  evalRows?: number;
  /** Fold grids into 2-D past this many workgroups (default: the device's limit; lower in tests). */
  maxWorkgroupsPerDimension?: number;
  /** matmul's TS (default matmulTile). */
  tile?: number;
}

interface SplitBuffers {
  N: number;
  X: GPUBuffer;
  Y: GPUBuffer;
  /** (chunks·stride,) crossentropy partial sums of the evaluation. */
  partials: GPUBuffer | null;
  partialCount: number;
  dispatches: Dispatch[];
}

export class GpuMlpTrainer implements MlpTrainer {
  readonly device = 'gpu' as const;
  readonly deviceDescription: string;
  readonly V: number;
  readonly shape: MlpShape;
  private readonly buffers: GPUBuffer[] = [];
  private loop!: StepLoop;
  private splits!: Record<SplitName, SplitBuffers>;
  private P!: GPUBuffer;
  private checkpoint!: GPUBuffer;
  private history!: GPUBuffer;
  private indices!: GPUBuffer;
  /** Elements of the padded parameter vector. */
  private readonly padded: number;
  /** Wall time of each split's last evaluation: how long the next wait may be slept through. */
  private readonly evalMs: Record<SplitName, number> = { train: 0, dev: 0, test: 0 };

  private constructor(
    private readonly ctx: GpuContext,
    data: ContextData,
    private readonly hyper: MlpHyper,
    private readonly H: number,
  ) {
    this.deviceDescription = ctx.description;
    this.V = data.V;
    this.shape = mlpShape(data, hyper);
    this.padded = mlpParamCount(this.shape, GPU_PARAM_ALIGN);
  }

  static async create(ctx: GpuContext, data: ContextData, hyper: MlpHyper, opts: GpuMlpOptions = {}, initial?: ArrayLike<number>): Promise<GpuMlpTrainer> {
    checkContextData(data, hyper);
    checkDevice(ctx);
    const t = new GpuMlpTrainer(ctx, data, hyper, opts.historyLength ?? 1024);
    // Buffers, pipelines and bind groups are made once: a validation error here is a bug,
    // reported at once rather than at the first submit.
    ctx.device.pushErrorScope('validation');
    let failure: unknown = null;
    try {
      await t.build(data, opts, initial);
    } catch (e) {
      failure = e;
    }
    const error = await ctx.device.popErrorScope();
    if (!failure && error) failure = new Error(`GPU validation error while setting up the context model's trainer: ${error.message}`);
    if (failure) {
      t.dispose();
      throw failure;
    }
    return t;
  }

  private buffer(label: string, elements: number, usage = STORAGE, init?: ArrayBufferView): GPUBuffer {
    const bytes = 4 * elements;
    const limit = Math.min(this.ctx.device.limits.maxStorageBufferBindingSize, this.ctx.device.limits.maxBufferSize);
    if (bytes > limit) {
      throw new UserError(`the GPU buffer "${label}" needs ${bytes} bytes, above this device's limit of ${limit} bytes per storage binding; use a smaller model, batch or data set`);
    }
    const b = createBuffer(this.ctx, label, bytes, usage, init);
    this.buffers.push(b);
    return b;
  }

  private uniform(label: string, p: Partial<MlpUniform>): GPUBuffer {
    const b = mlpParamsBuffer(this.ctx, label, p);
    this.buffers.push(b);
    return b;
  }

  private async build(data: ContextData, opts: GpuMlpOptions, initial?: ArrayLike<number>): Promise<void> {
    const { ctx, shape, hyper, H: historyLength } = this;
    const { V, T, E, H } = shape;
    const TE = T * E;
    const B = hyper.batchSize;
    const limits = ctx.device.limits;
    const maxDim = Math.min(opts.maxWorkgroupsPerDimension ?? Infinity, limits.maxComputeWorkgroupsPerDimension);
    const TS = opts.tile ?? matmulTile(ctx);
    const widest = Math.max(TE, H, V);
    // R: large chunks, within one storage binding and the matmul grid's height.
    const R = Math.max(1, Math.min(opts.evalRows ?? 8192, Math.floor(limits.maxStorageBufferBindingSize / (4 * widest)), 4 * TS * limits.maxComputeWorkgroupsPerDimension));
    if (Math.ceil(Math.max(B, R, TE, H, V) / (4 * TS)) > limits.maxComputeWorkgroupsPerDimension) {
      throw new UserError(`the matrix products need more than ${limits.maxComputeWorkgroupsPerDimension} workgroups per dimension; use a smaller batch or model`);
    }

    // Parameters: the flat vector in the GPU layout, and a range of it per tensor.
    const table = mlpParamTable(shape, GPU_PARAM_ALIGN);
    const flat = initial ?? initMlpParams(shape, hyper.seed, Float32Array);
    if (flat.length !== mlpParamCount(shape)) throw new Error(`initial parameters: ${flat.length} values, the model has ${mlpParamCount(shape)}`);
    this.P = this.buffer('parameters', this.padded, STORAGE, padParams(flat, shape, GPU_PARAM_ALIGN));
    const grad = this.buffer('gradients', this.padded); // zero: the padding's gradient stays 0
    this.checkpoint = this.buffer('parameters checkpoint', this.padded);
    const range = (buffer: GPUBuffer, name: ParamName): GPUBufferBinding => {
      const e = table.find((t) => t.name === name)!;
      return { buffer, offset: 4 * e.offset, size: 4 * e.size };
    };
    const [C, W1, b1, W2, b2] = (['C', 'W1', 'b1', 'W2', 'b2'] as const).map((n) => range(this.P, n));
    const [dC, dW1, db1, dW2, db2] = (['C', 'W1', 'b1', 'W2', 'b2'] as const).map((n) => range(grad, n));

    const examples = (name: SplitName, ex: ContextExamples): SplitBuffers => ({
      N: ex.Y.length,
      X: this.buffer(`X ${name}`, ex.X.length, STORAGE, ex.X),
      Y: this.buffer(`Y ${name}`, ex.Y.length, STORAGE, ex.Y),
      partials: null,
      partialCount: 0,
      dispatches: [],
    });
    this.splits = { train: examples('train', data.train), dev: examples('dev', data.dev), test: examples('test', data.test) };
    const train = this.splits.train;

    this.history = this.buffer('loss history', historyLength);
    const state = this.buffer('state (step, lr)', 2, STORAGE, new Uint32Array([0, 0]));
    this.indices = this.buffer('batch indices', B);
    const emb = this.buffer('emb', B * TE);
    const hpre = this.buffer('hpre', B * H);
    const h = this.buffer('h', B * H);
    const logits = this.buffer('logits', B * V);
    const probs = this.buffer('probs', B * V);
    const dlogits = this.buffer('dlogits', B * V);
    const dh = this.buffer('dh', B * H);
    const dhpre = this.buffer('dhpre', B * H);
    const demb = this.buffer('demb', B * TE);

    const W = MLP_WG;
    const pipe = (stem: string, wg: number, defines: Record<string, boolean> = {}) =>
      getPipeline(ctx, mlpKernel(stem, defines, stem === 'matmul' ? { TS: wg } : { WG: wg }));
    const [
      batchIndices, embIndexed, embRange, mmNN, mmTN, mmNT, biasAdd, tanhF, ceIndexed, ceRange, record, ceBackward, biasBackward,
      tanhB, embBackward, update, softmax,
    ] = await Promise.all([
      pipe('batch_indices', W.column), pipe('embedding_forward', W.element, { indexed: true }), pipe('embedding_forward', W.element, { indexed: false }),
      pipe('matmul', TS, { transA: false, transB: false }), pipe('matmul', TS, { transA: true, transB: false }), pipe('matmul', TS, { transA: false, transB: true }),
      pipe('bias_add', W.element), pipe('tanh_forward', W.element), pipe('crossentropy_forward', W.crossentropy, { indexed: true }),
      pipe('crossentropy_forward', W.crossentropy, { indexed: false }), pipe('mlp_loss_record', W.column), pipe('crossentropy_softmax_backward', W.element),
      pipe('bias_backward', W.column), pipe('tanh_backward', W.element), pipe('embedding_backward', W.column), pipe('mlp_sgd_update', W.element),
      // The bigram's row softmax serves as it is (its own uniform layout and V as a constant).
      getPipeline(ctx, { stem: 'softmax_forward', defines: { V }, overrides: { WG: W.column } }),
    ]);
    const dispatch = (pipeline: GPUComputePipeline, label: string, grid: Pick<Grid, 'x' | 'y'>, buffers: (GPUBuffer | GPUBufferBinding | null)[]): Dispatch =>
      ({ stem: label, pipeline, grid, bind: bindGroup(ctx, pipeline, label, buffers) });
    const elementwise = (count: number, wg: number) => foldGrid(count, wg, maxDim);
    /** matmul: out (M, N) = op(A)·op(B), summed over K. */
    const matmul = (pipeline: GPUComputePipeline, label: string, M: number, K: number, N: number, a: GPUBuffer | GPUBufferBinding, b: GPUBuffer | GPUBufferBinding, out: GPUBuffer | GPUBufferBinding) =>
      dispatch(pipeline, label, matmulGrid(M, N, TS), [this.uniform(`params ${label}`, { M, K, N }), a, b, out]);
    const shaped = (pipeline: GPUComputePipeline, label: string, M: number, N: number, wg: number, buffers: (GPUBuffer | GPUBufferBinding)[], extra: Partial<MlpUniform> = {}) => {
      const grid = elementwise(M * N, wg);
      return dispatch(pipeline, label, grid, [this.uniform(`params ${label}`, { M, N, rowStride: grid.rowStride, ...extra }), ...buffers]);
    };
    /** bias_backward: one thread per column of an (M, N) input. */
    const columns = (pipeline: GPUComputePipeline, label: string, M: number, N: number, buffers: (GPUBuffer | GPUBufferBinding)[]) => {
      const grid = elementwise(N, W.column);
      return dispatch(pipeline, label, grid, [this.uniform(`params ${label}`, { M, N, rowStride: grid.rowStride }), ...buffers]);
    };
    const rowSoftmax = (label: string, n: number, input: GPUBuffer, output: GPUBuffer) => {
      const grid = foldGrid(n, W.column, maxDim);
      const p = paramsBuffer(ctx, `params ${label}`, { n, total: n, chunkSize: 1, historyLength: 1, lr: 0, reg: 0, seed: 0, rowStride: grid.rowStride, maxChunks: 0 });
      this.buffers.push(p);
      return dispatch(softmax, label, grid, [p, input, output]);
    };

    const schedule = mlpSchedule(hyper);
    const indicesGrid = foldGrid(B, W.column, maxDim);
    const ceGrid = foldGrid(B, W.crossentropy, maxDim);
    const lossPartials = this.buffer('loss partial sums', ceGrid.x * ceGrid.y);
    const embGrid = elementwise(B * TE, W.element);
    const ceBackGrid = elementwise(B * V, W.element);
    const dCGrid = elementwise(V * E, W.column);
    this.loop = new StepLoop(ctx, 'mlp', { weights: this.P, checkpoint: this.checkpoint, weightBytes: 4 * this.padded, history: this.history, H: this.H });
    this.loop.dispatches = [
      dispatch(batchIndices, 'batch_indices', indicesGrid, [
        this.uniform('params batch_indices', { n: B, total: train.N, seed: hyper.seed, rowStride: indicesGrid.rowStride }), this.indices, state]),
      dispatch(embIndexed, 'embedding_forward', embGrid, [
        this.uniform('params embedding_forward', { n: B, T, E, rowStride: embGrid.rowStride }), train.X, this.indices, C, emb]),
      matmul(mmNN, 'matmul emb·W1', B, TE, H, emb, W1, hpre),
      shaped(biasAdd, 'bias_add b1', B, H, W.element, [b1, hpre]),
      shaped(tanhF, 'tanh_forward', B, H, W.element, [hpre, h]),
      matmul(mmNN, 'matmul h·W2', B, H, V, h, W2, logits),
      shaped(biasAdd, 'bias_add b2', B, V, W.element, [b2, logits]),
      rowSoftmax('softmax_forward', B, logits, probs),
      dispatch(ceIndexed, 'crossentropy_forward', ceGrid, [
        this.uniform('params crossentropy_forward', { n: B, V, rowStride: ceGrid.rowStride }), train.Y, this.indices, logits, lossPartials]),
      dispatch(record, 'mlp_loss_record', { x: 1, y: 1 }, [
        this.uniform('params mlp_loss_record', { n: B, partials: ceGrid.x * ceGrid.y, historyLength, ...schedule }), lossPartials, this.history, state]),
      dispatch(ceBackward, 'crossentropy_softmax_backward', ceBackGrid, [
        this.uniform('params crossentropy_softmax_backward', { n: B, V, rowStride: ceBackGrid.rowStride }), train.Y, this.indices, probs, dlogits]),
      matmul(mmTN, 'matmul hᵀ·dlogits', H, B, V, h, dlogits, dW2),
      columns(biasBackward, 'bias_backward b2', B, V, [dlogits, db2]),
      matmul(mmNT, 'matmul dlogits·W2ᵀ', B, V, H, dlogits, W2, dh),
      shaped(tanhB, 'tanh_backward', B, H, W.element, [dh, h, dhpre]),
      matmul(mmTN, 'matmul embᵀ·dhpre', TE, B, H, emb, dhpre, dW1),
      columns(biasBackward, 'bias_backward b1', B, H, [dhpre, db1]),
      matmul(mmNT, 'matmul dhpre·W1ᵀ', B, H, TE, dhpre, W1, demb),
      dispatch(embBackward, 'embedding_backward', dCGrid, [
        this.uniform('params embedding_backward', { n: B, T, E, V, rowStride: dCGrid.rowStride }), train.X, this.indices, demb, dC]),
      shaped(update, 'mlp_sgd_update', 1, this.padded, W.element, [grad, this.P, state]),
    ];

    // Evaluation: the forward over a split in chunks of R rows, up to the logits, and their
    // NLL; the middle kernels run on all R rows (crossentropy_forward ignores the rows past a
    // short last chunk).
    const Rmax = Math.min(R, Math.max(...Object.values(this.splits).map((s) => s.N), 1));
    const embE = this.buffer('emb (evaluation)', Rmax * TE);
    const hpreE = this.buffer('hpre (evaluation)', Rmax * H);
    const hE = this.buffer('h (evaluation)', Rmax * H);
    const logitsE = this.buffer('logits (evaluation)', Rmax * V);
    const middle = [
      matmul(mmNN, 'eval matmul emb·W1', Rmax, TE, H, embE, W1, hpreE),
      shaped(biasAdd, 'eval bias_add b1', Rmax, H, W.element, [b1, hpreE]),
      shaped(tanhF, 'eval tanh_forward', Rmax, H, W.element, [hpreE, hE]),
      matmul(mmNN, 'eval matmul h·W2', Rmax, H, V, hE, W2, logitsE),
      shaped(biasAdd, 'eval bias_add b2', Rmax, V, W.element, [b2, logitsE]),
    ];
    for (const [name, split] of Object.entries(this.splits) as [SplitName, SplitBuffers][]) {
      if (split.N === 0) continue;
      const chunks = Math.ceil(split.N / Rmax);
      const grids = Array.from({ length: chunks }, (_, c) => foldGrid(Math.min(Rmax, split.N - c * Rmax), W.crossentropy, maxDim));
      const stride = Math.max(...grids.map((g) => g.x * g.y));
      split.partialCount = chunks * stride;
      split.partials = this.buffer(`loss partial sums (${name})`, split.partialCount);
      for (let c = 0; c < chunks; c++) {
        const first = c * Rmax;
        const n = Math.min(Rmax, split.N - first);
        const eg = elementwise(n * TE, W.element);
        split.dispatches.push(
          dispatch(embRange, `eval embedding_forward ${name} ${c}`, eg, [
            this.uniform(`params eval embedding_forward ${name} ${c}`, { n, first, T, E, rowStride: eg.rowStride }), split.X, null, C, embE]),
          ...middle,
          dispatch(ceRange, `eval crossentropy_forward ${name} ${c}`, grids[c], [
            this.uniform(`params eval crossentropy_forward ${name} ${c}`, { n, first, V, partial: c * stride, rowStride: grids[c].rowStride }),
            split.Y, null, logitsE, split.partials]),
        );
      }
    }
  }

  /** Dispatches per training step. */
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
    return unpadParams(new Float32Array(await readBuffer(this.ctx, this.P, 4 * this.padded)), this.shape, GPU_PARAM_ALIGN);
  }

  async readCheckpoint(): Promise<Float32Array> {
    return unpadParams(new Float32Array(await readBuffer(this.ctx, this.checkpoint, 4 * this.padded)), this.shape, GPU_PARAM_ALIGN);
  }

  /** The minibatch of the last step taken, (B,). */
  async readBatchIndices(): Promise<Uint32Array> {
    return new Uint32Array(await readBuffer(this.ctx, this.indices, 4 * this.hyper.batchSize));
  }

  async evaluate(): Promise<LossParts> {
    const loss = await this.evaluateSplit('train');
    return { loss, nll: loss };
  }

  async evaluateSplit(name: SplitName): Promise<number> {
    checkDevice(this.ctx);
    const split = this.splits[name];
    if (split.N === 0 || !split.partials) return NaN;
    const t0 = performance.now();
    const encoder = this.ctx.device.createCommandEncoder({ label: `evaluate ${name}` });
    const pass = encoder.beginComputePass({ label: `evaluate ${name}` });
    encodeDispatches(pass, split.dispatches);
    pass.end();
    this.ctx.device.queue.submit([encoder.finish()]);
    const partials = new Float32Array(await readBuffer(this.ctx, split.partials, 4 * split.partialCount, 0, 0.9 * this.evalMs[name]));
    this.evalMs[name] = performance.now() - t0;
    let sum = 0;
    for (const p of partials) sum += p;
    return sum / split.N;
  }

  dispose(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}
