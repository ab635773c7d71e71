/** The Transformer's samples and its bigram view: a causal sequence model (src/models/sequenceSample.ts). */
import { SequencePredictor, sampleSequenceTokens, sequenceBigramView, DEFAULT_SAMPLE_OPTIONS, type SampleOptions, type SequenceModelShape } from '../sequenceSample.ts';
import { transformerGraph, type TransformerShape } from './net.ts';

const sequenceModel = (s: TransformerShape): SequenceModelShape => ({ V: s.V, T: s.T, graph: (rows, withLoss) => transformerGraph(s, rows, withLoss) });

/** A one-sequence forward of the Transformer, reused across draws. */
export class TransformerPredictor extends SequencePredictor {
  constructor(P: ArrayLike<number>, s: TransformerShape) {
    super(P, sequenceModel(s));
  }
}

/** Token sequences sampled from the model (without the boundary tokens), a function of the seed. */
export function sampleTransformerTokens(P: ArrayLike<number>, s: TransformerShape, count: number, seed: number, maxLength: number, o: SampleOptions = DEFAULT_SAMPLE_OPTIONS): number[][] {
  return sampleSequenceTokens(P, sequenceModel(s), count, seed, maxLength, o);
}

/** (V, V) for the views made for bigrams (heatmaps): row x is the next-token distribution after (0, x), row 0 after (0) alone. */
export function transformerBigramView(P: ArrayLike<number>, s: TransformerShape): Float64Array {
  return sequenceBigramView(P, sequenceModel(s));
}
