/**
 * One training run, as the CLI and the page ask for it: a model kind, a device, the
 * hyper-parameters → a model file, its loss, timings and samples.
 */
import { UserError } from '../errors.ts';
import type { Dataset } from '../data/dataset.ts';
import { contextData, SPLIT_NAMES, type ContextData, type SplitName } from '../data/contexts.ts';
import { bigramCountsCpu, countsNll, countsToProbs } from '../models/bigramCounts.ts';
import { bigramNetModelFile, countsModelFile, modelSamples, netModelFile, type ModelFile } from '../models/modelFile.ts';
import { CpuBigramTrainer } from './cpuTrainer.ts';
import {
  checkNetHyper, checkNetTrainingHyper, checkNumber, DEFAULT_NET_HYPER, RULES, type BigramNetHyper, type DeviceKind, type MlpHyper, type ModelKind,
} from './hyper.ts';
import { CpuNetTrainer } from '../nn/cpuTrainer.ts';
import { NO_TARGET } from '../data/sequences.ts';
import type { SampleOptions } from '../models/sequenceSample.ts';
import { isNetModel, netModel, type NetModelKind } from '../models/registry.ts';
import { cpuDescription } from './platform.ts';
import { bigramRegAdvice, InterruptedError, trainLoop, type BigramTrainer, type MlpTrainer, type Progress } from './trainer.ts';

/** What a GPU backend offers the run (Node and the browser acquire devices differently). */
export interface GpuBackend {
  description: string;
  bigramCounts(xs: Uint32Array, ys: Uint32Array, V: number): Promise<Uint32Array>;
  createBigramTrainer(data: { V: number; xs: Uint32Array; ys: Uint32Array }, hyper: BigramNetHyper): Promise<BigramTrainer>;
  /** A neural model's trainer (src/models/registry.ts; a backend without it trains bigrams only). */
  createNetTrainer?(kind: NetModelKind, data: ContextData, hyper: MlpHyper): Promise<MlpTrainer>;
}

export interface RunOptions {
  model: ModelKind;
  device: DeviceKind;
  hyper: BigramNetHyper;
  /** A neural model of the registry (mlp): its hyper-parameters (the model's defaults if absent); `hyper` is not used then. */
  mlp?: MlpHyper;
  smoothing: number;
  samples: number;
  /** Seed for the samples (the training seed by default). */
  sampleSeed?: number;
  /** Temperature and top-k of the samples (neural models; default: the model's distribution). */
  sampleOptions?: SampleOptions;
  gpu?: () => Promise<GpuBackend>;
  onProgress?: (p: Progress) => void;
  /** The evaluation of the splits after training (neural models): `done` of a split's `total` examples, 0 as each begins. */
  onEvalProgress?: (split: SplitName, done: number, total: number) => void;
  signal?: AbortSignal;
  /** Cuts the evaluation after training short (neural models): the splits it has not finished read NaN. */
  evalSignal?: AbortSignal;
  /** Steps per chunk (one GPU submit). */
  chunk?: number;
  /**
   * Read the weights back after every chunk: if the device is lost mid-run, the
   * InterruptedError carries a model file of the last weights read (partialModel).
   */
  keepWeights?: boolean;
}

export interface RunResult {
  model: ModelFile;
  device: DeviceKind;
  deviceDescription: string;
  steps: number;
  /** The loss at the end: over all examples (bigrams), over the train split (mlp). */
  loss: number;
  nll: number;
  /** mlp: the mean NLL over the dev and test splits at the end (NaN for an empty split). */
  devLoss?: number;
  testLoss?: number;
  /** mlp: words and examples of each split. */
  split?: Record<SplitName, { words: number; examples: number }>;
  msPerStep: number;
  /** (steps,) the loss of every step; empty for the counting model. */
  losses: Float32Array;
  samples: string[];
  cancelled: boolean;
  /** evalSignal stopped the evaluation of the splits before its end (their losses: NaN). */
  evaluationCut?: boolean;
}

export async function runTraining(data: Dataset, opts: RunOptions): Promise<RunResult> {
  const mlp = isNetModel(opts.model) ? checkNetTrainingHyper(opts.mlp ?? netModel(opts.model).defaults, netModel(opts.model).fields) : null;
  if (!mlp) checkNetHyper(opts.hyper);
  checkNumber('--smoothing', opts.smoothing, RULES.smoothing);
  checkNumber('--samples', opts.samples, RULES.samples);
  const V = data.symbols.length;
  const gpu = opts.device === 'gpu' ? await getGpu(opts) : null;
  const deviceDescription = gpu ? gpu.description : cpuDescription();
  const now = () => performance.now();

  let model: ModelFile;
  let result: Omit<RunResult, 'model' | 'samples' | 'device' | 'deviceDescription'>;
  if (mlp && isNetModel(opts.model)) {
    ({ model, result } = await runNet(opts.model, data, mlp, gpu, opts));
  } else if (opts.model === 'bigram-counts') {
    const t0 = now();
    const counts = gpu ? await gpu.bigramCounts(data.xs, data.ys, V) : bigramCountsCpu(data.xs, data.ys, V);
    const ms = now() - t0;
    const nll = countsNll(counts, countsToProbs(counts, V, opts.smoothing), V);
    result = { steps: 0, loss: nll, nll, msPerStep: ms, losses: new Float32Array(0), cancelled: false };
    model = countsModelFile(data.symbols, opts.smoothing, counts, nll);
  } else {
    const trainer = gpu
      ? await gpu.createBigramTrainer({ V, xs: data.xs, ys: data.ys }, opts.hyper)
      : new CpuBigramTrainer({ V, xs: data.xs, ys: data.ys }, opts.hyper);
    try {
      const netModel = (steps: number, loss: number, nll: number, weights: Float32Array) => bigramNetModelFile(data.symbols, opts.hyper, weights, steps, { loss, nll });
      const loop = await trainLoop(trainer, {
        steps: opts.hyper.steps, lr: opts.hyper.lr, chunk: opts.chunk, onProgress: opts.onProgress, signal: opts.signal, keepWeights: opts.keepWeights,
        defaultLr: DEFAULT_NET_HYPER.lr, advice: bigramRegAdvice(opts.hyper, V),
      }).catch((e) => keepPartial(e, (w, step) => netModel(step, NaN, NaN, w)));
      const final = await trainer.evaluate();
      const weights = await trainer.readWeights();
      result = { steps: loop.stepsDone, loss: final.loss, nll: final.nll, msPerStep: loop.msPerStep, losses: loop.losses, cancelled: loop.cancelled };
      model = netModel(loop.stepsDone, final.loss, final.nll, weights);
    } finally {
      trainer.dispose();
    }
  }
  const samples = modelSamples(model, opts.samples, opts.sampleSeed ?? (mlp ? mlp.seed : opts.hyper.seed), opts.sampleOptions);
  return { ...result, model, device: opts.device, deviceDescription, samples };
}

/** A neural model of the registry: split the words by the seed, train on the train split, evaluate every split. */
async function runNet(kind: NetModelKind, data: Dataset, hyper: MlpHyper, gpu: GpuBackend | null, opts: RunOptions) {
  const def = netModel(kind);
  const examples = def.data(data, hyper);
  hyper = def.resolve(hyper, examples);
  if (gpu && !gpu.createNetTrainer) throw new UserError(`--device gpu: this GPU backend cannot train the ${def.label}`);
  const trainer = gpu ? await gpu.createNetTrainer!(kind, examples, hyper) : new CpuNetTrainer(def.spec(examples, hyper), examples);
  const nan = { train: NaN, dev: NaN, test: NaN };
  try {
    const loop = await trainLoop(trainer, {
      steps: hyper.steps, lr: hyper.lr, chunk: opts.chunk, onProgress: opts.onProgress, signal: opts.signal, keepWeights: opts.keepWeights,
      defaultLr: def.defaultLr[hyper.optimizer],
    }).catch((e) => keepPartial(e, (w, step) => netModelFile(kind, data.symbols, hyper, w, step, nan)));
    let cut = false;
    const evaluate = async (name: SplitName) => {
      const report = opts.onEvalProgress;
      const total = examples[name].Y.length / (examples.targetsPerExample ?? 1);
      if (opts.evalSignal?.aborted) {
        cut ||= total > 0;
        return NaN;
      }
      report?.(name, 0, total);
      const loss = await trainer.evaluateSplit(name, report && ((done, total) => report(name, done, total)), opts.evalSignal);
      // Stopped between chunks (a split that was finished keeps its loss).
      cut ||= Boolean(opts.evalSignal?.aborted) && Number.isNaN(loss) && total > 0;
      return loss;
    };
    const losses = { train: await evaluate('train'), dev: await evaluate('dev'), test: await evaluate('test') };
    const weights = await trainer.readWeights();
    // Examples: the targets the loss is taken over (a sequence's masked positions are none).
    const split = Object.fromEntries(SPLIT_NAMES.map((n) => [n, { words: examples.words[n], examples: validTargets(examples[n].Y) }])) as RunResult['split'];
    const result = {
      steps: loop.stepsDone, loss: losses.train, nll: losses.train, devLoss: losses.dev, testLoss: losses.test, split,
      msPerStep: loop.msPerStep, losses: loop.losses, cancelled: loop.cancelled,
      ...(cut ? { evaluationCut: true } : {}),
    };
    return { model: netModelFile(kind, data.symbols, hyper, weights, loop.stepsDone, losses), result };
  } finally {
    trainer.dispose();
  }
}

/** Turn the weights an InterruptedError kept into a model file on it, and rethrow. */
function keepPartial(e: unknown, toModel: (weights: Float32Array, step: number) => ModelFile): never {
  if (e instanceof InterruptedError && e.lastWeights) e.partialModel = toModel(e.lastWeights, e.lastStep);
  throw e;
}

async function getGpu(opts: RunOptions): Promise<GpuBackend> {
  if (!opts.gpu) throw new UserError('--device gpu: no WebGPU backend is available here');
  return opts.gpu();
}

function validTargets(Y: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < Y.length; i++) if (Y[i] !== NO_TARGET) n++;
  return n;
}
