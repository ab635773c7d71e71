/**
 * The makemore-mlp's and makemore-bigram's entries in the registry (net.ts): their
 * hyper-parameters, model files and samples. On names.txt, 2,000 steps of the defaults on the
 * GPU reach a test loss of mlp 2.151 and bigram 2.744 on makemore's split (its command line,
 * seed 3407; makemore reports 2.143 and 2.744), and 2.173 and 2.750 on the 80/10/10 split
 * (seed 42).
 */
import { sequenceData } from '../../data/sequences.ts';
import { DEFAULT_SEQUENCE_HYPER, RULES, splitShares, type SequenceHyper } from '../../train/hyper.ts';
import type { NetModelDef } from '../netModel.ts';
import { BLOCK_SIZE_FIELD } from '../rnn/model.ts';
import { sampleSequenceTokens, sequenceBigramView, type SequenceModelShape } from '../sequenceSample.ts';
import {
  makemoreBigramGraph, makemoreBigramNetSpec, makemoreBigramParamLayout, makemoreMlpGraph, makemoreMlpNetSpec, makemoreMlpParamLayout,
} from './net.ts';

type Shape = (V: number, h: SequenceHyper) => SequenceModelShape;

function sequenceModel(kind: string, label: string, help: string, fields: NetModelDef<SequenceHyper>['fields'], shape: Shape, rest: Pick<NetModelDef<SequenceHyper>, 'spec' | 'layout'>): NetModelDef<SequenceHyper> {
  return {
    kind, label, help, fields, ...rest,
    defaults: DEFAULT_SEQUENCE_HYPER,
    fileFields: [BLOCK_SIZE_FIELD],
    data: (dataset, h) => sequenceData(dataset, h.seed, undefined, splitShares(h)),
    resolve: (h, data) => ({ ...h, blockSize: data.T }),
    defaultLr: { sgd: 0.1, adamw: DEFAULT_SEQUENCE_HYPER.lr },
    lrFinal: (lr) => lr,
    sample: (w, V, h, count, seed, maxLength, o) => sampleSequenceTokens(w, shape(V, h), count, seed, maxLength, o),
    bigramView: (w, V, h) => sequenceBigramView(w, shape(V, h)),
  };
}

const mlpShape: Shape = (V, h) => ({ V, T: h.blockSize, graph: (rows, withLoss) => makemoreMlpGraph({ V, T: h.blockSize, C: h.nEmbd, H: h.nEmbd2 }, rows, withLoss) });
const bigramShape: Shape = (V, h) => ({ V, T: h.blockSize, graph: (rows, withLoss) => makemoreBigramGraph({ V, T: h.blockSize }, rows, withLoss) });

export const makemoreMlpModel = sequenceModel(
  'makemore-mlp', "makemore's MLP",
  "makemore.py's own mlp: each position reads the T tokens up to it (a blank before the start), tanh; sequences, AdamW",
  [
    { key: 'nEmbd', flag: 'n-embd', metavar: 'C', rule: RULES.nEmbd, help: 'embedding dimensions per token' },
    { key: 'nEmbd2', flag: 'n-embd2', metavar: 'H', rule: RULES.nEmbd2, help: 'hidden tanh units' },
  ],
  mlpShape,
  { spec: makemoreMlpNetSpec, layout: (V, h) => makemoreMlpParamLayout({ V, T: h.blockSize, C: h.nEmbd, H: h.nEmbd2 }) },
);

export const makemoreBigramModel = sequenceModel(
  'makemore-bigram', "makemore's bigram",
  "makemore.py's own bigram: a V×V logit table from zero (first loss ln V); sequences, AdamW",
  [],
  bigramShape,
  { spec: makemoreBigramNetSpec, layout: (V) => makemoreBigramParamLayout(V) },
);
