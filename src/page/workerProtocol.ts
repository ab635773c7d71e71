/**
 * The messages between the page and the CPU worker (cpuWorker.ts): one request per trainer
 * method, answered in order. Each operation names its arguments and result so both sides are
 * type-checked against this one table.
 */
import type { ContextData, SplitName } from '../data/contexts.ts';
import type { LossParts } from '../models/bigramNet.ts';
import type { BigramNetHyper, MlpHyper } from '../train/hyper.ts';
import type { NetModelKind } from '../models/registry.ts';

export interface WorkerOps {
  /** The counting model's table, (V, V). */
  counts: { args: { V: number; xs: Uint32Array; ys: Uint32Array }; result: Uint32Array };
  /** Start a CpuBigramTrainer. */
  create: { args: { V: number; xs: Uint32Array; ys: Uint32Array; hyper: BigramNetHyper }; result: null };
  /** Start a CpuMlpTrainer, from the seed's weights or from `initial` (the flat parameter vector). */
  createNet: { args: { kind: NetModelKind; data: ContextData; hyper: MlpHyper; initial?: Float32Array }; result: null };
  runSteps: { args: { count: number }; result: Float32Array };
  readWeights: { args: Record<string, never>; result: Float32Array };
  readCheckpoint: { args: Record<string, never>; result: Float32Array };
  evaluate: { args: Record<string, never>; result: LossParts };
  /** The context model's mean NLL over a split (NaN if it is empty). */
  evaluateSplit: { args: { split: SplitName }; result: number };
}

export type WorkerOp = keyof WorkerOps;

export type WorkerRequest = { [K in WorkerOp]: { id: number; op: K; args: WorkerOps[K]['args'] } }[WorkerOp];

/** The answer to request `id`; before it, an evaluateSplit may send progress ({ id, done, total }) after each chunk. */
export type WorkerResponse =
  | { id: number; ok: true; result: WorkerOps[WorkerOp]['result'] }
  | { id: number; ok: false; name: string; message: string }
  | { id: number; progress: { done: number; total: number } };
