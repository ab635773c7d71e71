/**
 * One training interface for every device and model: the CLI, the page and the benchmark
 * drive a CPU or a GPU trainer, of the neural bigram or of the context model, the same way. A trainer runs chunks of steps (on the GPU, one submit) and
 * hands back the loss of every step; `trainLoop` schedules the chunks, reports progress,
 * stops on a diverging loss and between chunks when cancelled.
 */
import { UserError } from '../errors.ts';
import type { SplitName } from '../data/contexts.ts';
import type { LossParts } from '../models/bigramNet.ts';

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
  /** Mean NLL of the current weights over a whole split (NaN for an empty split). */
  evaluateSplit(split: SplitName): Promise<number>;
}

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
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Monotonic clock in ms (performance.now by default). */
  now?: () => number;
  /** Read the weights back after every chunk, so a failure mid-run can hand them over. */
  keepWeights?: boolean;
}

export interface TrainLoopResult {
  /** Loss of each step taken, (steps,). */
  losses: Float32Array;
  stepsDone: number;
  msPerStep: number;
  cancelled: boolean;
}

/** The loss turned NaN or infinite: the last finite weights are kept on the error. */
export class DivergedError extends UserError {
  override name = 'DivergedError';
  constructor(
    readonly step: number,
    readonly lastGoodWeights: Float32Array | null,
    lr: number,
  ) {
    super(`training diverged: the loss is not finite at step ${step}; the learning rate ${lr} is probably too high (try ${Number((lr / 10).toPrecision(3))})`);
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
    const bad = chunkLosses.findIndex((l) => !Number.isFinite(l));
    if (bad >= 0) {
      // The chunk's checkpoint is finite when its first loss is; otherwise nothing finite is left.
      const weights = bad > 0 || done === 0 ? await trainer.readCheckpoint() : null;
      throw new DivergedError(done + bad, weights && weights.every(Number.isFinite) ? weights : null, opts.lr);
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
