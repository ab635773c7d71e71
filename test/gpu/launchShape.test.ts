/**
 * The fused bigram step's launch shape: the ladder of candidates walked by timing, the choice
 * kept per adapter and kernel, the caller's options and small data left untimed, and every
 * choice training to the CPU's losses (shapes reorder float32 sums only).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { datasetFromWords } from '../../src/data/dataset.ts';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { GpuBigramTrainer } from '../../src/gpu/bigramTrainer.ts';
import {
  clearMeasuredLaunches, describeLaunch, LAUNCH_CANDIDATES, MEASURE_MAX_EXAMPLES, measuredLaunch, measuredLaunches, sampleExamples, type LaunchShape,
} from '../../src/gpu/launchShape.ts';
import { CpuBigramTrainer } from '../../src/train/cpuTrainer.ts';
import { expectAllClose, gpu } from './gpuHelpers.ts';

const names = loadDefaultDataset();
const data = { V: names.symbols.length, xs: names.xs, ys: names.ys };
const index = (s: LaunchShape) => LAUNCH_CANDIDATES.findIndex((c) => c.chunkSize === s.chunkSize && c.fusedWorkgroup === s.fusedWorkgroup);

describe('launch shape ladder', () => {
  beforeEach(() => clearMeasuredLaunches());

  it('walks the candidates until one is slower than the best so far, and keeps the fastest', async () => {
    const ms = [40, 30, 35, 10]; // the last is never reached: the third lost
    const timed: number[] = [];
    const choice = await measuredLaunch('fake', async (s) => (timed.push(index(s)), ms[index(s)]));
    expect(timed).toEqual([0, 1, 2]);
    expect(index(choice)).toBe(1);
    expect(choice.how).toBe('measured');
    expect(choice.timings.map((t) => t.ms)).toEqual([40, 30, 35]);
    expect(describeLaunch(choice)).toMatch(/^C 2048, 32 threads \(measured: 8192×32 40\.0 ms, 2048×32 30\.0 ms, 1024×64 35\.0 ms\)$/);
  });

  it('times every candidate while each is faster, and once per key', async () => {
    let calls = 0;
    const time = async (s: LaunchShape) => (calls++, 100 - index(s));
    const [a, b] = await Promise.all([measuredLaunch('k', time), measuredLaunch('k', time)]);
    expect(a).toBe(b);
    expect(calls).toBe(LAUNCH_CANDIDATES.length);
    expect(index(a)).toBe(LAUNCH_CANDIDATES.length - 1);
    await measuredLaunch('other adapter', time);
    expect(calls).toBe(2 * LAUNCH_CANDIDATES.length);
    expect((await measuredLaunches()).map((c) => c.key)).toEqual(['k', 'other adapter']);
  });

  it('a timing that fails is not remembered', async () => {
    await expect(measuredLaunch('k', async () => { throw new Error('lost'); })).rejects.toThrow('lost');
    expect(index(await measuredLaunch('k', async () => 1))).toBe(0);
  });

  it('large data is sampled evenly for the timing', () => {
    const N = 3 * MEASURE_MAX_EXAMPLES + 5;
    const xs = Uint32Array.from({ length: N }, (_, i) => i);
    const s = sampleExamples(xs, xs);
    expect(s.xs.length).toBe(MEASURE_MAX_EXAMPLES);
    expect(s.xs[0]).toBe(0);
    expect(s.xs[MEASURE_MAX_EXAMPLES - 1]).toBeGreaterThanOrEqual(N - Math.ceil(N / MEASURE_MAX_EXAMPLES));
    expect(sampleExamples(xs.subarray(0, 10), xs.subarray(0, 10)).xs.length).toBe(10);
  });
});

describe('GPU trainer launch shape', () => {
  it('is measured on first use on this adapter, shared after, and trains to the CPU losses', async () => {
    const ctx = await gpu();
    const hyper = { steps: 10, lr: 50, reg: 0.01, batchSize: 0, seed: 6 };
    const first = await GpuBigramTrainer.create(ctx, data, hyper);
    expect(first.launch.how).toBe('measured');
    expect(first.launch.key).toContain(ctx.description);
    expect(index(first.launch)).toBeGreaterThanOrEqual(0);
    for (const t of first.launch.timings) expect(t.ms).toBeGreaterThan(0);
    console.log(`launch shape on ${ctx.description}: ${describeLaunch(first.launch)}`);
    const second = await GpuBigramTrainer.create(ctx, data, { ...hyper, batchSize: 64 });
    expect(second.launch).toBe(first.launch);
    const cpu = await new CpuBigramTrainer(data, hyper).runSteps(10);
    expectAllClose('measured shape losses', await first.runSteps(10), cpu, { rtol: 1e-5, atol: 0 });
    first.dispose();
    second.dispose();
  });

  it('the caller’s shape and small data are not timed', async () => {
    const ctx = await gpu();
    const hyper = { steps: 1, lr: 1, reg: 0, batchSize: 0, seed: 0 };
    const given = await GpuBigramTrainer.create(ctx, data, hyper, { chunkSize: 300 });
    expect(given.launch).toMatchObject({ how: 'given', chunkSize: 300, fusedWorkgroup: LAUNCH_CANDIDATES[0].fusedWorkgroup, timings: [] });
    const d = datasetFromWords(['ab', 'ba'], 'tiny');
    const tiny = await GpuBigramTrainer.create(ctx, { V: d.symbols.length, xs: d.xs, ys: d.ys }, hyper);
    expect(tiny.launch).toMatchObject({ how: 'small data', ...LAUNCH_CANDIDATES[0], timings: [] });
    given.dispose();
    tiny.dispose();
  });
});
