/**
 * A neural model kind, as the CLI, the page, the CPU worker, the benchmark and the model
 * files know it: its hyper-parameters with their defaults and rules (data, not code), the
 * trainers' NetSpec, and what a model file needs (the parameter layout, sampling, the
 * next-symbol view for heatmaps). Each kind is a folder of src/models/ and one line of
 * registry.ts.
 */
import type { ContextData } from '../data/contexts.ts';
import type { TensorLayout } from '../nn/layout.ts';
import type { NetSpec } from '../nn/netSpec.ts';
import type { HyperRule } from '../train/hyper.ts';

/** One hyper-parameter: its key, its flag (the page's field shares the name), its rule, its help line. */
export interface HyperField extends HyperRule {
  /** The value's name in --help (T, E, H). */
  metavar: string;
  help: string;
}

export interface NetModelDef<H extends object = Record<string, unknown>> {
  kind: string;
  label: string;
  /** One line for --help. */
  help: string;
  defaults: H;
  /** The numeric hyper-parameters this model reads (beyond the common ones). */
  fields: readonly HyperField[];
  /** The symbols of context the data must be built with. */
  blockSize(hyper: H): number;
  spec(data: Pick<ContextData, 'V' | 'T'>, hyper: H): NetSpec;
  /** The packed parameter layout of a model of vocabulary V (for model files). */
  layout(V: number, hyper: H): TensorLayout;
  sample(weights: ArrayLike<number>, V: number, hyper: H, count: number, seed: number, maxLength: number): number[][];
  /** (V, V): row x is the next-symbol distribution after the context (boundary…, x). */
  bigramView(weights: ArrayLike<number>, V: number, hyper: H): Float64Array;
}
