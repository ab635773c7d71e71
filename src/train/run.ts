/**
 * One training run, as the CLI and the page ask for it: a model kind, a device, the
 * hyper-parameters → a model file, its loss, timings and samples.
 */
import { UserError } from '../errors.ts';
import type { Dataset } from '../data/dataset.ts';
import { bigramCountsCpu, countsNll, countsToProbs } from '../models/bigramCounts.ts';
import { modelProbabilities, type ModelFile } from '../models/modelFile.ts';
import { sampleWords } from '../models/sample.ts';
import { CpuBigramTrainer } from './cpuTrainer.ts';
import { checkNetHyper, checkNumber, RULES, type BigramNetHyper, type DeviceKind, type ModelKind } from './hyper.ts';
import { cpuDescription } from './platform.ts';
import { trainLoop, type BigramTrainer, type Progress } from './trainer.ts';

/** What a GPU backend offers the run (Node and the browser acquire devices differently). */
export interface GpuBackend {
  description: string;
  bigramCounts(xs: Uint32Array, ys: Uint32Array, V: number): Promise<Uint32Array>;
  createBigramTrainer(data: { V: number; xs: Uint32Array; ys: Uint32Array }, hyper: BigramNetHyper): Promise<BigramTrainer>;
}

export interface RunOptions {
  model: ModelKind;
  device: DeviceKind;
  hyper: BigramNetHyper;
  smoothing: number;
  samples: number;
  /** Seed for the samples (the training seed by default). */
  sampleSeed?: number;
  gpu?: () => Promise<GpuBackend>;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Steps per chunk (one GPU submit). */
  chunk?: number;
}

export interface RunResult {
  model: ModelFile;
  device: DeviceKind;
  deviceDescription: string;
  steps: number;
  loss: number;
  nll: number;
  msPerStep: number;
  /** (steps,) the loss of every step; empty for the counting model. */
  losses: Float32Array;
  samples: string[];
  cancelled: boolean;
}

export async function runTraining(data: Dataset, opts: RunOptions): Promise<RunResult> {
  checkNetHyper(opts.hyper);
  checkNumber('--smoothing', opts.smoothing, RULES.smoothing);
  checkNumber('--samples', opts.samples, RULES.samples);
  const V = data.symbols.length;
  const gpu = opts.device === 'gpu' ? await getGpu(opts) : null;
  const deviceDescription = gpu ? gpu.description : cpuDescription();
  const now = () => performance.now();

  let model: ModelFile;
  let result: Omit<RunResult, 'model' | 'samples' | 'device' | 'deviceDescription'>;
  if (opts.model === 'bigram-counts') {
    const t0 = now();
    const counts = gpu ? await gpu.bigramCounts(data.xs, data.ys, V) : bigramCountsCpu(data.xs, data.ys, V);
    const ms = now() - t0;
    const nll = countsNll(counts, countsToProbs(counts, V, opts.smoothing), V);
    result = { steps: 0, loss: nll, nll, msPerStep: ms, losses: new Float32Array(0), cancelled: false };
    model = {
      format: 'makemore-webgpu/model', version: 1, kind: 'bigram-counts', symbols: data.symbols,
      hyper: { smoothing: opts.smoothing }, steps: 0, loss: nll, nll, weights: Array.from(counts),
    };
  } else {
    const trainer = gpu
      ? await gpu.createBigramTrainer({ V, xs: data.xs, ys: data.ys }, opts.hyper)
      : new CpuBigramTrainer({ V, xs: data.xs, ys: data.ys }, opts.hyper);
    try {
      const loop = await trainLoop(trainer, {
        steps: opts.hyper.steps, lr: opts.hyper.lr, chunk: opts.chunk, onProgress: opts.onProgress, signal: opts.signal,
      });
      const final = await trainer.evaluate();
      const weights = await trainer.readWeights();
      result = { steps: loop.stepsDone, loss: final.loss, nll: final.nll, msPerStep: loop.msPerStep, losses: loop.losses, cancelled: loop.cancelled };
      model = {
        format: 'makemore-webgpu/model', version: 1, kind: 'bigram-nn', symbols: data.symbols,
        hyper: { ...opts.hyper }, steps: loop.stepsDone, loss: final.loss, nll: final.nll, weights: Array.from(weights),
      };
    } finally {
      trainer.dispose();
    }
  }
  const samples = sampleWords(modelProbabilities(model), data.symbols, opts.samples, opts.sampleSeed ?? opts.hyper.seed);
  return { ...result, model, device: opts.device, deviceDescription, samples };
}

async function getGpu(opts: RunOptions): Promise<GpuBackend> {
  if (!opts.gpu) throw new UserError('--device gpu: no WebGPU backend is available here');
  return opts.gpu();
}
