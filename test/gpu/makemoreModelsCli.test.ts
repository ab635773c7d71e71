/** `makemore train --model makemore-mlp|makemore-bigram --device gpu`: the CPU run's numbers, with the adapter. */
import { describe, expect, it } from 'vitest';
import { runCli, tempWordList } from '../helpers/cli.ts';

const { words } = tempWordList('makemore-gpu-own-models-cli-');

describe.each([
  ['makemore-mlp', ['--n-embd', '10', '--n-embd2', '9']],
  ['makemore-bigram', []],
])('makemore train --model %s --device gpu', (kind, shape) => {
  it('JSON like the CPU run, with the adapter: the same split and losses', async () => {
    const args = ['train', '--model', kind, '--input', words, ...shape, '--steps', '10', '--lr', '0.01', '--seed', '5', '--samples', '5', '--json'];
    const [gpu, cpu] = await Promise.all([runCli([...args, '--device', 'gpu'], 120_000), runCli([...args, '--device', 'cpu'])]);
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(cpu.code, cpu.stderr).toBe(0);
    const g = JSON.parse(gpu.stdout);
    const c = JSON.parse(cpu.stdout);
    expect(g).toMatchObject({ model: kind, device: 'gpu', steps: 10, dataset: c.dataset, split: c.split, parameters: c.parameters });
    expect(g.adapter).not.toBe(c.adapter);
    for (const key of ['loss', 'devLoss', 'testLoss']) expect(Math.abs(g[key] - c[key]) / c[key], key).toBeLessThan(1e-5);
    expect(g.samples).toHaveLength(5);
  }, 180_000);
});
