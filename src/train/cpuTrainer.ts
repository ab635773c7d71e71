/** The neural bigram trained on the CPU (float32 weights, float64 sums): the reference trainer. */
import { cpuDescription } from './platform.ts';
import {
  bigramNetLossAndGrad, initBigramWeights, sgdUpdateCpu, type LossParts, type Weights,
} from '../models/bigramNet.ts';
import { packPairs, pairX, pairY } from '../models/bigramOps.ts';
import { Random, Stream, u32ToIndex } from '../random/philox.ts';
import type { BigramNetHyper } from './hyper.ts';
import type { BigramTrainer } from './trainer.ts';

export interface BigramData {
  V: number;
  xs: Uint32Array; // (N,)
  ys: Uint32Array; // (N,)
}

/**
 * The minibatch of `step`: identical on every device (see shaders/batch_indices.wgsl). Slot b
 * is batchIndex(seed, step, B, b, n), read in order from the batch stream: one Philox block
 * gives four slots.
 */
export function batchIndicesCpu(seed: number, step: number, batchSize: number, n: number, out: Uint32Array = new Uint32Array(batchSize)): Uint32Array {
  const r = new Random(seed, Stream.batch, step * batchSize);
  for (let b = 0; b < batchSize; b++) out[b] = u32ToIndex(r.nextU32(), n);
  return out;
}

export class CpuBigramTrainer implements BigramTrainer {
  readonly device = 'cpu' as const;
  readonly deviceDescription = cpuDescription();
  readonly V: number;
  step = 0;
  readonly W: Weights; // (V, V)
  private checkpoint: Weights;
  private readonly grad: Float64Array; // (V, V)
  // Minibatches: the examples packed x | y << 16 (one cache miss per drawn example, not two),
  // and the batch gathered from them so that the step reads it in order.
  private readonly minibatch: {
    indices: Uint32Array; // (B,)
    pairs: Uint32Array; // (N,)
    xs: Uint32Array; // (B,)
    ys: Uint32Array; // (B,)
  } | null;

  constructor(
    private readonly data: BigramData,
    private readonly hyper: BigramNetHyper,
    /** Float64Array makes this the float64 ground truth used in tests. */
    precision: new (n: number) => Weights = Float32Array,
    initial?: ArrayLike<number>,
  ) {
    this.V = data.V;
    this.W = initial ? new precision(this.V * this.V) : initBigramWeights(this.V, hyper.seed, precision);
    if (initial) this.W.set(initial);
    this.checkpoint = this.W.slice();
    this.grad = new Float64Array(this.V * this.V);
    const B = hyper.batchSize;
    this.minibatch = B > 0
      ? { indices: new Uint32Array(B), pairs: packPairs(data.xs, data.ys), xs: new Uint32Array(B), ys: new Uint32Array(B) }
      : null;
  }

  async runSteps(count: number): Promise<Float32Array> {
    const { xs, ys } = this.data;
    const losses = new Float32Array(count);
    this.checkpoint = this.W.slice();
    const mb = this.minibatch;
    for (let s = 0; s < count; s++) {
      if (mb) {
        batchIndicesCpu(this.hyper.seed, this.step, mb.indices.length, xs.length, mb.indices);
        for (let b = 0; b < mb.indices.length; b++) {
          const e = mb.pairs[mb.indices[b]];
          mb.xs[b] = pairX(e);
          mb.ys[b] = pairY(e);
        }
      }
      // The gathered batch gives the same numbers as passing its indices: the same examples in the same order.
      losses[s] = bigramNetLossAndGrad(this.W, this.V, mb ? mb.xs : xs, mb ? mb.ys : ys, null, this.hyper.reg, this.grad).loss;
      sgdUpdateCpu(this.W, this.grad, this.hyper.lr);
      this.step++;
    }
    return losses;
  }

  async readWeights(): Promise<Float32Array> {
    return Float32Array.from(this.W);
  }

  async readCheckpoint(): Promise<Float32Array> {
    return Float32Array.from(this.checkpoint);
  }

  async evaluate(): Promise<LossParts> {
    return bigramNetLossAndGrad(this.W, this.V, this.data.xs, this.data.ys, null, this.hyper.reg, null);
  }

  dispose(): void {}
}
