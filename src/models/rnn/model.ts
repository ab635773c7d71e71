/** The rnn's and the gru's entries in the registry: makemore's recurrent models (net.ts), their hyper-parameters, model files and samples. */
import { sequenceData } from '../../data/sequences.ts';
import { DEFAULT_SEQUENCE_HYPER, RULES, splitShares, type SequenceHyper } from '../../train/hyper.ts';
import type { HyperField, NetModelDef } from '../netModel.ts';
import { sampleSequenceTokens, sequenceBigramView, type SequenceModelShape } from '../sequenceSample.ts';
import { rnnGraph, rnnNetSpec, rnnParamLayout, type CellKind } from './net.ts';

/** n_embd and n_embd2: the flags of rnn, gru and bow. */
export const SEQUENCE_FIELDS = (n2: string): HyperField[] => [
  { key: 'nEmbd', flag: 'n-embd', metavar: 'C', rule: RULES.nEmbd, help: 'token embedding dimensions' },
  { key: 'nEmbd2', flag: 'n-embd2', metavar: 'H', rule: RULES.nEmbd2, help: n2 },
];

/** Any length a word list may have (lines of up to 1,000 symbols), plus the boundary. */
export const BLOCK_SIZE_FIELD = { key: 'blockSize', flag: 'block-size', rule: { integer: true, min: 1, max: 1001 } };

function recurrentModel(cell: CellKind, label: string, help: string): NetModelDef<SequenceHyper> {
  const shape = (V: number, h: SequenceHyper): SequenceModelShape => ({
    V, T: h.blockSize, graph: (rows, withLoss) => rnnGraph({ cell, V, T: h.blockSize, C: h.nEmbd, H: h.nEmbd2 }, rows, withLoss),
  });
  return {
    kind: cell,
    label,
    help,
    defaults: DEFAULT_SEQUENCE_HYPER,
    fields: SEQUENCE_FIELDS('state dimensions'),
    fileFields: [BLOCK_SIZE_FIELD],
    data: (dataset, h) => sequenceData(dataset, h.seed, undefined, splitShares(h)),
    resolve: (h, data) => ({ ...h, blockSize: data.T }),
    defaultLr: { sgd: 0.1, adamw: DEFAULT_SEQUENCE_HYPER.lr },
    lrFinal: (lr) => lr,
    spec: (data, h) => rnnNetSpec(cell, data, h),
    layout: (V, h) => rnnParamLayout({ cell, V, C: h.nEmbd, H: h.nEmbd2 }),
    sample: (w, V, h, count, seed, maxLength, o) => sampleSequenceTokens(w, shape(V, h), count, seed, maxLength, o),
    bigramView: (w, V, h) => sequenceBigramView(w, shape(V, h)),
  };
}

export const rnnModel = recurrentModel('rnn', 'RNN', "makemore's rnn: h = tanh(W·[x_t, h]) over the sequence from a learned start state, AdamW");
export const gruModel = recurrentModel('gru', 'GRU', "makemore's gru: a gated recurrent cell (reset r, update z, candidate h̄), AdamW");
