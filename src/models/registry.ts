/**
 * Every model kind, by name: what the CLI (its --model list, help and flags), the page (its
 * names), the CPU worker, the benchmark and the model files look up. The bigrams keep their
 * own trainers and special kernels (fused, unfused, count-table paths: src/gpu/bigramTrainer.ts);
 * a neural model is a NetModelDef, trained by the generic trainers of src/nn/. Adding a neural
 * kind is its folder of src/models/ plus one line in NET_MODELS.
 */
import type { ModelKind } from '../train/hyper.ts';
import type { NetModelDef } from './netModel.ts';
import { mlpModel } from './mlp/model.ts';
import { transformerModel } from './transformer/model.ts';
import { gruModel, rnnModel } from './rnn/model.ts';
import { bowModel } from './bow/model.ts';
import { makemoreBigramModel, makemoreMlpModel } from './makemore/model.ts';

export interface ModelEntry {
  kind: ModelKind;
  /** How reports and the page name it. */
  label: string;
  /** One line for --help. */
  help: string;
}

// Each kind has its own hyper-parameters: the registry holds them as `any` and each definition types its own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyNetModel = NetModelDef<any>;

export const NET_MODELS = {
  mlp: mlpModel,
  transformer: transformerModel,
  rnn: rnnModel,
  gru: gruModel,
  bow: bowModel,
  'makemore-mlp': makemoreMlpModel,
  'makemore-bigram': makemoreBigramModel,
} satisfies Record<string, AnyNetModel>;

export type NetModelKind = keyof typeof NET_MODELS;

export const MODELS: Record<ModelKind, ModelEntry> = {
  'bigram-counts': { kind: 'bigram-counts', label: 'counting bigram', help: 'the V×V count table with add-K smoothing' },
  'bigram-nn': { kind: 'bigram-nn', label: 'neural bigram', help: 'one-hot × W, softmax, NLL, gradient descent (the default)' },
  ...(Object.fromEntries(Object.values(NET_MODELS).map((m) => [m.kind, { kind: m.kind as ModelKind, label: m.label, help: m.help }])) as Record<NetModelKind, ModelEntry>),
};

export const MODEL_KINDS = Object.keys(MODELS) as ModelKind[];

export function isNetModel(kind: string): kind is NetModelKind {
  return Object.hasOwn(NET_MODELS, kind);
}

export function netModel(kind: string): AnyNetModel {
  if (!isNetModel(kind)) throw new Error(`unknown neural model kind "${kind}" (known: ${Object.keys(NET_MODELS).join(', ')})`);
  return NET_MODELS[kind];
}
