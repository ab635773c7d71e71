/** The context model's trainers as the tests build them: the registry's spec on the generic CPU and GPU trainers. */
import type { ContextData } from '../../src/data/contexts.ts';
import type { GpuContext } from '../../src/gpu/device.ts';
import { mlpNetSpec } from '../../src/models/mlp/net.ts';
import { CpuNetTrainer } from '../../src/nn/cpuTrainer.ts';
import { GpuNetTrainer, type GpuNetOptions } from '../../src/nn/gpuTrainer.ts';
import type { MlpHyper } from '../../src/train/hyper.ts';

export function cpuMlp(data: ContextData, hyper: MlpHyper, make: new (n: number) => Float32Array | Float64Array = Float32Array, initial?: ArrayLike<number>): CpuNetTrainer {
  return new CpuNetTrainer(mlpNetSpec(data, hyper), data, make, initial);
}

export function gpuMlp(ctx: GpuContext, data: ContextData, hyper: MlpHyper, opts: GpuNetOptions = {}, initial?: ArrayLike<number>): Promise<GpuNetTrainer> {
  return GpuNetTrainer.create(ctx, mlpNetSpec(data, hyper), data, opts, initial);
}
