/** GPU errors that explain themselves: WGSL compile errors with file:line:column, cancellation between submits. */
import { describe, expect, it } from 'vitest';
import { datasetFromWords } from '../../src/data/dataset.ts';
import { openGpu } from '../../src/gpu/device.ts';
import { getPipeline } from '../../src/gpu/kernels.ts';
import { getNodeGpu } from '../../src/gpu/nodeGpu.ts';
import { nodeShaderFiles } from '../../src/gpu/shaders.node.ts';
import { GpuBigramTrainer } from '../../src/gpu/bigramTrainer.ts';
import { trainLoop } from '../../src/train/trainer.ts';
import { gpu } from './gpuHelpers.ts';

describe('GPU errors', () => {
  it('a WGSL compile error names the shader file, line and column, and shows the line', async () => {
    // softmax_forward with a typo on its 3rd line of code: the message must point there.
    const broken = (path: string) =>
      path === 'softmax_forward.wgsl'
        ? nodeShaderFiles(path).replace('var m = logits[row];', 'var m = logitz[row];')
        : nodeShaderFiles(path);
    const ctx = await openGpu(await getNodeGpu(), broken);
    const line = nodeShaderFiles('softmax_forward.wgsl').split('\n').findIndex((l) => l.includes('var m = logits[row];')) + 1;
    const err = await getPipeline(ctx, { stem: 'softmax_forward', defines: { V: 5, cols: 1, update: true }, overrides: { WG: 64 } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`shaders/softmax_forward\\.wgsl:${line}:\\d+: .*logitz`));
    expect((err as Error).message).toContain('var m = logitz[row];');
  });

  it('cancelling stops between submits, with the steps done so far', async () => {
    const ctx = await gpu();
    const d = datasetFromWords(['emma', 'olivia', 'ava'], 'tiny');
    const t = await GpuBigramTrainer.create(ctx, { V: d.symbols.length, xs: d.xs, ys: d.ys }, { steps: 1000, lr: 1, reg: 0, batchSize: 0, seed: 1 });
    const controller = new AbortController();
    const result = await trainLoop(t, {
      steps: 1000, chunk: 10, lr: 1, signal: controller.signal,
      onProgress: (p) => { if (p.step >= 30) controller.abort(); },
    });
    expect(result.cancelled).toBe(true);
    expect(result.stepsDone).toBe(30);
    expect(t.step).toBe(30);
    expect(result.losses).toHaveLength(30);
    t.dispose();
  });
});
