/**
 * Any neural model (a NetSpec) trained on the GPU. Everything is allocated and bound once; a
 * training step is a fixed list of dispatches recorded into one compute pass, many steps per
 * submit (StepLoop):
 *   batch_indices        the minibatch, drawn on the GPU (identical to the CPU's draw)
 *   fill_zero            every parameter's gradient (one flat buffer)
 *   the forward          the graph's nodes in order (gpuProgram.ts: a tanh fused into the
 *                        matmul before it), ending with crossentropy_forward
 *   loss_record          the step's loss into the history ring; the step counter advances
 *   the backward         the nodes in reverse, each adding into its inputs' gradients (an
 *                        activation's gradient is written by the first, added to by the rest)
 *   sgd_update | adamw_update   every parameter, one dispatch
 * A split is evaluated by the same forward recorded once on R rows, run on one chunk of R
 * examples after another (written in from the CPU), many chunks per submit; the partial sums of
 * each submit are read back and added in float64.
 */
import { UserError } from '../errors.ts';
import { SPLIT_NAMES, type ContextData, type SplitName } from '../data/contexts.ts';
import type { LossParts } from '../models/bigramNet.ts';
import { checkDevice, type GpuContext } from '../gpu/device.ts';
import { createBuffer, readBuffer, STORAGE } from '../gpu/kernels.ts';
import { encodeDispatches, StepLoop, type Dispatch } from '../gpu/stepLoop.ts';
import { batchIndicesDispatch } from '../ops/batch.ts';
import { crossentropyPartials, lossRecordDispatch } from '../ops/crossentropy.ts';
import { fillZeroDispatch } from '../ops/fillZero.ts';
import { OpEncoder } from '../ops/kernel.ts';
import { matmulConfig, type MatmulConfig } from '../ops/matmulTiling.ts';
import { optimizerDispatch } from '../ops/optimizers.ts';
import type { EvalProgress, MlpTrainer } from '../train/trainer.ts';
import { NO_TARGET } from '../data/sequences.ts';
import { encodeGraph } from './gpuProgram.ts';
import { GPU_ALIGN, type TensorLayout } from './layout.ts';
import { checkInitial, checkTrainSplit, type NetSpec } from './netSpec.ts';

/** Floats of activations an evaluation chunk may hold (64 MB): a few MB for the MLP's 8,192 rows, far more for a Transformer's. */
const EVAL_ACTIVATIONS = 1 << 24;
/** Evaluation chunks per submit at most, and the time a submit aims at (progress, and well under a browser's GPU watchdog). */
const EVAL_GROUP_MAX = 64;
const EVAL_SUBMIT_MS = 250;

export interface GpuNetOptions {
  /** Steps one submit may hold (the loss history ring). */
  historyLength?: number;
  /** R: rows of one evaluation chunk. */
  evalRows?: number;
  /** Fold grids into 2-D past this many workgroups (default: the device's limit; lower in tests). */
  maxWorkgroupsPerDimension?: number;
  /** matmul's tiles (default matmulConfig for the adapter). */
  matmul?: MatmulConfig;
  /** Bytes one buffer may hold (default: the device's limit; lower in tests). */
  maxBufferBytes?: number;
}

/** The evaluation's forward on R rows, recorded once, and its own buffers. */
interface EvalProgram {
  R: number;
  /** Targets (logits rows) per example, and tokens per example. */
  P: number;
  xPerExample: number;
  X: GPUBuffer; // (R, xPerExample) the chunk's examples
  Y: GPUBuffer; // (R, P) their targets; past the chunk's end the ignore index
  /** Chunks of one submit at most, and where their examples are written before it. */
  groupMax: number;
  uploadX: GPUBuffer; // (groupMax, R, xPerExample)
  uploadY: GPUBuffer; // (groupMax, R, P)
  /** (2·pairs,) the chunk's crossentropy partial pairs. */
  partials: GPUBuffer;
  pairs: number;
  dispatches: Dispatch[];
  noTargets: GPUBuffer; // (R, P) all NO_TARGET: copied over the tail of a short chunk
  group: GPUBuffer; // (groupMax, 2·pairs) the partial pairs of each chunk of a submit
}

export class GpuNetTrainer implements MlpTrainer {
  readonly device = 'gpu' as const;
  readonly deviceDescription: string;
  readonly V: number;
  private readonly buffers: GPUBuffer[] = [];
  private readonly enc: OpEncoder;
  private loop!: StepLoop;
  /** The examples on the CPU: each split's are written to the GPU a chunk at a time to be evaluated. */
  private readonly data: ContextData;
  /** Bytes one buffer may hold. */
  private readonly maxBytes: number;
  private P!: GPUBuffer;
  private checkpoint!: GPUBuffer;
  private indices!: GPUBuffer;
  /** The parameters' packed layout (model files, readWeights) and the GPU's (aligned). */
  readonly layout: TensorLayout;
  private readonly gpuLayout: TensorLayout;
  private eval!: EvalProgram;
  /** Chunks per evaluation submit (1 at a split's start, then grown or shrunk towards EVAL_SUBMIT_MS), and the last ms per chunk. */
  private evalGroup = 1;
  private evalMsPerChunk = 0;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly spec: NetSpec,
    data: ContextData,
    private readonly historyLength: number,
    maxPerDim: number,
    maxBytes: number,
  ) {
    this.deviceDescription = ctx.description;
    this.V = data.V;
    this.data = data;
    this.maxBytes = Math.min(maxBytes, ctx.device.limits.maxStorageBufferBindingSize, ctx.device.limits.maxBufferSize);
    this.enc = new OpEncoder(ctx, maxPerDim);
    this.layout = spec.graph(1).paramLayout();
    this.gpuLayout = this.layout.aligned(GPU_ALIGN);
  }

  static async create(ctx: GpuContext, spec: NetSpec, data: ContextData, opts: GpuNetOptions = {}, initial?: ArrayLike<number>): Promise<GpuNetTrainer> {
    checkTrainSplit(data, spec.label);
    checkDevice(ctx);
    const t = new GpuNetTrainer(ctx, spec, data, opts.historyLength ?? 1024, opts.maxWorkgroupsPerDimension ?? Infinity, opts.maxBufferBytes ?? Infinity);
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
    if (!failure && error) failure = new Error(`GPU validation error while setting up the ${spec.label} trainer: ${error.message}`);
    if (failure) {
      t.dispose();
      throw failure;
    }
    return t;
  }

  private buffer(label: string, elements: number, init?: ArrayBufferView): GPUBuffer {
    const bytes = 4 * elements;
    const limit = this.maxBytes;
    if (bytes > limit) {
      throw new UserError(`the GPU buffer "${label}" needs ${bytes} bytes, above this device's limit of ${limit} bytes per storage binding; use a smaller model, batch or data set`);
    }
    const b = createBuffer(this.ctx, label, bytes, STORAGE, init);
    this.buffers.push(b);
    return b;
  }

  private async build(data: ContextData, opts: GpuNetOptions, initial?: ArrayLike<number>): Promise<void> {
    const { ctx, spec, enc, layout, gpuLayout } = this;
    const B = spec.batchSize;
    const matmul = opts.matmul ?? matmulConfig(ctx.adapter.software);

    if (initial) checkInitial(initial, layout);
    const flat = initial ?? spec.init(layout, Float32Array);
    this.P = this.buffer('parameters', gpuLayout.size, gpuLayout.convert(flat, layout, Float32Array));
    this.checkpoint = this.buffer('parameters checkpoint', gpuLayout.size);
    const history = this.buffer('loss history', this.historyLength);
    const state = this.buffer('step state', 2, new Uint32Array([0, 0]));
    this.indices = this.buffer('batch indices', B);
    const m = spec.optimizer.kind === 'adamw' ? this.buffer('adamw m', gpuLayout.size) : undefined;
    const v = spec.optimizer.kind === 'adamw' ? this.buffer('adamw v', gpuLayout.size) : undefined;

    const P = data.targetsPerExample ?? 1; // logits rows per example
    // The train split lives on the GPU (the minibatches are drawn there); dev and test only pass through.
    const train = { N: data.train.Y.length / P, X: this.buffer('X train', data.train.X.length, data.train.X), Y: this.buffer('Y train', data.train.Y.length, data.train.Y) };

    // The training step.
    const graph = spec.graph(B);
    const own = (prefix: string, tensors: readonly { name: string; size: number }[]) =>
      new Map(tensors.map((t) => [t.name, this.buffer(`${prefix}${t.name}`, t.size)]));
    const acts = own('', graph.activations);
    const actGrads = own('d', graph.activations.filter((a) => a.requiresGrad));
    const grads = this.buffer('gradients', gpuLayout.size);
    const pairs = crossentropyPartials(B * P);
    const partials = this.buffer('loss partial pairs', 2 * pairs);
    const { forward, backward } = await encodeGraph(graph, enc, matmul, {
      params: this.P, paramLayout: gpuLayout, paramGrads: grads, activation: (n) => acts.get(n)!, activationGrad: (n) => actGrads.get(n)!,
      data: { tokens: train.X, targets: train.Y, indices: this.indices, first: 0 }, state, partials: { buffer: partials, first: 0 },
    });
    this.loop = new StepLoop(ctx, spec.label, { weights: this.P, checkpoint: this.checkpoint, weightBytes: 4 * gpuLayout.size, history, H: this.historyLength });
    this.loop.dispatches = [
      await batchIndicesDispatch(enc, { B, total: train.N, seed: spec.seed, indices: this.indices, state }),
      await fillZeroDispatch(enc, grads, gpuLayout.size),
      ...forward,
      await lossRecordDispatch(enc, { partials: pairs, historyLength: this.historyLength, partialBuffer: partials, history, state }),
      ...backward,
      await optimizerDispatch(enc, spec.optimizer, gpuLayout.size, { grad: grads, P: this.P, m, v, state }),
    ];

    // Evaluation: the forward recorded once on R rows, over buffers of its own. The chunks of
    // a submit (R examples each, of any split) are written to their slots of an upload buffer
    // before it; each is copied in (the last chunk's missing targets are the ignore index: they
    // add nothing), the forward run, and its partial pairs copied to the chunk's slot of a
    // group, read back after the submit. GPU memory and the recorded work stay the same
    // whatever the size of a split, and dev and test never need a buffer of their own.
    // R: large chunks, each activation within one storage binding, all of them within
    // EVAL_ACTIVATIONS floats.
    const perRow = spec.graph(1).activations;
    const widest = Math.max(...perRow.map((a) => a.size), 1);
    const total = perRow.reduce((s, a) => s + a.size, 0);
    const R = Math.max(1, Math.min(opts.evalRows ?? 8192, Math.floor(this.maxBytes / (4 * widest)), Math.floor(EVAL_ACTIVATIONS / Math.max(1, total))));
    const Rmax = Math.min(R, Math.max(...SPLIT_NAMES.map((n) => data[n].Y.length / P), 1));
    const xPerExample = data.train.X.length / train.N;
    const evalActs = own('evaluation ', spec.graph(Rmax).activations);
    const evalPairs = crossentropyPartials(Rmax * P);
    const X = this.buffer('evaluation X', Rmax * xPerExample);
    const Y = this.buffer('evaluation Y', Rmax * P);
    const evalPartials = this.buffer('evaluation loss partial pairs', 2 * evalPairs);
    const encoded = await encodeGraph(spec.graph(Rmax), enc, matmul, {
      params: this.P, paramLayout: gpuLayout, paramGrads: null, activation: (a) => evalActs.get(a)!, activationGrad: () => { throw new Error('evaluation has no gradients'); },
      data: { tokens: X, targets: Y, indices: null, first: 0 }, state, partials: { buffer: evalPartials, first: 0 },
    });
    const groupMax = Math.max(1, Math.min(EVAL_GROUP_MAX, Math.floor(this.maxBytes / (4 * Rmax * Math.max(xPerExample, P)))));
    this.eval = {
      R: Rmax, P, xPerExample, X, Y, partials: evalPartials, pairs: evalPairs, dispatches: encoded.forward, groupMax,
      uploadX: this.buffer('evaluation X of a group', groupMax * Rmax * xPerExample),
      uploadY: this.buffer('evaluation Y of a group', groupMax * Rmax * P),
      noTargets: this.buffer('evaluation ignored targets', Rmax * P, new Uint32Array(Rmax * P).fill(NO_TARGET)),
      group: this.buffer('evaluation partial pairs of a group', 2 * evalPairs * groupMax),
    };
  }

  /** Dispatches per training step. */
  get dispatchesPerStep(): number {
    return this.loop.dispatches.length;
  }

  get step(): number {
    return this.loop.step;
  }

  runSteps(count: number): Promise<Float32Array> {
    return this.loop.run(count);
  }

  private async readParams(buffer: GPUBuffer): Promise<Float32Array> {
    const padded = new Float32Array(await readBuffer(this.ctx, buffer, 4 * this.gpuLayout.size));
    return this.layout.convert(padded, this.gpuLayout, Float32Array);
  }

  readWeights(): Promise<Float32Array> {
    return this.readParams(this.P);
  }

  readCheckpoint(): Promise<Float32Array> {
    return this.readParams(this.checkpoint);
  }

  /** The minibatch of the last step taken, (B,). */
  async readBatchIndices(): Promise<Uint32Array> {
    return new Uint32Array(await readBuffer(this.ctx, this.indices, 4 * this.spec.batchSize));
  }

  async evaluate(): Promise<LossParts> {
    const loss = await this.evaluateSplit('train');
    return { loss, nll: loss };
  }

  /** Mean NLL over a whole split, a submit of chunks at a time; onProgress after each: examples done of N. */
  async evaluateSplit(name: SplitName, onProgress?: EvalProgress, signal?: AbortSignal): Promise<number> {
    checkDevice(this.ctx);
    const e = this.eval;
    // Views of an ArrayBuffer (as they are), which writeBuffer's declaration asks for.
    const { X: xs, Y: ys } = this.data[name] as { X: Uint32Array<ArrayBuffer>; Y: Uint32Array<ArrayBuffer> };
    const N = ys.length / e.P;
    if (N === 0) return NaN;
    const chunks = Math.ceil(N / e.R);
    let sum = 0;
    let valid = 0;
    // Each split starts with a submit of one chunk, so that its progress shows at once; the
    // submits then grow towards EVAL_SUBMIT_MS.
    this.evalGroup = 1;
    for (let c = 0; c < chunks; ) {
      if (signal?.aborted) return NaN;
      const k = Math.min(this.evalGroup, e.groupMax, chunks - c);
      const t0 = performance.now();
      const encoder = this.ctx.device.createCommandEncoder({ label: `evaluate ${name}` });
      for (let j = 0; j < k; j++) {
        const first = (c + j) * e.R;
        const n = Math.min(e.R, N - first);
        // Written before the submit, each chunk to its own slot; copied in as its turn comes.
        const [x, y] = [e.R * e.xPerExample, e.R * e.P];
        this.ctx.device.queue.writeBuffer(e.uploadX, 4 * j * x, xs, first * e.xPerExample, n * e.xPerExample);
        this.ctx.device.queue.writeBuffer(e.uploadY, 4 * j * y, ys, first * e.P, n * e.P);
        encoder.copyBufferToBuffer(e.uploadX, 4 * j * x, e.X, 0, 4 * n * e.xPerExample);
        encoder.copyBufferToBuffer(e.uploadY, 4 * j * y, e.Y, 0, 4 * n * e.P);
        if (n < e.R) encoder.copyBufferToBuffer(e.noTargets, 0, e.Y, 4 * n * e.P, 4 * (e.R - n) * e.P);
        const pass = encoder.beginComputePass({ label: `evaluate ${name}` });
        encodeDispatches(pass, e.dispatches);
        pass.end();
        encoder.copyBufferToBuffer(e.partials, 0, e.group, 8 * j * e.pairs, 8 * e.pairs);
      }
      this.ctx.device.queue.submit([encoder.finish()]);
      const raw = await readBuffer(this.ctx, e.group, 8 * k * e.pairs, 0, 0.9 * k * this.evalMsPerChunk);
      const sums = new Float32Array(raw);
      const counts = new Uint32Array(raw);
      for (let p = 0; p < k * e.pairs; p++) {
        sum += sums[2 * p];
        valid += counts[2 * p + 1];
      }
      c += k;
      this.evalMsPerChunk = (performance.now() - t0) / k;
      this.evalGroup = Math.max(1, Math.min(EVAL_GROUP_MAX, Math.round(EVAL_SUBMIT_MS / Math.max(this.evalMsPerChunk, 1e-3))));
      onProgress?.(Math.min(c * e.R, N), N);
    }
    return valid > 0 ? sum / valid : NaN;
  }

  dispose(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
    this.enc.dispose();
  }
}
