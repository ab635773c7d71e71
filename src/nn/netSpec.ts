/**
 * What a trainer needs of a neural model, whatever its kind: its forward recorded on n rows
 * (loss included), its initial parameters, the optimiser, the batch size and the seed. A
 * model definition (src/models/<kind>/) turns its hyper-parameters into one; the CPU and GPU
 * trainers (cpuTrainer.ts, gpuTrainer.ts) run any of them, and nothing else is per model.
 *
 * Data: examples of token contexts, X (N, T), and targets, Y (N,), per split.
 */
import { UserError } from '../errors.ts';
import type { ContextData, ContextExamples } from '../data/contexts.ts';
import type { Floats } from '../ops/op.ts';
import type { OptimizerConfig } from '../ops/optimizers.ts';
import type { Graph } from './graph.ts';
import type { TensorLayout } from './layout.ts';

export interface NetSpec {
  /** A name for labels ('mlp'). */
  label: string;
  /** The forward on `rows` rows: the same parameters (names, shapes, order) for every row count. */
  graph(rows: number): Graph;
  /** Initial parameters in the packed layout (graph(…).paramLayout()). */
  init<A extends Floats>(layout: TensorLayout, make: new (n: number) => A): A;
  optimizer: OptimizerConfig;
  /** B: examples per step, drawn with replacement from the train split. */
  batchSize: number;
  /** Seed of the minibatches. */
  seed: number;
}

/** Targets as the kernels read them (i32, −1 = ignored): the same bytes as Y. */
export function targetsOf(ex: ContextExamples): Int32Array {
  return new Int32Array(ex.Y.buffer, ex.Y.byteOffset, ex.Y.length);
}

/** Minibatches are drawn from the train split: it must hold at least one example. */
export function checkTrainSplit(data: ContextData, what: string): void {
  if (data.train.Y.length === 0) throw new UserError(`the train split is empty: ${what} needs at least 2 words (80% of them train it, or the share --dev-share and --test-share leave)`);
}

/** The initial parameters given by a caller, checked against the layout. */
export function checkInitial(initial: ArrayLike<number>, layout: TensorLayout): void {
  if (initial.length !== layout.count) throw new Error(`initial parameters: ${initial.length} values, the model has ${layout.count}`);
}
