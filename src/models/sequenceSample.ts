/**
 * Sampling a causal sequence model (the Transformer, rnn, gru, bow), as makemore does: start
 * from token 0, run the sequence so far through the model (one CPU forward of one row,
 * float64), draw the next token from the last position's logits divided by the temperature
 * (and cut to the top k if asked), stop at the boundary or at the block size. (The context
 * model samples through shapeDistribution too.)
 */
import { CpuProgram } from '../nn/cpuProgram.ts';
import type { Graph } from '../nn/graph.ts';
import { Random, Stream } from '../random/philox.ts';

export interface SampleOptions {
  /** Logits are divided by it (1: the model's distribution). */
  temperature: number;
  /** Only the k most likely tokens may be drawn (0: all of them). */
  topK: number;
}

export const DEFAULT_SAMPLE_OPTIONS: SampleOptions = { temperature: 1, topK: 0 };

/**
 * A distribution reshaped by the temperature (p^(1/τ), renormalised: the logits divided by τ)
 * and cut to the top k (0: all); the identity at τ = 1, k = 0.
 */
export function shapeDistribution(p: Float64Array, o: SampleOptions): Float64Array {
  if (o.temperature === 1 && (o.topK <= 0 || o.topK >= p.length)) return p;
  const logits = Float64Array.from(p, (x) => Math.log(x) / o.temperature);
  if (o.topK > 0 && o.topK < p.length) {
    const cut = [...logits].sort((a, b) => b - a)[o.topK - 1];
    for (let v = 0; v < logits.length; v++) if (logits[v] < cut) logits[v] = -Infinity;
  }
  const m = Math.max(...logits);
  let sum = 0;
  const out = Float64Array.from(logits, (l) => {
    const e = Math.exp(l - m);
    sum += e;
    return e;
  });
  for (let v = 0; v < out.length; v++) out[v] /= sum;
  return out;
}

/** A model's forward on one row of T positions, without its loss; its logits are the activation 'logits' (T, V). */
export interface SequenceModelShape {
  V: number;
  T: number;
  graph(rows: number, withLoss: boolean): Graph;
}

/** A one-sequence forward of the model, reused across draws. */
export class SequencePredictor {
  private readonly program: CpuProgram;
  private readonly tokens: Uint32Array;
  private readonly targets: Int32Array;
  private readonly rows = new Uint32Array(1);

  constructor(P: ArrayLike<number>, readonly shape: SequenceModelShape) {
    const g = shape.graph(1, false);
    this.program = new CpuProgram(g, Float64Array.from(P), g.paramLayout(), null, Float64Array);
    this.tokens = new Uint32Array(shape.T);
    this.targets = new Int32Array(shape.T);
  }

  /** The next-token distribution after `prefix` (1 ≤ length ≤ T, starting with the boundary 0). */
  next(prefix: ArrayLike<number>): Float64Array {
    const { T, V } = this.shape;
    if (prefix.length < 1 || prefix.length > T) throw new Error(`a prefix of ${prefix.length} tokens: 1 to ${T}`);
    this.tokens.fill(0);
    this.tokens.set(prefix);
    this.program.run({ tokens: this.tokens, targets: this.targets }, this.rows, false);
    // Causal: later positions do not change this one's logits.
    const logits = this.program.activation('logits').subarray((prefix.length - 1) * V, prefix.length * V);
    const m = Math.max(...logits);
    let sum = 0;
    const p = Float64Array.from(logits, (l) => {
      const e = Math.exp(l - m);
      sum += e;
      return e;
    });
    for (let v = 0; v < V; v++) p[v] /= sum;
    return p;
  }
}

/** Token sequences sampled from the model (without the boundary tokens), a function of the seed. */
export function sampleSequenceTokens(P: ArrayLike<number>, s: SequenceModelShape, count: number, seed: number, maxLength: number, o: SampleOptions = DEFAULT_SAMPLE_OPTIONS): number[][] {
  const rng = new Random(seed, Stream.sample);
  const predict = new SequencePredictor(P, s);
  const out: number[][] = [];
  const limit = Math.min(maxLength, s.T - 1);
  for (let n = 0; n < count; n++) {
    const seq = [0];
    while (seq.length - 1 < limit) {
      const x = rng.categorical(shapeDistribution(predict.next(seq), o));
      if (x === 0) break;
      seq.push(x);
    }
    out.push(seq.slice(1));
  }
  return out;
}

/** (V, V): row x is the next-token distribution after (0, x), row 0 after (0) alone. */
export function sequenceBigramView(P: ArrayLike<number>, s: SequenceModelShape): Float64Array {
  const predict = new SequencePredictor(P, s);
  const out = new Float64Array(s.V * s.V);
  for (let x = 0; x < s.V; x++) out.set(predict.next(x === 0 || s.T < 2 ? [0] : [0, x]), x * s.V);
  return out;
}
