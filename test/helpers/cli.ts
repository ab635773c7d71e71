/** Runs the CLI through its real entry point (node --import tsx src/cli/main.ts, as `npm run makemore`) with piped, non-TTY stdio. */
import { spawn, type ChildProcess } from 'node:child_process';
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
    const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'cli', 'main.ts'), ...args], {
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
 * The CLI in a process group of its own, as a terminal runs it: `interrupt` sends SIGINT to the
 * whole group, as Ctrl-C does. With `npm`, through `npm run makemore -- ...args` typed in `cwd`
 * (npm itself then dies of the SIGINT: its code is null and its signal SIGINT).
 */
export function spawnCliGroup(args: string[], opts: { npm?: boolean; cwd?: string; timeoutMs?: number } = {}): {
  /** Resolves once stderr contains `text`. */
  stderrHas(text: string): Promise<void>;
  interrupt(): void;
  result: Promise<CliResult & { signal: NodeJS.Signals | null }>;
} {
  const [command, argv] = opts.npm
    ? ['npm', ['run', '--silent', '--prefix', ROOT, 'makemore', '--', ...args]]
    : [process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args]];
  const child: ChildProcess = spawn(command, argv, {
    cwd: opts.cwd ?? ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  let waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    waiters = waiters.filter((w) => !(stderr.includes(w.text) && (w.resolve(), true)));
  });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), opts.timeoutMs ?? 60_000);
  const result = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    result,
    stderrHas: (text) => new Promise((resolve) => (stderr.includes(text) ? resolve() : waiters.push({ text, resolve }))),
    interrupt: () => process.kill(-child.pid!, 'SIGINT'),
  };
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
