/** The bow's entry in the registry: makemore's bag of words (net.ts), its hyper-parameters, model files and samples. */
import { sequenceData } from '../../data/sequences.ts';
import { DEFAULT_SEQUENCE_HYPER, splitShares, type SequenceHyper } from '../../train/hyper.ts';
import type { NetModelDef } from '../netModel.ts';
import { BLOCK_SIZE_FIELD, SEQUENCE_FIELDS } from '../rnn/model.ts';
import { sampleSequenceTokens, sequenceBigramView, type SequenceModelShape } from '../sequenceSample.ts';
import { bowGraph, bowNetSpec, bowParamLayout } from './net.ts';

const shape = (V: number, h: SequenceHyper): SequenceModelShape => ({
  V, T: h.blockSize, graph: (rows, withLoss) => bowGraph({ V, T: h.blockSize, C: h.nEmbd, H: h.nEmbd2 }, rows, withLoss),
});

export const bowModel: NetModelDef<SequenceHyper> = {
  kind: 'bow',
  label: 'bag of words',
  help: "makemore's bow: each position adds the mean of the positions up to it, then a tanh MLP, AdamW",
  defaults: DEFAULT_SEQUENCE_HYPER,
  fields: SEQUENCE_FIELDS("the MLP's hidden width"),
  fileFields: [BLOCK_SIZE_FIELD],
  data: (dataset, h) => sequenceData(dataset, h.seed, undefined, splitShares(h)),
  resolve: (h, data) => ({ ...h, blockSize: data.T }),
  defaultLr: { sgd: 0.1, adamw: DEFAULT_SEQUENCE_HYPER.lr },
  lrFinal: (lr) => lr,
  spec: bowNetSpec,
  layout: (V, h) => bowParamLayout({ V, T: h.blockSize, C: h.nEmbd, H: h.nEmbd2 }),
  sample: (w, V, h, count, seed, maxLength, o) => sampleSequenceTokens(w, shape(V, h), count, seed, maxLength, o),
  bigramView: (w, V, h) => sequenceBigramView(w, shape(V, h)),
};
