/** The benchmark page's numbers without a browser: table lines, chart data, the report, and timing on a coarse clock. */
import { describe, expect, it } from 'vitest';
import { buildReport, formatN, kernelData, ladderData, ladderLines, reportFileName, stepData, tableLines, type BenchEnv } from '../bench/page/report.ts';
import { time } from '../bench/stats.ts';
import { compare, crossover, crossoverSentence, type Row } from '../bench/suite.ts';

const ms = (median: number) => ({ median, min: median, max: median, runs: 1 });
const row = (r: Partial<Row> & Pick<Row, 'suite' | 'name' | 'device' | 'N'>): Row => ({ V: 27, ms: ms(1), ...r });

const ROWS: Row[] = [
  row({ suite: 'kernel', name: 'softmax_forward', device: 'gpu', N: 100, ms: ms(2), bytes: 8e6 }),
  row({ suite: 'kernel', name: 'bigram_step_fused_vec4', device: 'gpu', N: 100, ms: ms(1) }),
  row({ suite: 'step', name: 'bigram_step_fused', device: 'gpu', N: 10, ms: ms(4) }),
  row({ suite: 'step', name: 'bigram_step_counts', device: 'gpu', N: 10, ms: ms(1), note: 'different algorithm' }),
  row({ suite: 'step', name: 'bigram_step_fused', device: 'gpu', N: 1000, ms: ms(5) }),
  row({ suite: 'kernel', name: 'softmax_forward', device: 'cpu', N: 100, ms: ms(6) }),
  row({ suite: 'kernel', name: 'bigram_step_fused', device: 'cpu', N: 100, ms: ms(0) }),
  row({ suite: 'kernel', name: 'bigram_step', device: 'cpu', N: 100, ms: ms(3) }),
  row({ suite: 'step', name: 'bigram_step', device: 'cpu', N: 10, ms: ms(2) }),
  row({ suite: 'step', name: 'bigram_step', device: 'cpu', N: 1000, ms: ms(20) }),
];

describe('benchmark page report', () => {
  it('pairs each GPU row with its CPU twin, as compare does, and keeps the CPU rows nobody raced', () => {
    const lines = tableLines(ROWS);
    expect(lines.map((l) => `${l.suite} ${l.name} ${l.N} ${l.gpu ? 'g' : '-'}${l.cpu ? 'c' : '-'}`)).toEqual([
      'kernel softmax_forward 100 gc', 'kernel bigram_step_fused_vec4 100 gc', 'kernel bigram_step 100 -c',
      'step bigram_step_fused 10 gc', 'step bigram_step_counts 10 gc', 'step bigram_step_fused 1000 gc',
    ]);
    const paired = lines.filter((l) => l.gpu && l.cpu);
    expect(paired.map((l) => l.speedup)).toEqual(compare(ROWS).map((c) => c.speedup));
    expect(lines[0].gbPerSecond).toBeCloseTo(4);
    expect(lines[4].note).toBe('different algorithm');
  });

  it('says where the fused step stands in words: the crossover, ahead everywhere, behind everywhere, or both', () => {
    const steps = (gpu: number[]) => [10, 100, 1000].flatMap((N, i) => [
      row({ suite: 'step', name: 'bigram_step_fused', device: 'gpu', N, ms: ms(gpu[i]) }),
      row({ suite: 'step', name: 'bigram_step', device: 'cpu', N, ms: ms(10) }),
    ]);
    expect(crossoverSentence(ROWS)).toMatch(/^The fused GPU step overtakes the CPU step at N ≈ \d+ \(between 10 and 1000\)\.$/);
    expect(crossoverSentence(steps([5, 5, 5]))).toBe('The fused GPU step is ahead of the CPU step at every size measured, from the smallest (N = 10).');
    expect(crossoverSentence(steps([20, 20, 20]))).toBe('The fused GPU step stays behind the CPU step at every size measured (N = 10 to 1000).');
    expect(crossoverSentence(steps([5, 20, 20]))).toBe('The fused GPU step is ahead of the CPU step at N = 10 and behind at N = 100, 1000.');
    expect(crossoverSentence(ROWS.filter((r) => r.suite !== 'step'))).toBeNull();
  });

  it('shows a GPU row before its CPU twin arrives', () => {
    const lines = tableLines(ROWS.slice(0, 2));
    expect(lines.map((l) => [l.gpu !== null, l.cpu, l.speedup])).toEqual([[true, null, null], [true, null, null]]);
  });

  it('gives the charts positive values only (a log scale has no 0), aligned by kernel and by N', () => {
    expect(kernelData(ROWS)).toEqual({ names: ['softmax_forward', 'bigram_step_fused_vec4', 'bigram_step'], gpu: [2, 1, null], cpu: [6, null, 3] });
    expect(stepData(ROWS)).toEqual({ Ns: [10, 1000], ms: [[2, 20], [4, 5], [null, null], [1, null]] });
  });

  it('gives the ladder one line per model: parameters, ms per step on each device, ratio, dispatches, both test losses; the chart its ms', () => {
    const rung = (name: string, device: Row['device'], msPerStep: number, testLoss: number, extra: Partial<Row> = {}) =>
      row({ suite: 'ladder', name, device, N: 10, ms: ms(msPerStep), testLoss, parameters: name.length * 1000, ...extra });
    const ladder: Row[] = [
      rung('mlp', 'gpu', 2, 3.25, { dispatches: 14 }),
      rung('rnn', 'gpu', 200, 3.34, { dispatches: 171 }),
      rung('mlp', 'cpu', 4, 3.25 + 1e-7),
      rung('rnn', 'cpu', 50, 3.34),
      // A rung with no GPU row (no WebGPU, or the GPU half failed): CPU only.
      rung('gru', 'cpu', 90, 3.35),
    ];
    const all = [...ROWS, ...ladder];
    const lines = ladderLines(all);
    expect(lines.map((l) => [l.name, l.N, l.parameters, l.gpuMs, l.cpuMs, l.speedup, l.dispatches, l.gpuTestLoss, l.cpuTestLoss])).toEqual([
      ['mlp', 10, 3000, 2, 4, 2, 14, 3.25, 3.25 + 1e-7],
      ['rnn', 10, 3000, 200, 50, 0.25, 171, 3.34, 3.34],
      ['gru', 10, 3000, null, 90, null, null, null, 3.35],
    ]);
    expect(lines[0].lossDiff).toBeCloseTo(1e-7, 12);
    expect(lines.map((l) => l.lossDiff === null)).toEqual([false, false, true]);
    expect(ladderData(all)).toEqual({ names: ['mlp', 'rnn', 'gru'], gpu: [2, 200, null], cpu: [4, 50, 90] });
    // A rung too short to time a chunk: no bar, no ratio, the loss still shown.
    const untimed = ladderLines([rung('bow', 'gpu', NaN, 4.2), rung('bow', 'cpu', NaN, 4.2)]);
    expect(untimed[0]).toMatchObject({ gpuMs: null, cpuMs: null, speedup: null, gpuTestLoss: 4.2, lossDiff: 0 });
    expect(ladderData([rung('bow', 'gpu', NaN, 4.2)])).toEqual({ names: ['bow'], gpu: [null], cpu: [null] });
    // The other tables and charts are unchanged by ladder rows; the all-results table lists them last, paired as compare does.
    expect(kernelData(all)).toEqual(kernelData(ROWS));
    expect(stepData(all)).toEqual(stepData(ROWS));
    const tail = tableLines(all).slice(tableLines(ROWS).length);
    expect(tail.map((l) => `${l.suite} ${l.name} ${l.gpu ? 'g' : '-'}${l.cpu ? 'c' : '-'}`)).toEqual(['ladder mlp gc', 'ladder rnn gc', 'ladder gru -c']);
    expect(compare(all).filter((c) => c.suite === 'ladder').map((c) => [c.name, c.speedup, c.gpuTestLoss, c.cpuTestLoss])).toEqual([
      ['mlp', 2, 3.25, 3.25 + 1e-7], ['rnn', 0.25, 3.34, 3.34],
    ]);
  });

  it('builds the CLI\'s report and file name', () => {
    const env: BenchEnv = { date: '2026-01-02T03:04:05.678Z', commit: 'abc1234', runtime: 'HeadlessChrome', adapter: null, cpu: 'CPU', timestamps: false, quick: true, repeats: 3 };
    const report = buildReport(env, ROWS);
    expect(report).toEqual({ env, rows: ROWS, comparisons: compare(ROWS), crossover: crossover(ROWS) });
    expect(report.crossover).toMatchObject({ below: 10, above: 1000 });
    expect(reportFileName(env)).toBe('bench-2026-01-02T03-04-05-678Z.json');
  });

  it('writes N short', () => {
    expect([10_000, 228_146, 1_000_000, 3_000_000, 500].map(formatN)).toEqual(['10k', '228k', '1M', '3M', '500']);
  });
});

describe('time with minSampleMs', () => {
  it('repeats an op until a sample lasts that long and reports the mean per call; one call per sample without it', async () => {
    let calls = 0;
    const op = () => {
      calls++;
      const t0 = performance.now();
      while (performance.now() - t0 < 0.2);
    };
    const t = await time(op, 3, 0, 5);
    // Each sample lasts at least 5 ms of 0.2 ms calls (fewer calls when the machine is busy).
    expect(calls).toBeGreaterThan(3);
    expect(t.min * calls).toBeGreaterThanOrEqual(5);
    expect(t.runs).toBe(3);
    expect(t.median).toBeGreaterThanOrEqual(0.2);
    calls = 0;
    await time(op, 3, 1);
    expect(calls).toBe(4);
  });
});
