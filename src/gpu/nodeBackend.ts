import { UserError } from '../errors.ts';
import type { GpuBackend } from '../train/run.ts';
export async function createNodeGpuBackend(): Promise<GpuBackend> {
  throw new UserError('--device gpu is not available yet');
}
