/** The Transformer's entry in the registry: makemore's GPT (net.ts), its hyper-parameters, its model files and samples. */
import { sequenceData } from '../../data/sequences.ts';
import { DEFAULT_TRANSFORMER_HYPER, RULES, splitShares, type TransformerHyper } from '../../train/hyper.ts';
import type { NetModelDef } from '../netModel.ts';
import { transformerNetSpec, transformerParamLayout } from './net.ts';
import { sampleTransformerTokens, transformerBigramView } from './sample.ts';

const shape = (V: number, h: TransformerHyper) => ({ V, T: h.blockSize, C: h.nEmbd, nh: h.nHead, L: h.nLayer });

export const transformerModel: NetModelDef<TransformerHyper> = {
  kind: 'transformer',
  label: 'Transformer',
  help: "makemore's GPT: pre-LayerNorm blocks of causal self-attention and a GELU MLP, AdamW",
  defaults: DEFAULT_TRANSFORMER_HYPER,
  fields: [
    { key: 'nLayer', flag: 'n-layer', metavar: 'L', rule: RULES.nLayer, help: 'blocks of attention and MLP' },
    { key: 'nHead', flag: 'n-head', metavar: 'H', rule: RULES.nHead, help: 'attention heads (they divide --n-embd)' },
    { key: 'nEmbd', flag: 'n-embd', metavar: 'C', rule: RULES.nEmbd, help: 'channels' },
  ],
  // Any length a word list may have (lines of up to 1,000 symbols), plus the boundary.
  fileFields: [{ key: 'blockSize', flag: 'block-size', rule: { integer: true, min: 1, max: 1001 } }],
  data: (dataset, h) => sequenceData(dataset, h.seed, undefined, splitShares(h)),
  resolve: (h, data) => ({ ...h, blockSize: data.T }),
  defaultLr: { sgd: 0.1, adamw: DEFAULT_TRANSFORMER_HYPER.lr },
  lrFinal: (lr) => lr,
  spec: transformerNetSpec,
  layout: (V, h) => transformerParamLayout(shape(V, h)),
  sample: (w, V, h, count, seed, maxLength, o) => sampleTransformerTokens(w, shape(V, h), count, seed, maxLength, o),
  bigramView: (w, V, h) => transformerBigramView(w, shape(V, h)),
};
