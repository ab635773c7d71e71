/** The context model's entry in the registry: makemore's MLP (net.ts), its hyper-parameters and its model files. */
import { contextData } from '../../data/contexts.ts';
import { DEFAULT_MLP_ADAMW_LR, DEFAULT_MLP_HYPER, RULES, tenthOf, splitShares, type MlpHyper } from '../../train/hyper.ts';
import type { NetModelDef } from '../netModel.ts';
import { mlpNetSpec, mlpParamLayout } from './net.ts';
import { mlpBigramView, sampleMlpTokens } from './sample.ts';

const shape = (V: number, h: MlpHyper) => ({ V, T: h.blockSize, E: h.embed, H: h.hidden });

export const mlpModel: NetModelDef<MlpHyper> = {
  kind: 'mlp',
  label: 'context model (MLP)',
  help: "makemore's MLP: embeddings of the last --block-size symbols, a tanh layer, V logits",
  defaults: DEFAULT_MLP_HYPER,
  fields: [
    { key: 'blockSize', flag: 'block-size', metavar: 'T', rule: RULES.blockSize, help: 'symbols of context' },
    { key: 'embed', flag: 'embed', metavar: 'E', rule: RULES.embed, help: 'embedding dimensions per symbol' },
    { key: 'hidden', flag: 'hidden', metavar: 'H', rule: RULES.hidden, help: 'hidden tanh units' },
  ],
  data: (dataset, h) => contextData(dataset, h.blockSize, h.seed, splitShares(h)),
  resolve: (h) => h,
  defaultLr: { sgd: DEFAULT_MLP_HYPER.lr, adamw: DEFAULT_MLP_ADAMW_LR },
  lrFinal: tenthOf,
  spec: mlpNetSpec,
  layout: (V, h) => mlpParamLayout(shape(V, h)),
  sample: (w, V, h, count, seed, maxLength, o) => sampleMlpTokens(w, shape(V, h), count, seed, maxLength, o),
  bigramView: (w, V, h) => mlpBigramView(w, shape(V, h)),
};
