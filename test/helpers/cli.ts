/** Runs the CLI through its real entry point (tsx src/cli/main.ts) with piped, non-TTY stdio. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, expect } from 'vitest';
import { loadDefaultDataset } from '../../src/data/defaultNames.node.ts';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join('src', 'cli', 'main.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * For a test file: a temporary folder with words.txt, every 40th bundled name (~200 words,
 * a second of training at most), made now and removed after the file's tests.
 */
export function tempWordList(prefix: string): { dir: string; words: string; wordsText: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const wordsText = loadDefaultDataset().words.filter((_, i) => i % 40 === 0).join('\n') + '\n';
  const words = join(dir, 'words.txt');
  writeFileSync(words, wordsText);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, words, wordsText };
}

/** The only line of stdout, parsed: fails unless stdout is exactly one JSON object. */
export function oneJson(r: CliResult): Record<string, unknown> {
  const lines = r.stdout.split('\n');
  expect(lines.length, r.stdout).toBe(2);
  expect(lines[1]).toBe('');
  const value = JSON.parse(lines[0]);
  expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}
