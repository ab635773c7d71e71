/**
 * bench/cpuBigram.ts runs end to end on a small word list and its JSON holds every batch size
 * (no timing asserted); where a python3 with PyTorch is found, bench/pytorch_bigram.py reads
 * the same examples and computes the same losses.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { ROOT } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cpu-bigram-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const names = loadDefaultDataset();
const input = join(dir, 'names.txt');
writeFileSync(input, names.words.slice(0, 2000).join('\n') + '\n');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['bench/cpuBigram.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A python3 that imports torch: $PYTHON, python3, or Debian's /usr/bin/python3; null if none. */
function pythonWithTorch(): string | null {
  for (const py of [process.env.PYTHON, 'python3', '/usr/bin/python3']) {
    if (py && spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}
const python = pythonWithTorch();

describe('bench/cpuBigram.ts', () => {
  it('times the full batch and minibatches and starts from ln V', async () => {
    const r = await run(['--input', input, '--rounds', '2', '--batches', '0,16', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    let N = 0;
    for (const w of names.words.slice(0, 2000)) N += [...w].length + 1;
    expect(report.N).toBe(N);
    const losses: number[] = Object.values(report.checkLosses)[0] as number[];
    expect(losses[0]).toBe(Math.fround(Math.log(report.V)));
    for (let s = 1; s < losses.length; s++) expect(losses[s]).toBeLessThan(losses[s - 1]);
    expect(report.rows.map((x: { batch: number }) => x.batch)).toEqual([0, 16]);
    for (const row of report.rows) {
      for (const t of [...Object.values(row.ms), ...Object.values(row.cpuMs)] as { median: number; runs: number }[]) {
        expect(t.median).toBeGreaterThan(0);
        expect(t.runs).toBe(2);
      }
    }
  }, 120_000);

  it.skipIf(!python)('beside PyTorch: the same examples and the same losses from W = 0', async () => {
    const r = await run(['--input', input, '--rounds', '1', '--batches', '0,16', '--pytorch', '--python', python!, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.pytorch).toMatch(/^PyTorch/);
    const [ours, theirs] = [Object.values(report.checkLosses)[0] as number[], report.checkLosses.pytorch as number[]];
    expect(theirs.length).toBe(ours.length);
    // PyTorch computes in float32 (rounding ~1e-7 relative per operation, a few 1e-6 over its
    // sums of thousands of terms); on names.txt the two agree to 4e-6.
    for (let s = 0; s < ours.length; s++) expect(Math.abs(ours[s] - theirs[s]), `step ${s}`).toBeLessThan(2e-5);
    for (const row of report.rows) expect(row.ms.pytorch.median).toBeGreaterThan(0);
  }, 180_000);
});
