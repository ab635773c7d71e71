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
 * A split is evaluated by the same forward recorded on chunks of R examples, its partial sums
 * read back once and added in float64.
 */
import { UserError } from '../errors.ts';
import type { ContextData, ContextExamples, SplitName } from '../data/contexts.ts';
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
import type { MlpTrainer } from '../train/trainer.ts';
import { encodeGraph } from './gpuProgram.ts';
import { GPU_ALIGN, type TensorLayout } from './layout.ts';
import type { Graph } from './graph.ts';
import { checkInitial, checkTrainSplit, type NetSpec } from './netSpec.ts';

/** Floats of activations an evaluation chunk may hold (64 MB): a few MB for the MLP's 8,192 rows, far more for a Transformer's. */
const EVAL_ACTIVATIONS = 1 << 24;

export interface GpuNetOptions {
  /** Steps one submit may hold (the loss history ring). */
  historyLength?: number;
  /** R: rows of one evaluation chunk. */
  evalRows?: number;
  /** Fold grids into 2-D past this many workgroups (default: the device's limit; lower in tests). */
  maxWorkgroupsPerDimension?: number;
  /** matmul's tiles (default matmulConfig for the adapter). */
  matmul?: MatmulConfig;
}

interface SplitBuffers {
  N: number;
  X: GPUBuffer;
  Y: GPUBuffer;
  /** (2·pairs,) crossentropy partial pairs of the evaluation. */
  partials: GPUBuffer | null;
  pairs: number;
  dispatches: Dispatch[];
}

export class GpuNetTrainer implements MlpTrainer {
  readonly device = 'gpu' as const;
  readonly deviceDescription: string;
  readonly V: number;
  private readonly buffers: GPUBuffer[] = [];
  private readonly enc: OpEncoder;
  private loop!: StepLoop;
  private splits!: Record<SplitName, SplitBuffers>;
  private P!: GPUBuffer;
  private checkpoint!: GPUBuffer;
  private indices!: GPUBuffer;
  /** The parameters' packed layout (model files, readWeights) and the GPU's (aligned). */
  readonly layout: TensorLayout;
  private readonly gpuLayout: TensorLayout;
  private readonly evalMs: Record<SplitName, number> = { train: 0, dev: 0, test: 0 };

  private constructor(
    private readonly ctx: GpuContext,
    private readonly spec: NetSpec,
    data: ContextData,
    private readonly historyLength: number,
    maxPerDim: number,
  ) {
    this.deviceDescription = ctx.description;
    this.V = data.V;
    this.enc = new OpEncoder(ctx, maxPerDim);
    this.layout = spec.graph(1).paramLayout();
    this.gpuLayout = this.layout.aligned(GPU_ALIGN);
  }

  static async create(ctx: GpuContext, spec: NetSpec, data: ContextData, opts: GpuNetOptions = {}, initial?: ArrayLike<number>): Promise<GpuNetTrainer> {
    checkTrainSplit(data, spec.label);
    checkDevice(ctx);
    const t = new GpuNetTrainer(ctx, spec, data, opts.historyLength ?? 1024, opts.maxWorkgroupsPerDimension ?? Infinity);
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
    const limit = Math.min(this.ctx.device.limits.maxStorageBufferBindingSize, this.ctx.device.limits.maxBufferSize);
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
    const limits = ctx.device.limits;

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
    const examples = (name: SplitName, ex: ContextExamples): SplitBuffers => ({
      N: ex.Y.length / P, X: this.buffer(`X ${name}`, ex.X.length, ex.X), Y: this.buffer(`Y ${name}`, ex.Y.length, ex.Y), partials: null, pairs: 0, dispatches: [],
    });
    this.splits = { train: examples('train', data.train), dev: examples('dev', data.dev), test: examples('test', data.test) };
    const train = this.splits.train;

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

    // Evaluation: the forward on chunks of R examples (the last one shorter), its loss's
    // partial pairs side by side in one buffer per split. R: large chunks, each activation
    // within one storage binding, all of them within EVAL_ACTIVATIONS floats.
    const perRow = spec.graph(1).activations;
    const widest = Math.max(...perRow.map((a) => a.size), 1);
    const total = perRow.reduce((s, a) => s + a.size, 0);
    const R = Math.max(1, Math.min(opts.evalRows ?? 8192, Math.floor(limits.maxStorageBufferBindingSize / (4 * widest)), Math.floor(EVAL_ACTIVATIONS / Math.max(1, total))));
    const Rmax = Math.min(R, Math.max(...Object.values(this.splits).map((s) => s.N), 1));
    const evalActs = own('evaluation ', spec.graph(Rmax).activations);
    const graphs = new Map<number, Graph>();
    for (const [name, split] of Object.entries(this.splits) as [SplitName, SplitBuffers][]) {
      if (split.N === 0) continue;
      const chunks = Math.ceil(split.N / Rmax);
      const firstPair: number[] = [];
      for (let c = 0; c < chunks; c++) {
        firstPair.push(split.pairs);
        split.pairs += crossentropyPartials(Math.min(Rmax, split.N - c * Rmax) * P);
      }
      split.partials = this.buffer(`loss partial pairs (${name})`, 2 * split.pairs);
      for (let c = 0; c < chunks; c++) {
        const first = c * Rmax;
        const n = Math.min(Rmax, split.N - first);
        if (!graphs.has(n)) graphs.set(n, spec.graph(n));
        const encoded = await encodeGraph(graphs.get(n)!, enc, matmul, {
          params: this.P, paramLayout: gpuLayout, paramGrads: null, activation: (a) => evalActs.get(a)!, activationGrad: () => { throw new Error('evaluation has no gradients'); },
          data: { tokens: split.X, targets: split.Y, indices: null, first }, state, partials: { buffer: split.partials, first: firstPair[c] },
        });
        split.dispatches.push(...encoded.forward);
      }
    }
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
    const raw = await readBuffer(this.ctx, split.partials, 8 * split.pairs, 0, 0.9 * this.evalMs[name]);
    this.evalMs[name] = performance.now() - t0;
    const sums = new Float32Array(raw);
    const counts = new Uint32Array(raw);
    let sum = 0;
    let valid = 0;
    for (let p = 0; p < split.pairs; p++) {
      sum += sums[2 * p];
      valid += counts[2 * p + 1];
    }
    return valid > 0 ? sum / valid : NaN;
  }

  dispose(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
    this.enc.dispose();
  }
}
