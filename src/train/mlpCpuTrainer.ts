/** The context model trained on the CPU (float32 parameters, float64 sums): the reference trainer. */
import type { ContextData, SplitName } from '../data/contexts.ts';
import {
  initMlpParams, mlpDecayStep, mlpLearningRate, mlpLossAndGrad, mlpParamCount, mlpSgdStep, MlpWorkspace, type MlpShape, type Params,
} from '../models/mlp.ts';
import type { LossParts } from '../models/bigramNet.ts';
import { UserError } from '../errors.ts';
import { batchIndicesCpu } from './cpuTrainer.ts';
import type { MlpHyper } from './hyper.ts';
import { cpuDescription } from './platform.ts';
import type { MlpTrainer } from './trainer.ts';

export function mlpShape(data: Pick<ContextData, 'V' | 'T'>, hyper: Pick<MlpHyper, 'embed' | 'hidden'>): MlpShape {
  return { V: data.V, T: data.T, E: hyper.embed, H: hyper.hidden };
}

/** The schedule of a run, with the learning rates as float32 (as the GPU holds them). */
export function mlpSchedule(hyper: Pick<MlpHyper, 'lr' | 'lrFinal' | 'steps'>): { lr: number; lrFinal: number; decayStep: number } {
  return { lr: Math.fround(hyper.lr), lrFinal: Math.fround(hyper.lrFinal), decayStep: mlpDecayStep(hyper.steps) };
}

/** Minibatches are drawn from the train split: it must hold at least one example. */
export function checkContextData(data: ContextData, hyper: Pick<MlpHyper, 'blockSize'>): void {
  if (data.T !== hyper.blockSize) throw new Error(`context data of block size ${data.T}, the model's is ${hyper.blockSize}`);
  if (data.train.Y.length === 0) {
    throw new UserError('the train split is empty: the context model needs at least 2 words (80% of them train it)');
  }
}

export class CpuMlpTrainer implements MlpTrainer {
  readonly device = 'cpu' as const;
  readonly deviceDescription = cpuDescription();
  readonly V: number;
  readonly shape: MlpShape;
  step = 0;
  /** The flat parameter vector (layout: mlpParamTable). */
  readonly params: Params;
  private checkpoint: Params;
  private readonly grad: Float64Array;
  /** The last step's minibatch, (B,). */
  readonly batch: Uint32Array;
  private readonly ws: MlpWorkspace;
  private readonly schedule: { lr: number; lrFinal: number; decayStep: number };

  constructor(
    private readonly data: ContextData,
    private readonly hyper: MlpHyper,
    /** Float64Array makes this the float64 ground truth used in tests. */
    precision: new (n: number) => Params = Float32Array,
    initial?: ArrayLike<number>,
  ) {
    checkContextData(data, hyper);
    this.V = data.V;
    this.shape = mlpShape(data, hyper);
    const P = mlpParamCount(this.shape);
    this.params = initial ? new precision(P) : initMlpParams(this.shape, hyper.seed, precision);
    if (initial) {
      if (initial.length !== P) throw new Error(`initial parameters: ${initial.length} values, the model has ${P}`);
      this.params.set(initial);
    }
    this.checkpoint = this.params.slice();
    this.grad = new Float64Array(P);
    this.batch = new Uint32Array(hyper.batchSize);
    this.ws = new MlpWorkspace(this.shape);
    this.schedule = mlpSchedule(hyper);
  }

  async runSteps(count: number): Promise<Float32Array> {
    const { X, Y } = this.data.train;
    const losses = new Float32Array(count);
    this.checkpoint = this.params.slice();
    for (let s = 0; s < count; s++) {
      batchIndicesCpu(this.hyper.seed, this.step, this.batch.length, Y.length, this.batch);
      losses[s] = mlpLossAndGrad(this.params, this.shape, X, Y, this.batch, this.grad, this.ws);
      mlpSgdStep(this.params, this.grad, mlpLearningRate(this.step, this.schedule));
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

  async evaluateSplit(split: SplitName): Promise<number> {
    const { X, Y } = this.data[split];
    return Y.length === 0 ? NaN : mlpLossAndGrad(this.params, this.shape, X, Y, null, null, this.ws);
  }

  dispose(): void {}
}
