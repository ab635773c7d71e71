/**
 * The GPU tests on one adapter, saying which: `tsx test/gpu/run.ts [--adapter swiftshader|lavapipe|ICD.json] [--all] [files…] [vitest flags…]`.
 * Opens the adapter first and prints "GPU tests on <adapter>", failing (never skipping) when it
 * is missing or another one answers, then runs `vitest run test/gpu` (or the files given;
 * `--all`: every test)
 * with VK_ICD_FILENAMES set, so each test file opens the same one.
 */
import { spawnSync } from 'node:child_process';
import { openNodeGpu } from '../../src/gpu/nodeBackend.ts';
import { selectVulkanDriver } from '../../src/gpu/nodeGpu.ts';

const args = process.argv.slice(2);
const take = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  if (value === undefined) fail(`${flag} takes a value`);
  return value;
};
const adapter = take('--adapter');
const all = args.includes('--all');
if (all) args.splice(args.indexOf('--all'), 1);

/** What the adapter's description says for each named driver. */
const EXPECTED: Record<string, RegExp> = { swiftshader: /swiftshader/i, lavapipe: /llvmpipe|lavapipe/i };

try {
  if (adapter) selectVulkanDriver(adapter);
  const ctx = await openNodeGpu();
  const expected = adapter ? EXPECTED[adapter.toLowerCase()] : undefined;
  if (expected && !expected.test(ctx.description)) fail(`asked for ${adapter}, but the adapter is ${ctx.description}`);
  console.log(`GPU tests on ${ctx.description}${process.env.VK_ICD_FILENAMES ? ` (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES})` : ''}`);
  ctx.device.destroy();
} catch (e) {
  fail(`GPU tests need a WebGPU adapter: ${(e as Error).message}`);
}

// Files or flags given replace the default folder; --all runs every test.
const files = all ? [] : args.some((a) => !a.startsWith('-')) ? [] : ['test/gpu'];
const vitest = spawnSync('npx', ['vitest', 'run', ...files, ...args], { stdio: 'inherit', env: process.env });
process.exit(vitest.status ?? 1);

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
