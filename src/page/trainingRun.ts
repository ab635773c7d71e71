/**
 * One training run on the page: what runTraining (src/train/run.ts) does for the CLI, with
 * what a page needs on top: the CPU device in a Web Worker, pause/resume, every step's loss
 * as it comes, and the net's probabilities during training for the heatmap. The loop itself
 * is the shared trainLoop, so chunks, progress and divergence behave as in the CLI.
 */
import type { Dataset } from '../data/dataset.ts';
import { countsNll, countsToProbs } from '../models/bigramCounts.ts';
import { bigramNetLossAndGrad, bigramNetProbs, type LossParts } from '../models/bigramNet.ts';
import type { ModelFile } from '../models/modelFile.ts';
import type { BigramNetHyper, DeviceKind } from '../train/hyper.ts';
import type { PageModelKind } from './hyperForm.ts';
import type { GpuBackend } from '../train/run.ts';
import { DivergedError, trainLoop, type BigramTrainer, type Progress } from '../train/trainer.ts';
import type { PauseGate } from './pauseGate.ts';
import { bigramCountsInWorker, CPU_DESCRIPTION, WorkerBigramTrainer } from './workerTrainer.ts';

export interface RunRequest {
  dataset: Dataset;
  model: PageModelKind;
  device: DeviceKind;
  hyper: BigramNetHyper;
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
  /** The model's (V, V) next-symbol probabilities: at the start, a few times a second, at the end. */
  onProbabilities?: (probs: Float64Array, step: number) => void;
  /** The run failed after some steps: the model as last read back, evaluated on the CPU. */
  onPartial?: (model: ModelFile) => void;
}

export interface RunOutcome {
  model: ModelFile;
  deviceDescription: string;
  steps: number;
  loss: number;
  nll: number;
  msPerStep: number;
  /** Stopped before the planned number of steps. */
  cancelled: boolean;
}

/** How often the net's weights are read back for the heatmap: a read costs a GPU round trip. */
const PROBS_INTERVAL_MS = 200;


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
      model: {
        format: 'makemore-webgpu/model', version: 1, kind: 'bigram-counts', symbols: dataset.symbols,
        hyper: { smoothing: req.smoothing }, steps: 0, loss: nll, nll, weights: Array.from(counts),
      },
      deviceDescription,
      steps: 0, loss: nll, nll, msPerStep: ms, cancelled: false,
    };
  }

  const inner = gpu ? await gpu.createBigramTrainer(data, hyper) : await WorkerBigramTrainer.create(data, hyper);
  const netModel = (weights: Float32Array, steps: number, parts: LossParts): ModelFile => ({
    format: 'makemore-webgpu/model', version: 1, kind: 'bigram-nn', symbols: dataset.symbols,
    hyper: { ...hyper }, steps, loss: parts.loss, nll: parts.nll, weights: Array.from(weights),
  });
  // The weights last read back: what is left to keep if the device fails (a lost GPU, say).
  let lastRead: { weights: Float32Array; step: number } | null = null;
  try {
    hooks.onStart?.(inner.deviceDescription);
    const showProbs = async (step: number) => {
      const weights = await inner.readWeights();
      lastRead = { weights, step };
      hooks.onProbabilities?.(bigramNetProbs(weights, V), step);
    };
    await showProbs(0);
    const trainer = new ObservedTrainer(inner, hooks, showProbs);
    let stepsDone = 0;
    let msPerStep = 0;
    try {
      const loop = await trainLoop(trainer, {
        // No fixed chunk: trainLoop sizes chunks to about 250 ms of training time (the gate's clock
        // skips pauses), so pause and stop answer within a chunk and the curve moves a few times a second.
        steps: hyper.steps, lr: hyper.lr, signal: hooks.signal, now: hooks.gate.now,
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
    const final = await inner.evaluate();
    const weights = await inner.readWeights();
    hooks.onProbabilities?.(bigramNetProbs(weights, V), stepsDone);
    return {
      model: netModel(weights, stepsDone, final),
      deviceDescription: inner.deviceDescription,
      steps: stepsDone, loss: final.loss, nll: final.nll, msPerStep, cancelled: stepsDone < hyper.steps,
    };
  } catch (e) {
    // A diverged run's weights are not worth keeping (the CLI saves nothing either); others' are.
    const kept = lastRead as { weights: Float32Array; step: number } | null;
    if (!(e instanceof DivergedError) && kept && kept.step > 0 && kept.weights.every(Number.isFinite)) {
      const parts = bigramNetLossAndGrad(kept.weights, V, data.xs, data.ys, null, hyper.reg, null);
      hooks.onPartial?.(netModel(kept.weights, kept.step, parts));
    }
    throw e;
  } finally {
    inner.dispose();
  }
}

/**
 * The trainer as trainLoop sees it: waits at the pause gate before each chunk, hands each
 * chunk's losses to the page, and now and then reads the weights back for the heatmap.
 */
class ObservedTrainer implements BigramTrainer {
  private lastProbs = performance.now();

  constructor(
    private readonly inner: BigramTrainer,
    private readonly hooks: RunHooks,
    private readonly showProbs: (step: number) => Promise<void>,
  ) {}

  get device() { return this.inner.device; }
  get deviceDescription() { return this.inner.deviceDescription; }
  get V() { return this.inner.V; }
  get step() { return this.inner.step; }

  async runSteps(count: number): Promise<Float32Array> {
    await this.hooks.gate.wait();
    this.hooks.signal.throwIfAborted();
    const losses = await this.inner.runSteps(count);
    this.hooks.onLosses?.(losses);
    if (performance.now() - this.lastProbs >= PROBS_INTERVAL_MS && losses.every(Number.isFinite)) {
      await this.showProbs(this.inner.step);
      this.lastProbs = performance.now();
    }
    return losses;
  }

  readCheckpoint() { return this.inner.readCheckpoint(); }
  readWeights() { return this.inner.readWeights(); }
  evaluate() { return this.inner.evaluate(); }
  dispose() { this.inner.dispose(); }
}
