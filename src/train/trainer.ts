/**
 * One training interface for every device and model: the CLI, the page and the benchmark
 * drive a CPU or a GPU trainer, of the neural bigram or of the context model, the same way. A trainer runs chunks of steps (on the GPU, one submit) and
 * hands back the loss of every step; `trainLoop` schedules the chunks, reports progress,
 * stops on a diverging loss and between chunks when cancelled.
 */
import { UserError } from '../errors.ts';
import type { SplitName } from '../data/contexts.ts';
import type { LossParts } from '../models/bigramNet.ts';
import { DEFAULT_NET_HYPER, type BigramNetHyper } from './hyper.ts';

export interface Trainer {
  readonly device: 'cpu' | 'gpu';
  /** The adapter or CPU that runs the work, for reports. */
  readonly deviceDescription: string;
  readonly V: number;
  /** Steps taken so far. */
  readonly step: number;
  /**
   * Run `count` steps; resolves with each step's loss (taken before that step's update).
   * The weights at the start of the call are kept as a checkpoint (see readCheckpoint).
   */
  runSteps(count: number): Promise<Float32Array>;
  /** The weights as they were when the last runSteps began: finite if its first loss was. */
  readCheckpoint(): Promise<Float32Array>;
  /** The current weights: the bigram's (V, V) W; a neural model's flat parameter vector (its TensorLayout, src/nn/layout.ts). */
  readWeights(): Promise<Float32Array>;
  /** Loss and NLL of the current weights over all (bigram) or all training (context model) examples. */
  evaluate(): Promise<LossParts>;
  dispose(): void;
}

/** The neural bigram's trainers (the name the page and the GPU code know). */
export type BigramTrainer = Trainer;

/** The neural models' trainers (MLP, Transformer): their data come split, and each split can be evaluated. */
export interface MlpTrainer extends Trainer {
  /**
   * Mean NLL of the current weights over a whole split (NaN for an empty split), in chunks:
   * onProgress after each; once `signal` is aborted it stops between chunks and resolves NaN.
   */
  evaluateSplit(split: SplitName, onProgress?: EvalProgress, signal?: AbortSignal): Promise<number>;
}

/** An evaluation under way: `done` of the split's `total` examples. */
export type EvalProgress = (done: number, total: number) => void;

/** After each chunk of steps: the steps done of `steps`, the last step's loss, the mean time per step so far. */
export interface Progress {
  step: number;
  steps: number;
  loss: number;
  msPerStep: number;
}

export interface TrainLoopOptions {
  steps: number;
  /**
   * Steps per chunk: one submit on the GPU; losses are seen once per chunk. By default the
   * chunk grows or shrinks so that one takes about CHUNK_TARGET_MS: fluid progress, little
   * overhead.
   */
  chunk?: number;
  lr: number;
  /** A learning rate known to train the model (its default): what a divergence suggests. */
  defaultLr?: number;
  /** What a divergence message suggests instead of a lower learning rate (e.g. a lower --reg). */
  advice?: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Monotonic clock in ms (performance.now by default). */
  now?: () => number;
  /** Read the weights back after every chunk, so a failure mid-run can hand them over. */
  keepWeights?: boolean;
}

/** What a training loop did; `cancelled` when its signal stopped it before `steps`. */
export interface TrainLoopResult {
  /** Loss of each step taken, (steps,). */
  losses: Float32Array;
  stepsDone: number;
  msPerStep: number;
  cancelled: boolean;
}

/**
 * A run diverges when its loss is not finite, or rises above DIVERGENCE_FACTOR × the larger of
 * its first loss and ln V (the loss of a uniform guess over the V symbols): cross-entropy that
 * far above a guess means the updates overshoot and training will not recover (a learning
 * rate of 1e5 on the bigram keeps a finite loss of 1e22; the mlp at 1e6, of 3e6).
 */
export const DIVERGENCE_FACTOR = 10;

/** The loss above which a run has diverged, given its first loss and its vocabulary size. */
export function divergenceBound(firstLoss: number, V: number): number {
  return DIVERGENCE_FACTOR * Math.max(firstLoss, Math.log(V));
}

/**
 * What to change after a divergence, by default: the learning rate. Above a rate known to train
 * (`defaultLr`, the model's default), that one; otherwise a tenth.
 */
export function learningRateAdvice(lr: number, defaultLr?: number): string {
  const suggest = defaultLr !== undefined && lr > defaultLr ? `${defaultLr}, the default` : `${Number((lr / 10).toPrecision(3))}`;
  return `the learning rate ${lr} is probably too high (try ${suggest})`;
}

/**
 * The neural bigram's regularisation alone scales the weights by 1 − 2·lr·reg/V² a step (the
 * gradient of reg·mean(W²)): from lr·reg ≥ V² on they grow whatever the data say. At a learning
 * rate that trains (the default or lower) such a divergence is the regularisation's fault.
 */
export function bigramRegAdvice(h: BigramNetHyper, V: number): string | undefined {
  const limit = (V * V) / h.lr;
  if (h.reg < limit || h.lr > DEFAULT_NET_HYPER.lr) return undefined;
  const suggest = DEFAULT_NET_HYPER.reg < limit ? `${DEFAULT_NET_HYPER.reg}, the default` : `${Number((limit / 10).toPrecision(2))}`;
  return `the regularisation ${h.reg} is too strong for the learning rate ${h.lr}: it alone makes the weights grow once lr × reg ≥ V² = ${V * V} (try ${suggest})`;
}

/** The loss diverged (see DIVERGENCE_FACTOR): the last finite weights are kept on the error. */
export class DivergedError extends UserError {
  override name = 'DivergedError';
  constructor(
    readonly step: number,
    readonly lastGoodWeights: Float32Array | null,
    /** The loss that ended the run, and the bound it broke (Infinity: the loss was not finite). */
    readonly loss: number,
    readonly bound: number,
    advice: string,
  ) {
    super(Number.isFinite(loss)
      ? `training diverged: the loss rose to ${loss.toPrecision(3)} at step ${step}, above ${DIVERGENCE_FACTOR} × max(first loss, ln V) = ${bound.toPrecision(3)}; ${advice}`
      : `training diverged: the loss is not finite at step ${step}; ${advice}`);
  }
}

/**
 * Training stopped by a failure that is not the run's fault (a lost GPU device): the weights
 * last read back (with keepWeights) and their step are kept on the error.
 */
export class InterruptedError extends UserError {
  override name = 'InterruptedError';
  /** Filled in by whoever knows how to turn the weights into a model file. */
  partialModel: unknown = null;
  constructor(
    message: string,
    readonly lastWeights: Float32Array | null,
    readonly lastStep: number,
  ) {
    super(message);
  }
}

const CHUNK_TARGET_MS = 250;
const MAX_CHUNK = 1000;

/**
 * Let timers, messages and signals (Ctrl-C) run: a CPU trainer's runSteps never waits on
 * anything, so without this a cancel would only be seen after the last step.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

export async function trainLoop(trainer: Trainer, opts: TrainLoopOptions): Promise<TrainLoopResult> {
  const now = opts.now ?? (() => performance.now());
  let chunk = Math.max(1, opts.chunk ?? 1);
  const losses = new Float32Array(opts.steps);
  let done = 0;
  let ms = 0;
  let kept: Float32Array | null = null;
  let keptStep = 0;
  // Set from the first loss (see divergenceBound).
  let bound = Infinity;
  // A failure of the trainer itself (not of the run) keeps what was read back last.
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      if (e instanceof UserError && !(e instanceof DivergedError)) throw new InterruptedError(e.message, kept, keptStep);
      throw e;
    }
  };
  while (done < opts.steps) {
    if (done > 0) await yieldToEventLoop();
    if (opts.signal?.aborted) break;
    const k = Math.min(chunk, opts.steps - done);
    const t0 = now();
    const chunkLosses = await guarded(() => trainer.runSteps(k));
    const chunkMs = now() - t0;
    ms += chunkMs;
    if (opts.chunk === undefined) chunk = Math.max(1, Math.min(MAX_CHUNK, Math.floor((CHUNK_TARGET_MS * k) / Math.max(chunkMs, 1e-3))));
    if (done === 0) bound = divergenceBound(Number.isFinite(chunkLosses[0]) ? chunkLosses[0] : 0, trainer.V);
    const bad = chunkLosses.findIndex((l) => !(l <= bound));
    if (bad >= 0) {
      // The chunk's checkpoint is sound when its first loss is; otherwise nothing sound is left.
      const weights = bad > 0 || done === 0 ? await trainer.readCheckpoint() : null;
      const advice = opts.advice ?? learningRateAdvice(opts.lr, opts.defaultLr);
      throw new DivergedError(done + bad, weights && weights.every(Number.isFinite) ? weights : null, chunkLosses[bad], bound, advice);
    }
    losses.set(chunkLosses, done);
    done += k;
    if (opts.keepWeights) {
      kept = await guarded(() => trainer.readWeights());
      keptStep = done;
    }
    opts.onProgress?.({ step: done, steps: opts.steps, loss: chunkLosses[k - 1], msPerStep: ms / done });
  }
  return { losses: losses.subarray(0, done), stepsDone: done, msPerStep: done ? ms / done : 0, cancelled: done < opts.steps };
}
