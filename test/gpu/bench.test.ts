/** The benchmark runs end to end in its quick mode and produces valid JSON (no timing asserted). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['bench/run.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench -- --quick --json', () => {
  it('prints one JSON report with every kernel, step path and size, and writes it to bench/results', async () => {
    const r = await runBench(['--quick', '--json', '--repeats', '2']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.env.adapter.description).toMatch(/\S/);
    expect(report.env.commit).toMatch(/\S/);
    // The fused step's launch shape, measured on this adapter, is stated in the JSON and the text.
    expect(report.env.launches).toEqual([expect.objectContaining({ how: 'measured', key: `${report.env.adapter.description} | bigram_step_fused_vec4` })]);
    expect(report.env.launches[0].timings.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/launch shape \(.*bigram_step_fused_vec4\): C \d+, \d+ threads \(measured: /);
    const gpuKernels = report.rows.filter((x: { suite: string; device: string }) => x.suite === 'kernel' && x.device === 'gpu').map((x: { name: string }) => x.name);
    expect(gpuKernels).toEqual(expect.arrayContaining([
      'onehot_matmul', 'softmax_forward', 'nll_forward', 'loss_finalize', 'softmax_nll_backward', 'onehot_matmul_backward', 'sgd_update',
      'bigram_step_fused_vec4', 'bigram_update_fused',
    ]));
    for (const N of [10_000, 60_000]) {
      for (const name of ['bigram_step_fused', 'bigram_step_unfused', 'bigram_step_counts']) {
        expect(report.comparisons.some((c: { suite: string; name: string; N: number }) => c.suite === 'step' && c.name === name && c.N === N), `${name} at ${N}`).toBe(true);
      }
    }
    for (const B of [32, 512]) {
      expect(report.comparisons.some((c: { suite: string; name: string; N: number }) => c.suite === 'mlp' && c.name === 'mlp_step' && c.N === B), `mlp_step at B ${B}`).toBe(true);
    }
    for (const row of report.rows) {
      expect(row.ms.median, `${row.name} ${row.device}`).toBeGreaterThan(0);
      expect(row.ms.min).toBeLessThanOrEqual(row.ms.median);
      expect(row.ms.max).toBeGreaterThanOrEqual(row.ms.median);
    }
    const written = /results: (bench\/results\/\S+\.json)/.exec(r.stderr);
    expect(written).not.toBeNull();
    expect(existsSync(join(ROOT, written![1]))).toBe(true);
  });

  it('--adapter names the Vulkan driver; an unknown one fails saying what it takes', async () => {
    const r = await runBench(['--quick', '--adapter', 'no-such-driver']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no Vulkan driver "no-such-driver".*swiftshader or lavapipe/);
  });
});
