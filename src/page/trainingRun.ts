/**
 * One training run on the page: what runTraining (src/train/run.ts) does for the CLI, with
 * what a page needs on top: the CPU device in a Web Worker, pause/resume, every step's loss
 * as it comes, and the model's next-symbol probabilities during training for the heatmap. The
 * loop itself is the shared trainLoop, so chunks, progress and divergence behave as in the CLI.
 */
import type { Dataset } from '../data/dataset.ts';
import { contextData, type ContextData, type SplitName } from '../data/contexts.ts';
import { countsNll, countsToProbs } from '../models/bigramCounts.ts';
import { bigramNetLossAndGrad, bigramNetProbs, type LossParts } from '../models/bigramNet.ts';
import { isNetModel, netModel, type NetModelKind } from '../models/registry.ts';
import { bigramNetModelFile, countsModelFile, netModelFile } from '../models/modelFile.ts';
import type { ModelFile } from '../models/modelFile.ts';
import { DEFAULT_NET_HYPER, type BigramNetHyper, type DeviceKind, type MlpHyper, type NetTrainingHyper, type TransformerHyper } from '../train/hyper.ts';
import type { PageModelKind } from './hyperForm.ts';
import type { GpuBackend } from '../train/run.ts';
import { bigramRegAdvice, DivergedError, trainLoop, type Progress, type Trainer } from '../train/trainer.ts';
import { UserError } from '../errors.ts';
import type { PauseGate } from './pauseGate.ts';
import { bigramCountsInWorker, CPU_DESCRIPTION, netSplitLossesInWorker, WorkerBigramTrainer, WorkerNetTrainer } from './workerTrainer.ts';

export interface RunRequest {
  dataset: Dataset;
  model: PageModelKind;
  device: DeviceKind;
  hyper: BigramNetHyper;
  mlp: MlpHyper;
  transformer: TransformerHyper;
  /** Another neural model of the registry's (rnn, gru, bow; null for the others). */
  net?: NetTrainingHyper | null;
  smoothing: number;
}

export interface RunHooks {
  signal: AbortSignal;
  gate: PauseGate;
  /** Resolves the GPU backend (only called for device 'gpu'). */
  gpu: () => Promise<GpuBackend>;
  onStart?: (deviceDescription: string) => void;
  /** Every chunk's losses, in order, as soon as they are known. */
  onLosses?: (losses: Float32Array) => void;
  /** After each chunk: steps done, the last loss, ms per step (pauses excluded). */
  onProgress?: (p: Progress) => void;
  /**
   * The model's (V, V) next-symbol probabilities: at the start, a few times a second, at the
   * end. The context model's row x is its distribution after the context (boundary…, x).
   */
  onProbabilities?: (probs: Float64Array, step: number) => void;
  /** The run failed after some steps: the model as last read back, evaluated on the CPU. */
  onPartial?: (model: ModelFile) => void;
  /** A neural model, after training: `done` of the `total` examples of a split evaluated (0 as each begins; a while on a large dataset). */
  onEvaluating?: (split: SplitName, done: number, total: number) => void;
  /**
   * A neural model's mean loss on the dev split after `step` steps: a few times during the run
   * (their time is not counted in ms per step) and once at the end.
   */
  onDevLoss?: (step: number, loss: number) => void;
}

export interface RunOutcome {
  model: ModelFile;
  deviceDescription: string;
  steps: number;
  /** Over all examples (bigrams), over the train split (context model). */
  loss: number;
  nll: number;
  /** The context model: mean NLL over the dev and test splits (NaN for an empty split). */
  devLoss?: number;
  testLoss?: number;
  msPerStep: number;
  /** Stopped before the planned number of steps. */
  cancelled: boolean;
}

/**
 * How often the model's weights are read back for the heatmap: a read costs a GPU round trip,
 * and the context model's table V forward passes on the page's thread. At most about a tenth
 * of the time goes to it: a table that takes 50 ms is shown every 500 ms.
 */
const PROBS_INTERVAL_MS = 200;
const PROBS_SHARE = 0.1;

/**
 * The dev curve: the dev split evaluated at this many evenly spaced steps (and at the end). A
 * whole split is a few seconds on the CPU for a large model: a point is skipped while the
 * evaluations so far have taken more than this share of the training time.
 */
const DEV_POINTS = 16;
const DEV_SHARE = 0.25;

/** How a trained model of one kind is observed, finished and kept (see trainObserved). */
interface ModelRecipe<T extends Trainer> {
  trainer: T;
  steps: number;
  lr: number;
  /** A divergence's advice (see trainLoop): a rate known to train, or what else to change. */
  defaultLr?: number;
  advice?: string;
  /** The (V, V) next-symbol view of the weights, for the heatmap. */
  probs: (weights: Float32Array) => Float64Array;
  /** After the loop (finished or stopped): the model file and its losses. */
  finish: (trainer: T, weights: Float32Array, steps: number) => Promise<Omit<RunOutcome, 'deviceDescription' | 'steps' | 'msPerStep' | 'cancelled'>>;
  /** After a failure: a model file of weights read back earlier, or null if none can be made. */
  partial: (weights: Float32Array, step: number) => Promise<ModelFile | null>;
  /** The dev split's mean loss now, for a model that has one (NaN when it is empty). */
  devLoss?: (trainer: T) => Promise<number>;
}

export async function runOnPage(req: RunRequest, hooks: RunHooks): Promise<RunOutcome> {
  const { dataset, hyper } = req;
  const V = dataset.symbols.length;
  const data = { V, xs: dataset.xs, ys: dataset.ys };
  const gpu = req.device === 'gpu' ? await hooks.gpu() : null;

  if (req.model === 'bigram-counts') {
    const deviceDescription = gpu ? gpu.description : CPU_DESCRIPTION;
    hooks.onStart?.(deviceDescription);
    const t0 = performance.now();
    const counts = gpu ? await gpu.bigramCounts(data.xs, data.ys, V) : await bigramCountsInWorker(data.xs, data.ys, V);
    const ms = performance.now() - t0;
    const probs = countsToProbs(counts, V, req.smoothing);
    const nll = countsNll(counts, probs, V);
    hooks.onProbabilities?.(probs, 0);
    return {
      model: countsModelFile(dataset.symbols, req.smoothing, counts, nll),
      deviceDescription,
      steps: 0, loss: nll, nll, msPerStep: ms, cancelled: false,
    };
  }

  if (isNetModel(req.model)) return runNet(req.model, req, gpu, hooks);

  const netModel = (weights: Float32Array, steps: number, parts: LossParts) => bigramNetModelFile(dataset.symbols, hyper, weights, steps, parts);
  const trainer = gpu ? await gpu.createBigramTrainer(data, hyper) : await WorkerBigramTrainer.create(data, hyper);
  return trainObserved({
    trainer, steps: hyper.steps, lr: hyper.lr, defaultLr: DEFAULT_NET_HYPER.lr, advice: bigramRegAdvice(hyper, V),
    probs: (w) => bigramNetProbs(w, V),
    finish: async (t, weights, steps) => {
      const final = await t.evaluate();
      return { model: netModel(weights, steps, final), loss: final.loss, nll: final.nll };
    },
    partial: async (weights, step) => netModel(weights, step, bigramNetLossAndGrad(weights, V, data.xs, data.ys, null, hyper.reg, null)),
  }, hooks);
}

/** A neural model of the registry: the seeded split of the words, trained on its train split, every split evaluated at the end (runNet of the CLI). */
async function runNet(kind: NetModelKind, req: RunRequest, gpu: GpuBackend | null, hooks: RunHooks): Promise<RunOutcome> {
  const { dataset } = req;
  const def = netModel(kind);
  const given = kind === 'transformer' ? req.transformer : kind === 'mlp' ? req.mlp : req.net;
  if (!given) throw new Error(`no hyper-parameters for the ${def.label}`);
  const examples: ContextData = def.data(dataset, given);
  const hyper = def.resolve(given, examples);
  const toModel = (weights: Float32Array, steps: number, losses: { train: number; dev: number; test: number }) => netModelFile(kind, dataset.symbols, hyper, weights, steps, losses);
  if (gpu && !gpu.createNetTrainer) throw new UserError(`this GPU backend cannot train the ${def.label}`);
  const trainer = gpu ? await gpu.createNetTrainer!(kind, examples, hyper) : await WorkerNetTrainer.create(kind, examples, hyper);
  return trainObserved({
    trainer, steps: hyper.steps, lr: hyper.lr, defaultLr: def.defaultLr[(hyper as MlpHyper).optimizer],
    probs: (w) => def.bigramView(w, dataset.symbols.length, hyper),
    finish: async (t, weights, steps) => {
      const evaluate = (split: SplitName) => {
        hooks.onEvaluating?.(split, 0, examples[split].Y.length / (examples.targetsPerExample ?? 1));
        return t.evaluateSplit(split, (done, total) => hooks.onEvaluating?.(split, done, total));
      };
      const losses = { train: await evaluate('train'), dev: await evaluate('dev'), test: await evaluate('test') };
      if (Number.isFinite(losses.dev)) hooks.onDevLoss?.(steps, losses.dev);
      return { model: toModel(weights, steps, losses), loss: losses.train, nll: losses.train, devLoss: losses.dev, testLoss: losses.test };
    },
    // Evaluated in a worker: a whole train split is seconds of work, too long for the page's thread.
    partial: async (weights, step) => toModel(weights, step, await netSplitLossesInWorker(kind, examples, hyper, weights)),
    devLoss: examples.dev.Y.length > 0 ? (t) => t.evaluateSplit('dev') : undefined,
  }, hooks);
}

/**
 * The shared part of the trained models' runs: trainLoop over the trainer at the pause gate,
 * the probabilities now and then, the model at the end, and the weights last read back kept
 * as a model when the run fails (a lost GPU, say) for any reason but a diverging loss.
 */
async function trainObserved<T extends Trainer>(recipe: ModelRecipe<T>, hooks: RunHooks): Promise<RunOutcome> {
  const inner = recipe.trainer;
  // The weights last read back: what is left to keep if the device fails (a lost GPU, say).
  let lastRead: { weights: Float32Array; step: number } | null = null;
  try {
    hooks.onStart?.(inner.deviceDescription);
    const showProbs = async (step: number) => {
      const weights = await inner.readWeights();
      lastRead = { weights, step };
      hooks.onProbabilities?.(recipe.probs(weights), step);
    };
    await showProbs(0);
    const devLoss = recipe.devLoss;
    const dev = devLoss && hooks.onDevLoss ? { every: Math.ceil(recipe.steps / DEV_POINTS), until: recipe.steps, loss: () => devLoss(inner) } : null;
    const trainer = new ObservedTrainer(inner, hooks, showProbs, dev);
    let stepsDone = 0;
    let msPerStep = 0;
    try {
      const loop = await trainLoop(trainer, {
        // No fixed chunk: trainLoop sizes chunks to about 250 ms of training time (the gate's clock
        // skips pauses), so pause and stop answer within a chunk and the curve moves a few times a second.
        // The clock skips the dev evaluations too: ms per step is training time only.
        steps: recipe.steps, lr: recipe.lr, defaultLr: recipe.defaultLr, advice: recipe.advice, signal: hooks.signal, now: () => hooks.gate.now() - trainer.evaluationMs,
        onProgress: (p) => {
          stepsDone = p.step;
          msPerStep = p.msPerStep;
          hooks.onProgress?.(p);
        },
      });
      stepsDone = loop.stepsDone;
      msPerStep = loop.msPerStep;
    } catch (e) {
      // Stop pressed while paused: the gate let the loop go only to end it (see ObservedTrainer).
      if (!hooks.signal.aborted) throw e;
    }
    const weights = await inner.readWeights();
    lastRead = { weights, step: stepsDone };
    hooks.onProbabilities?.(recipe.probs(weights), stepsDone);
    const done = await recipe.finish(inner, weights, stepsDone);
    return { ...done, deviceDescription: inner.deviceDescription, steps: stepsDone, msPerStep, cancelled: stepsDone < recipe.steps };
  } catch (e) {
    // A diverged run's weights are not worth keeping (the CLI saves nothing either); others' are.
    const kept = lastRead as { weights: Float32Array; step: number } | null;
    if (!(e instanceof DivergedError) && kept && kept.step > 0 && kept.weights.every(Number.isFinite)) {
      const model = await recipe.partial(kept.weights, kept.step).catch(() => null);
      if (model) hooks.onPartial?.(model);
    }
    throw e;
  } finally {
    inner.dispose();
  }
}

/** When and how the run's dev loss is taken (see ObservedTrainer). */
interface DevSchedule {
  /** A point every this many steps… */
  every: number;
  /** …before this step (the end is evaluated with the other splits). */
  until: number;
  loss: () => Promise<number>;
}

/**
 * The trainer as trainLoop sees it: waits at the pause gate before each chunk, hands each
 * chunk's losses to the page, now and then reads the weights back for the heatmap, and takes
 * the dev loss at the dev schedule's steps (a chunk that crosses one is run in two parts).
 */
class ObservedTrainer implements Trainer {
  private lastProbs = performance.now();
  private probsInterval = PROBS_INTERVAL_MS;
  /** Time spent on dev evaluations (the gate's clock: pauses excluded), left out of ms per step. */
  evaluationMs = 0;
  private trainingMs = 0;

  constructor(
    private readonly inner: Trainer,
    private readonly hooks: RunHooks,
    private readonly showProbs: (step: number) => Promise<void>,
    private readonly dev: DevSchedule | null = null,
  ) {}

  get device() { return this.inner.device; }
  get deviceDescription() { return this.inner.deviceDescription; }
  get V() { return this.inner.V; }
  get step() { return this.inner.step; }

  async runSteps(count: number): Promise<Float32Array> {
    await this.hooks.gate.wait();
    this.hooks.signal.throwIfAborted();
    const losses = await this.trainWithDev(count);
    this.hooks.onLosses?.(losses);
    if (losses.length < count) {
      // Diverged before a dev point: trainLoop still wants the whole chunk; its first bad loss ends the run.
      const padded = new Float32Array(count).fill(NaN);
      padded.set(losses);
      return padded;
    }
    if (performance.now() - this.lastProbs >= this.probsInterval && losses.every(Number.isFinite)) {
      const t0 = performance.now();
      await this.showProbs(this.inner.step);
      this.lastProbs = performance.now();
      this.probsInterval = Math.max(PROBS_INTERVAL_MS, (this.lastProbs - t0) / PROBS_SHARE);
    }
    return losses;
  }

  /** `count` steps, stopping at each dev point on the way to evaluate; fewer losses if some are not finite. */
  private async trainWithDev(count: number): Promise<Float32Array> {
    const now = this.hooks.gate.now;
    const dev = this.dev;
    const nextDev = (step: number) => (dev ? (Math.floor(step / dev.every) + 1) * dev.every : Infinity);
    let losses: Float32Array = new Float32Array(0);
    while (losses.length < count) {
      const k = Math.min(count - losses.length, nextDev(this.inner.step) - this.inner.step);
      const t0 = now();
      const part = await this.inner.runSteps(k);
      this.trainingMs += now() - t0;
      losses = losses.length === 0 ? part : concat(losses, part);
      if (!part.every(Number.isFinite)) return losses;
      const step = this.inner.step;
      // Skipped while the evaluations have cost more than their share of the time, and once stopped (the end is evaluated anyway).
      const due = dev && step % dev.every === 0 && step < dev.until && !this.hooks.signal.aborted;
      if (due && this.evaluationMs <= DEV_SHARE * this.trainingMs) {
        const t1 = now();
        const loss = await dev.loss();
        this.evaluationMs += now() - t1;
        if (Number.isFinite(loss)) this.hooks.onDevLoss?.(step, loss);
      }
    }
    return losses;
  }

  // A chunk run in parts checkpoints at its last part's start; the page keeps no weights of a diverged run anyway.
  readCheckpoint() { return this.inner.readCheckpoint(); }
  readWeights() { return this.inner.readWeights(); }
  evaluate() { return this.inner.evaluate(); }
  dispose() { this.inner.dispose(); }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
