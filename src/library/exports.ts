/**
 * What both entries export alike (src/index.ts for any runtime, src/node.ts for Node): each adds
 * its own openGpu, createTrainer and loadDefaultNames, the Node entry its file helpers.
 */
export { datasetFromWords, parseWordList, type Dataset, type ParseOptions } from '../data/dataset.ts';
export { parseModel, serializeModel, type ModelFile } from '../models/modelFile.ts';
export { UserError } from '../errors.ts';
export { DivergedError, InterruptedError, type Progress, type TrainLoopResult } from '../train/trainer.ts';
export type {
  BigramNetHyper, DeviceKind, MlpHyper, ModelKind, NetTrainingHyper, SequenceHyper, TransformerHyper,
} from '../train/hyper.ts';
export {
  modelDefaults, modelKinds, sample, trainLoop,
  type CountsHyper, type Evaluation, type GpuDevice, type ModelHyper, type ModelTrainer, type SampleOptions, type TrainerOptions, type TrainLoopOptions,
} from './trainer.ts';
