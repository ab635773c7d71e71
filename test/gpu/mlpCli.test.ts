/** `makemore train --model mlp --device gpu`: the CPU run's numbers, with the adapter. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'makemore-gpu-mlp-cli-'));
const words = join(dir, 'words.txt');
writeFileSync(words, loadDefaultDataset().words.filter((_, i) => i % 20 === 0).join('\n') + '\n');

describe('makemore train --model mlp --device gpu', () => {
  it('JSON like the CPU run, with the adapter: the same split and losses', async () => {
    const args = ['train', '--model', 'mlp', '--input', words, '--steps', '200', '--seed', '5', '--samples', '5', '--json'];
    const [gpu, cpu] = await Promise.all([runCli([...args, '--device', 'gpu'], 120_000), runCli([...args, '--device', 'cpu'])]);
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(cpu.code, cpu.stderr).toBe(0);
    const g = JSON.parse(gpu.stdout);
    const c = JSON.parse(cpu.stdout);
    expect(g).toMatchObject({ model: 'mlp', device: 'gpu', steps: 200, dataset: c.dataset, split: c.split });
    expect(g.adapter).not.toBe(c.adapter);
    for (const key of ['loss', 'devLoss', 'testLoss']) expect(Math.abs(g[key] - c[key]) / c[key], key).toBeLessThan(1e-5);
    expect(g.samples).toHaveLength(5);
  });
});
