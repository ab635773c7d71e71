/**
 * A neural model kind, as the CLI, the page, the CPU worker, the benchmark and the model
 * files know it: its hyper-parameters with their defaults and rules (data, not code), the
 * trainers' NetSpec, and what a model file needs (the parameter layout, sampling, the
 * next-symbol view for heatmaps). Each kind is a folder of src/models/ and one line of
 * registry.ts.
 */
import type { ContextData } from '../data/contexts.ts';
import type { Dataset } from '../data/dataset.ts';
import type { OptimizerKind } from '../ops/optimizers.ts';
import type { SampleOptions } from './sequenceSample.ts';
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
  /** What else a model file must hold (the Transformer's block size, which its data set), checked when it is read. */
  fileFields?: readonly HyperRule[];
  /** Its examples from a word list, split by the hyper-parameters' seed. */
  data(dataset: Pick<Dataset, 'words' | 'symbols'>, hyper: H): ContextData;
  /** The hyper-parameters as a model file keeps them, with what the data decided (the Transformer's block size). */
  resolve(hyper: H, data: ContextData): H;
  /** The learning rate each optimiser starts from when --lr is not given. */
  defaultLr: Record<OptimizerKind, number>;
  /** The final rate of the step schedule that goes with a rate (the same: a constant rate). */
  lrFinal(lr: number): number;
  spec(data: Pick<ContextData, 'V' | 'T'>, hyper: H): NetSpec;
  /** The packed parameter layout of a model of vocabulary V (for model files). */
  layout(V: number, hyper: H): TensorLayout;
  /** Samples; the temperature divides the logits, topK > 0 keeps the k likeliest tokens (1 and 0: the model's own distribution). */
  sample(weights: ArrayLike<number>, V: number, hyper: H, count: number, seed: number, maxLength: number, o?: SampleOptions): number[][];
  /** (V, V): row x is the next-symbol distribution after the context (boundary…, x). */
  bigramView(weights: ArrayLike<number>, V: number, hyper: H): Float64Array;
}

/**
 * The rates a model trains at under `optimizer` where they are not given: the model's defaults
 * for its own optimiser, the other optimiser's default rate, and the final rate that goes with
 * a given rate (the CLI and the library resolve them alike).
 */
export function defaultRates(
  def: Pick<NetModelDef<{ optimizer: OptimizerKind; lr: number; lrFinal: number }>, 'defaults' | 'defaultLr' | 'lrFinal'>,
  optimizer: OptimizerKind, givenLr?: number,
): { lr: number; lrFinal: number } {
  const d = def.defaults;
  const lr = givenLr ?? (optimizer === d.optimizer ? d.lr : def.defaultLr[optimizer]);
  return { lr, lrFinal: givenLr === undefined && optimizer === d.optimizer ? d.lrFinal : def.lrFinal(lr) };
}
