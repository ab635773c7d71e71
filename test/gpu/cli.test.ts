/** The CLI trains on the GPU through its real entry point, with the adapter in its JSON. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModel } from '../../src/models/modelFile.ts';
import { runCli, spawnCliGroup } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'makemore-gpu-cli-'));
const words = join(dir, 'words.txt');
writeFileSync(words, 'emma\nolivia\nava\nisabella\nsophia\nmia\namelia\nharper\nevelyn\nabigail\n');

describe('makemore train --device gpu', () => {
  it('bigram-nn: JSON like the CPU run, with the adapter, and the same loss', async () => {
    const args = ['train', '--model', 'bigram-nn', '--input', words, '--steps', '30', '--lr', '10', '--seed', '3', '--samples', '5', '--json'];
    const [gpu, cpu] = await Promise.all([runCli([...args, '--device', 'gpu']), runCli([...args, '--device', 'cpu'])]);
    expect(gpu.code, gpu.stderr).toBe(0);
    const g = JSON.parse(gpu.stdout);
    const c = JSON.parse(cpu.stdout);
    expect(g).toMatchObject({ model: 'bigram-nn', device: 'gpu', steps: 30, dataset: c.dataset });
    expect(g.adapter).toMatch(/\S/);
    expect(g.adapter).not.toBe(c.adapter);
    expect(Math.abs(g.loss - c.loss) / c.loss).toBeLessThan(1e-5);
    expect(Math.abs(g.nll - c.nll) / c.nll).toBeLessThan(1e-5);
    expect(g.samples).toHaveLength(5);
  });

  it('Ctrl-C stops a GPU run after the submit under way, reports its steps and saves those weights', async () => {
    const model = join(dir, 'interrupted.json');
    const run = spawnCliGroup(['train', '--device', 'gpu', '--input', words, '--steps', '10000000', '--samples', '2', '--save', model]);
    await run.stderrHas('step 1/10000000');
    run.interrupt();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(130);
    const steps = Number(r.stdout.match(/^cancelled after (\d+) steps?$/m)?.[1]);
    expect(steps, r.stdout).toBeGreaterThanOrEqual(1);
    expect(parseModel(readFileSync(model, 'utf8'), model).steps).toBe(steps);
  });

  it('bigram-counts: the same NLL as the CPU', async () => {
    const args = ['train', '--model', 'bigram-counts', '--input', words, '--json'];
    const [gpu, cpu] = await Promise.all([runCli([...args, '--device', 'gpu']), runCli([...args, '--device', 'cpu'])]);
    expect(gpu.code, gpu.stderr).toBe(0);
    const g = JSON.parse(gpu.stdout);
    expect(g.device).toBe('gpu');
    expect(g.nll).toBe(JSON.parse(cpu.stdout).nll); // integer counts: identical
    expect(g.samples).toEqual(JSON.parse(cpu.stdout).samples);
  });
});

describe('makemore.py’s command line, --device gpu', () => {
  it('the same step losses and test loss as the CPU, within float32 rounding', async () => {
    const args = (device: string) => ['-i', words, '-o', join(dir, `out-${device}`), '--n-layer', '1', '--n-head', '2', '--n-embd', '8', '-b', '4', '--max-steps', '30', '--device', device];
    const [gpu, cpu] = await Promise.all([runCli(args('gpu')), runCli(args('cpu'))]);
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(cpu.code, cpu.stderr).toBe(0);
    const losses = (out: string) => [...out.matchAll(/^step \d+ \| loss (\d+\.\d+)/gm)].map((m) => Number(m[1]));
    const test = (out: string) => Number(/test loss: (\d+\.\d+)$/m.exec(out)![1]);
    expect(losses(gpu.stdout)).toHaveLength(3);
    // Printed to 4 decimals: equal, or one unit apart where a value sits on a rounding edge.
    losses(gpu.stdout).forEach((l, i) => expect(Math.abs(l - losses(cpu.stdout)[i])).toBeLessThanOrEqual(1.5e-4));
    expect(Math.abs(test(gpu.stdout) - test(cpu.stdout))).toBeLessThanOrEqual(1.5e-4);
  });
});
