/**
 * Any neural model (a NetSpec) trained on the CPU by its ops' twins: parameters in float32
 * (the GPU's precision) or float64 (the ground truth in tests), sums in float64. The same
 * minibatches as the GPU (batchIndicesCpu), the same optimiser.
 */
import type { ContextData, SplitName } from '../data/contexts.ts';
import type { LossParts } from '../models/bigramNet.ts';
import type { Floats } from '../ops/op.ts';
import { adamwUpdateCpu, scheduledLr, sgdUpdateCpu } from '../ops/optimizers.ts';
import { rangeRows } from '../ops/rows.ts';
import { batchIndicesCpu } from '../train/cpuTrainer.ts';
import { cpuDescription } from '../train/platform.ts';
import type { EvalProgress, MlpTrainer } from '../train/trainer.ts';
import { CpuProgram, type CpuData } from './cpuProgram.ts';
import type { TensorLayout } from './layout.ts';
import { checkInitial, checkTrainSplit, targetsOf, type NetSpec } from './netSpec.ts';

/** Rows of one evaluation chunk at most, and the floats of activations it may hold (a few MB). */
const EVAL_ROWS = 1024;
const EVAL_ACTIVATIONS = 1 << 22;
/** Milliseconds between turns of the event loop during an evaluation. */
const EVAL_YIELD_MS = 100;

export class CpuNetTrainer implements MlpTrainer {
  readonly device = 'cpu' as const;
  readonly deviceDescription = cpuDescription();
  readonly V: number;
  step = 0;
  readonly layout: TensorLayout;
  /** The parameters (packed layout). */
  readonly params: Floats;
  private checkpoint: Floats;
  private readonly grads: Floats;
  private readonly m: Floats;
  private readonly v: Floats;
  /** The last step's minibatch, (B,). */
  readonly batch: Uint32Array;
  private readonly program: CpuProgram;
  private readonly evalPrograms = new Map<number, CpuProgram>();
  private evalRows: number | undefined;
  private readonly splits: Record<SplitName, CpuData>;

  constructor(
    private readonly spec: NetSpec,
    private readonly data: ContextData,
    private readonly make: new (n: number) => Floats = Float32Array,
    initial?: ArrayLike<number>,
  ) {
    checkTrainSplit(data, spec.label);
    this.V = data.V;
    const graph = spec.graph(spec.batchSize);
    this.layout = graph.paramLayout();
    if (initial) checkInitial(initial, this.layout);
    this.params = initial ? new make(this.layout.size) : spec.init(this.layout, make);
    if (initial) this.params.set(initial);
    this.checkpoint = this.params.slice();
    this.grads = new make(this.layout.size);
    this.m = new make(spec.optimizer.kind === 'adamw' ? this.layout.size : 0);
    this.v = new make(spec.optimizer.kind === 'adamw' ? this.layout.size : 0);
    this.batch = new Uint32Array(spec.batchSize);
    this.program = new CpuProgram(graph, this.params, this.layout, this.grads, make);
    const split = (name: SplitName): CpuData => ({ tokens: data[name].X, targets: targetsOf(data[name]) });
    this.splits = { train: split('train'), dev: split('dev'), test: split('test') };
  }

  async runSteps(count: number): Promise<Float32Array> {
    const { optimizer, seed } = this.spec;
    const losses = new Float32Array(count);
    const N = this.data.train.Y.length / (this.data.targetsPerExample ?? 1);
    this.checkpoint = this.params.slice();
    for (let s = 0; s < count; s++) {
      batchIndicesCpu(seed, this.step, this.batch.length, N, this.batch);
      this.grads.fill(0);
      const { sum, count: valid } = this.program.run(this.splits.train, this.batch, true);
      losses[s] = valid > 0 ? sum / valid : NaN;
      const lr = scheduledLr(this.step, optimizer);
      if (optimizer.kind === 'sgd') sgdUpdateCpu(this.params, this.grads, Math.fround(lr));
      else adamwUpdateCpu(this.params, this.grads, this.m, this.v, this.step + 1, Math.fround(lr), optimizer);
      this.step++;
    }
    return losses;
  }

  async readWeights(): Promise<Float32Array> {
    return Float32Array.from(this.params);
  }

  async readCheckpoint(): Promise<Float32Array> {
    return Float32Array.from(this.checkpoint);
  }

  async evaluate(): Promise<LossParts> {
    const loss = await this.evaluateSplit('train');
    return { loss, nll: loss };
  }

  /** Mean NLL over a whole split: the training forward on chunks of rows, without its backward. */
  async evaluateSplit(name: SplitName, onProgress?: EvalProgress, signal?: AbortSignal): Promise<number> {
    const N = this.data[name].Y.length / (this.data.targetsPerExample ?? 1);
    let sum = 0;
    let valid = 0;
    let yielded = performance.now();
    this.evalRows ??= Math.max(1, Math.min(EVAL_ROWS, Math.floor(EVAL_ACTIVATIONS / Math.max(1, this.spec.graph(1).activationLayout().size))));
    for (let first = 0; first < N; first += this.evalRows) {
      if (signal?.aborted) return NaN;
      const n = Math.min(this.evalRows, N - first);
      let program = this.evalPrograms.get(n);
      if (!program) {
        program = new CpuProgram(this.spec.graph(n), this.params, this.layout, null, this.make);
        this.evalPrograms.set(n, program);
      }
      const loss = program.run(this.splits[name], rangeRows(first, n), false);
      sum += loss.sum;
      valid += loss.count;
      onProgress?.(first + n, N);
      // Now and then a turn of the event loop, so that progress is drawn and Ctrl-C is seen.
      if ((onProgress || signal) && performance.now() - yielded > EVAL_YIELD_MS) {
        await new Promise((r) => setTimeout(r, 0));
        yielded = performance.now();
      }
    }
    return valid > 0 ? sum / valid : NaN;
  }

  dispose(): void {}
}
