/**
 * The context model's next-symbol distributions and samples, by the same forward the
 * trainers run (one row, no loss), on the CPU in float64.
 */
import { CpuProgram } from '../../nn/cpuProgram.ts';
import { softmaxForwardCpu } from '../../ops/softmax.ts';
import { Random, Stream } from '../../random/philox.ts';
import { mlpGraph, type MlpShape } from './net.ts';
import { DEFAULT_SAMPLE_OPTIONS, shapeDistribution, type SampleOptions } from '../sequenceSample.ts';

/** A one-row forward of the model, reused across calls. */
export class MlpPredictor {
  private readonly program: CpuProgram;
  private readonly tokens: Uint32Array;
  private readonly rows = new Uint32Array(1);
  private readonly targets = new Int32Array(1);

  constructor(P: ArrayLike<number>, readonly shape: MlpShape) {
    const g = mlpGraph(shape, 1, false);
    const layout = g.paramLayout();
    this.program = new CpuProgram(g, Float64Array.from(P), layout, null, Float64Array);
    this.tokens = new Uint32Array(shape.T);
  }

  /** The next-symbol distribution after `context` (T tokens, oldest first). */
  next(context: ArrayLike<number>): Float64Array {
    this.tokens.set(context);
    this.program.run({ tokens: this.tokens, targets: this.targets }, this.rows, false);
    const probs = new Float64Array(this.shape.V);
    softmaxForwardCpu(probs, this.program.activation('logits'), 1, this.shape.V);
    return probs;
  }
}

export function mlpNextProbs(P: ArrayLike<number>, s: MlpShape, context: ArrayLike<number>): Float64Array {
  return new MlpPredictor(P, s).next(context);
}

/**
 * A (V, V) table for views made for bigrams (heatmaps): row x is the next-symbol distribution
 * after the context (boundary…, x), i.e. x just after the start of a word; row 0 is the start.
 */
export function mlpBigramView(P: ArrayLike<number>, s: MlpShape): Float64Array {
  const probs = new Float64Array(s.V * s.V);
  const context = new Uint32Array(s.T);
  const predict = new MlpPredictor(P, s);
  for (let x = 0; x < s.V; x++) {
    context[s.T - 1] = x;
    probs.set(predict.next(context), x * s.V);
  }
  return probs;
}

/** Token sequences sampled from the model, each started with a context of boundary tokens and ended by one. */
export function sampleMlpTokens(P: ArrayLike<number>, s: MlpShape, count: number, seed: number, maxLength: number, o: SampleOptions = DEFAULT_SAMPLE_OPTIONS): number[][] {
  const rng = new Random(seed, Stream.sample);
  const predict = new MlpPredictor(P, s);
  const out: number[][] = [];
  for (let n = 0; n < count; n++) {
    const context = new Array<number>(s.T).fill(0);
    const tokens: number[] = [];
    while (tokens.length < maxLength) {
      const x = rng.categorical(shapeDistribution(predict.next(context), o));
      if (x === 0) break;
      tokens.push(x);
      context.shift();
      context.push(x);
    }
    out.push(tokens);
  }
  return out;
}
