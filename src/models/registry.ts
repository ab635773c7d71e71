/**
 * Every neural model kind, by name: what the CLI, the page, the CPU worker, the benchmark and
 * the model files look up. Adding a kind is its folder plus one line here.
 */
import type { NetModelDef } from './netModel.ts';
import { mlpModel } from './mlp/model.ts';

export const NET_MODELS = {
  mlp: mlpModel,
} satisfies Record<string, NetModelDef<any>>;

export type NetModelKind = keyof typeof NET_MODELS;

export function isNetModel(kind: string): kind is NetModelKind {
  return Object.hasOwn(NET_MODELS, kind);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own hyper-parameters
export function netModel(kind: string): NetModelDef<any> {
  if (!isNetModel(kind)) throw new Error(`unknown neural model kind "${kind}" (known: ${Object.keys(NET_MODELS).join(', ')})`);
  return NET_MODELS[kind];
}
