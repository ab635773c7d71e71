/**
 * The library's trainer: one object per model of the registry on either device, built from the
 * pieces the CLI's run uses (src/train/run.ts): the registry's data and specs, the CPU and GPU
 * trainers, trainLoop, the model-file builders. The entries (src/index.ts, src/node.ts) differ
 * only in how they acquire a GPU.
 */
import { UserError } from '../errors.ts';
import type { Dataset } from '../data/dataset.ts';
import type { ContextData } from '../data/contexts.ts';
import { bigramCountsCpu, countsNll, countsToProbs } from '../models/bigramCounts.ts';
import { bigramNetModelFile, countsModelFile, modelSamples, netModelFile, type ModelFile } from '../models/modelFile.ts';
import { isNetModel, MODEL_KINDS, netModel, type NetModelKind } from '../models/registry.ts';
import type { GpuContext } from '../gpu/device.ts';
import { CpuNetTrainer } from '../nn/cpuTrainer.ts';
import { CpuBigramTrainer } from '../train/cpuTrainer.ts';
import { OPTIMIZER_KINDS } from '../ops/optimizers.ts';
import { SPLIT_SHUFFLES, type SplitShuffle } from '../data/split.ts';
import { defaultRates } from '../models/netModel.ts';
import { cpuDescription } from '../train/platform.ts';
import {
  BIGRAM_NET_RULES, checkNetHyper, checkNetTrainingHyper, checkNumber, DEFAULT_NET_HYPER, DEFAULT_SMOOTHING, describeRule, NET_TRAINING_RULES, RULES,
  type BigramNetHyper, type DeviceKind, type HyperRule, type MlpHyper, type ModelKind, type SequenceHyper, type TransformerHyper,
} from '../train/hyper.ts';
import type { GpuBackend } from '../train/run.ts';
import {
  bigramRegAdvice, InterruptedError, trainLoop as runTrainLoop, type MlpTrainer, type Progress, type Trainer, type TrainLoopResult,
} from '../train/trainer.ts';

/** The counting bigram's one setting: add-K smoothing of its count table. */
export interface CountsHyper {
  smoothing: number;
}

/** Each model kind's hyper-parameters (defaults: {@link modelDefaults}). */
export interface ModelHyper {
  'bigram-counts': CountsHyper;
  'bigram-nn': BigramNetHyper;
  mlp: MlpHyper;
  transformer: TransformerHyper;
  rnn: SequenceHyper;
  gru: SequenceHyper;
  bow: SequenceHyper;
  'makemore-mlp': SequenceHyper;
  'makemore-bigram': SequenceHyper;
}

/** A WebGPU device opened by `openGpu`: it can be shared by any number of trainers. */
export interface GpuDevice {
  /** The adapter, for reports: "SwiftShader Device (Subzero) (google, swiftshader; software)". */
  readonly description: string;
  /** A software adapter (e.g. SwiftShader): its timings say little about real GPUs. */
  readonly software: boolean;
}

/** What `trainer.evaluate()` reports; the same fields as a model file's. */
export interface Evaluation {
  /** The loss being minimised: over all examples (bigrams, with the neural bigram's regularisation), over the train split (neural models). */
  loss: number;
  /** Its mean negative log-likelihood part. */
  nll: number;
  /** Neural models: the mean NLL over the dev and test splits (NaN for an empty split). */
  devLoss?: number;
  testLoss?: number;
}

export interface TrainerOptions<K extends ModelKind = ModelKind> {
  /** Where to train: 'cpu' (default) or 'gpu' (WebGPU). */
  device?: DeviceKind;
  /** Hyper-parameters to change from the model's defaults ({@link modelDefaults}); each is checked. */
  hyper?: Partial<ModelHyper[K]>;
  /** The GPU to train on (device 'gpu'); by default the entry's own, opened once and shared. */
  gpu?: GpuDevice;
}

/** A model being trained on one device: drive it with {@link trainLoop}, then evaluate it and take its model file. */
export interface ModelTrainer<K extends ModelKind = ModelKind> {
  readonly kind: K;
  readonly device: DeviceKind;
  /** The adapter or CPU that runs the work. */
  readonly deviceDescription: string;
  /** The hyper-parameters in force: the defaults, the options, and what the data decided (a sequence model's block size). */
  readonly hyper: Readonly<ModelHyper[K]>;
  /** Steps taken so far. */
  readonly step: number;
  /** The losses of the current weights (over whole splits for a neural model). */
  evaluate(): Promise<Evaluation>;
  /** The current weights as a model file (for `sample`, `serializeModel`); evaluates them unless given the evaluation. */
  modelFile(evaluation?: Evaluation): Promise<ModelFile>;
  /** Free the trainer's memory (its GPU buffers); the trainer cannot be used after. */
  dispose(): void;
}

export interface TrainLoopOptions {
  /** Steps to run now (default: the rest of `hyper.steps`; 0 once they are done). */
  steps?: number;
  /** Called after every chunk of steps (one GPU submit, about 250 ms of work); its `step` counts this call's steps. */
  onProgress?: (progress: Progress) => void;
  /** Stops the loop after the chunk under way; the result then says `cancelled`. */
  signal?: AbortSignal;
  /**
   * Read the weights back after every chunk, so that an InterruptedError (a lost GPU device)
   * carries the last ones as a model file (`partialModel`).
   */
  keepWeights?: boolean;
}

/** The trainer behind a ModelTrainer (absent for the counting model, which counts once). */
interface Internals {
  trainer: Trainer | null;
  lr: number;
  defaultLr: number;
  advice?: string;
  toModelFile(weights: ArrayLike<number>, step: number, e: Evaluation): ModelFile;
}

const internals = new WeakMap<object, Internals>();
const gpuContexts = new WeakMap<GpuDevice, GpuBackend>();

/** `open`, called on first use and then shared; a failure is not kept, so a later call tries again. */
export function sharedOpener(open: () => Promise<GpuDevice>): () => Promise<GpuDevice> {
  let opened: Promise<GpuDevice> | null = null;
  return () => {
    opened ??= open().catch((e) => {
      opened = null;
      throw e;
    });
    return opened;
  };
}

/** The handle of an opened GPU backend (src/gpu/gpuBackend.ts): the backend itself stays inside the library. */
export function gpuDeviceOf(backend: GpuBackend & { ctx: GpuContext }): GpuDevice {
  const device: GpuDevice = Object.freeze({ description: backend.description, software: backend.ctx.adapter.software });
  gpuContexts.set(device, backend);
  return device;
}

/** Every model kind, in the registry's order: 'bigram-counts', 'bigram-nn', 'mlp', … */
export const modelKinds: readonly ModelKind[] = MODEL_KINDS;

/** A model kind's default hyper-parameters (a copy). */
export function modelDefaults<K extends ModelKind>(kind: K): ModelHyper[K] {
  checkKind(kind);
  if (kind === 'bigram-counts') return { smoothing: DEFAULT_SMOOTHING } as ModelHyper[K];
  if (kind === 'bigram-nn') return { ...DEFAULT_NET_HYPER } as ModelHyper[K];
  return { ...netModel(kind).defaults } as ModelHyper[K];
}

function checkKind(kind: string): asserts kind is ModelKind {
  if (!MODEL_KINDS.includes(kind as ModelKind)) throw new UserError(`unknown model kind ${JSON.stringify(kind)} (known: ${MODEL_KINDS.join(', ')})`);
}

/** A number of `hyper` against its rule, named as the caller wrote it. */
function checkHyperNumber(name: string, value: unknown, rule: HyperRule['rule']): void {
  if (typeof value !== 'number') throw new UserError(`${name} must be ${describeRule(rule)}, got ${JSON.stringify(value)}`);
  checkNumber(name, value, rule);
}

/**
 * The defaults overridden by `given`: unknown keys are refused, each value is checked by the
 * rule of the CLI flag that sets it, and the neural models' rates follow the CLI's defaults
 * (another optimiser's default rate; the final rate of a given rate).
 */
export function resolveHyper<K extends ModelKind>(kind: K, given: Partial<ModelHyper[K]> = {}): ModelHyper[K] {
  checkKind(kind);
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new UserError(`hyper must be an object of hyper-parameters, got ${JSON.stringify(given)}`);
  const g = given as Record<string, unknown>;
  const rules: readonly HyperRule[] = kind === 'bigram-counts'
    ? [{ key: 'smoothing', flag: 'smoothing', rule: RULES.smoothing }]
    : kind === 'bigram-nn' ? BIGRAM_NET_RULES : [...NET_TRAINING_RULES, ...netModel(kind).fields];
  const known = [...rules.map((r) => r.key), ...(isNetModel(kind) ? ['optimizer', 'shuffle'] : [])];
  for (const key of Object.keys(g)) {
    if (!known.includes(key)) throw new UserError(`hyper.${key} is not a hyper-parameter of ${kind} (its hyper-parameters: ${known.join(', ')})`);
  }
  for (const r of rules) if (g[r.key] !== undefined) checkHyperNumber(`hyper.${r.key}`, g[r.key], r.rule);
  const defaults = modelDefaults(kind) as unknown as Record<string, unknown>;
  const defined = Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined));
  if (!isNetModel(kind)) return { ...defaults, ...defined } as unknown as ModelHyper[K];
  const def = netModel(kind);
  const d = def.defaults as MlpHyper;
  const optimizer = g.optimizer ?? d.optimizer;
  if (!OPTIMIZER_KINDS.includes(optimizer as MlpHyper['optimizer'])) {
    throw new UserError(`hyper.optimizer must be one of ${OPTIMIZER_KINDS.join(', ')}, got ${JSON.stringify(optimizer)}`);
  }
  if (g.shuffle !== undefined && !SPLIT_SHUFFLES.includes(g.shuffle as SplitShuffle)) {
    throw new UserError(`hyper.shuffle must be one of ${SPLIT_SHUFFLES.join(', ')} (torch: makemore.py's split), got ${JSON.stringify(g.shuffle)}`);
  }
  const rates = defaultRates(def, optimizer as MlpHyper['optimizer'], g.lr as number | undefined);
  const lr = rates.lr;
  const lrFinal = (g.lrFinal as number | undefined) ?? rates.lrFinal;
  const h = { ...defaults, ...defined, optimizer, lr, lrFinal } as unknown as MlpHyper;
  // The checks across fields (the dev and test shares leave words to train on).
  return checkNetTrainingHyper(h, def.fields) as unknown as ModelHyper[K];
}

function checkDataset(data: Dataset): void {
  const d = data as Partial<Dataset> | null;
  if (!d || typeof d !== 'object' || !Array.isArray(d.words) || !Array.isArray(d.symbols) || !(d.xs instanceof Uint32Array) || !(d.ys instanceof Uint32Array)) {
    throw new UserError('the data must be a Dataset, as parseWordList or datasetFromWords return it');
  }
}

/**
 * A trainer of `kind` on `data`, on the CPU or the GPU. `gpu` opens the entry's GPU when the
 * options name none (navigator.gpu in a page, Dawn in Node).
 */
export async function createTrainerWith<K extends ModelKind>(
  kind: K, data: Dataset, options: TrainerOptions<K>, defaultGpu: () => Promise<GpuDevice>,
): Promise<ModelTrainer<K>> {
  checkKind(kind);
  checkDataset(data);
  const device = options.device ?? 'cpu';
  if (device !== 'cpu' && device !== 'gpu') throw new UserError(`device must be 'cpu' or 'gpu', got ${JSON.stringify(device)}`);
  const hyper = resolveHyper(kind, options.hyper);
  let gpu: GpuBackend | null = null;
  if (device === 'gpu') {
    const handle = options.gpu ?? await defaultGpu();
    gpu = gpuContexts.get(handle) ?? null;
    if (!gpu) throw new UserError('options.gpu must be a GpuDevice opened by openGpu()');
  }
  const deviceDescription = gpu ? gpu.description : cpuDescription();
  const V = data.symbols.length;
  const base = { kind, device, deviceDescription };

  if (kind === 'bigram-counts') {
    const { smoothing } = hyper as CountsHyper;
    const counts = gpu ? await gpu.bigramCounts(data.xs, data.ys, V) : bigramCountsCpu(data.xs, data.ys, V);
    const nll = countsNll(counts, countsToProbs(counts, V, smoothing), V);
    const counted: ModelTrainer<K> = {
      ...base, hyper, step: 0,
      evaluate: async () => ({ loss: nll, nll }),
      modelFile: async () => countsModelFile(data.symbols, smoothing, counts, nll),
      dispose: () => {},
    };
    internals.set(counted, { trainer: null, lr: 0, defaultLr: 0, toModelFile: () => countsModelFile(data.symbols, smoothing, counts, nll) });
    return counted;
  }

  if (kind === 'bigram-nn') {
    const h = checkNetHyper(hyper as BigramNetHyper);
    const examples = { V, xs: data.xs, ys: data.ys };
    const trainer = gpu ? await gpu.createBigramTrainer(examples, h) : new CpuBigramTrainer(examples, h);
    return wrap(base, hyper, trainer, async () => trainer.evaluate(), {
      lr: h.lr, defaultLr: DEFAULT_NET_HYPER.lr, advice: bigramRegAdvice(h, V),
      toModelFile: (w, step, e) => bigramNetModelFile(data.symbols, h, w, step, e),
    });
  }

  const netKind = kind as NetModelKind;
  const def = netModel(netKind);
  const examples: ContextData = def.data(data, hyper);
  const resolved = def.resolve(hyper, examples) as MlpHyper;
  if (gpu && !gpu.createNetTrainer) throw new UserError(`this GPU backend cannot train the ${def.label}`);
  const trainer: MlpTrainer = gpu ? await gpu.createNetTrainer!(netKind, examples, resolved) : new CpuNetTrainer(def.spec(examples, resolved), examples);
  const evaluate = async (): Promise<Evaluation> => {
    const train = await trainer.evaluateSplit('train');
    return { loss: train, nll: train, devLoss: await trainer.evaluateSplit('dev'), testLoss: await trainer.evaluateSplit('test') };
  };
  return wrap(base, resolved as unknown as ModelHyper[K], trainer, evaluate, {
    lr: resolved.lr, defaultLr: def.defaultLr[resolved.optimizer],
    toModelFile: (w, step, e) => netModelFile(netKind, data.symbols, resolved, w, step, {
      train: e.loss, dev: e.devLoss ?? NaN, test: e.testLoss ?? NaN,
    }),
  });
}

function wrap<K extends ModelKind>(
  base: Pick<ModelTrainer<K>, 'kind' | 'device' | 'deviceDescription'>, hyper: ModelHyper[K], trainer: Trainer,
  evaluate: () => Promise<Evaluation>, rest: Omit<Internals, 'trainer'>,
): ModelTrainer<K> {
  const wrapped: ModelTrainer<K> = {
    ...base,
    hyper,
    get step() { return trainer.step; },
    evaluate,
    async modelFile(evaluation) {
      const e = evaluation ?? await evaluate();
      return rest.toModelFile(await trainer.readWeights(), trainer.step, e);
    },
    dispose: () => trainer.dispose(),
  };
  internals.set(wrapped, { trainer, ...rest });
  return wrapped;
}

/**
 * Train: run the steps in chunks (one GPU submit each), report progress after each, stop
 * between chunks when `signal` aborts. A diverging loss throws a DivergedError (it names the
 * step and what to change); a failure of the device, an InterruptedError.
 */
export async function trainLoop(trainer: ModelTrainer, options: TrainLoopOptions = {}): Promise<TrainLoopResult> {
  const inner = internals.get(trainer);
  if (!inner) throw new UserError('trainLoop needs a trainer made by createTrainer');
  const planned = (trainer.hyper as { steps?: number }).steps ?? 0;
  const steps = options.steps ?? Math.max(0, planned - trainer.step);
  if (options.steps !== undefined) checkNumber('steps', steps, { integer: true, min: 0, max: RULES.steps.max });
  if (!inner.trainer || steps === 0) return { losses: new Float32Array(0), stepsDone: 0, msPerStep: 0, cancelled: false };
  const nan = { loss: NaN, nll: NaN, devLoss: NaN, testLoss: NaN };
  try {
    return await runTrainLoop(inner.trainer, {
      steps, lr: inner.lr, defaultLr: inner.defaultLr, advice: inner.advice,
      onProgress: options.onProgress, signal: options.signal, keepWeights: options.keepWeights,
    });
  } catch (e) {
    if (e instanceof InterruptedError && e.lastWeights) e.partialModel = inner.toModelFile(e.lastWeights, e.lastStep, nan);
    throw e;
  }
}

/** Options of {@link sample}. */
export interface SampleOptions {
  /** The seed of the draws (default 42): the same seed, the same words. */
  seed?: number;
  /** Neural models: the logits are divided by it (default 1, the model's own distribution). */
  temperature?: number;
  /** Neural models: draw from the k likeliest symbols only (default 0: all). */
  topK?: number;
}

/** `count` words drawn from a model file, each from the boundary to the boundary. */
export function sample(model: ModelFile, count: number, options: SampleOptions = {}): string[] {
  checkNumber('count', count, RULES.samples);
  const seed = checkNumber('seed', options.seed ?? DEFAULT_NET_HYPER.seed, RULES.seed);
  const temperature = checkNumber('temperature', options.temperature ?? 1, RULES.temperature);
  const topK = checkNumber('topK', options.topK ?? 0, RULES.topK);
  return modelSamples(model, count, seed, { temperature, topK });
}
