/** The benchmark page's numbers without a browser: table lines, chart data, the report, and timing on a coarse clock. */
import { describe, expect, it } from 'vitest';
import { buildReport, formatN, kernelData, reportFileName, stepData, tableLines, type BenchEnv } from '../bench/page/report.ts';
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
