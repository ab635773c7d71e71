/**
 * The package as a consumer gets it: `npm pack` (which builds dist/), the tarball installed
 * into a scratch project, and there the README's two examples, which are the files of
 * examples/ (the README must show them as they are): the Node one trains on the CPU and on the
 * GPU (Dawn), the page one is bundled by Vite from node_modules and trains in Chromium. The
 * examples are type-checked against the package's declarations.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWIFTSHADER_ICDS } from '../src/gpu/nodeGpu.ts';
import { NO_ADAPTER_HELP } from '../src/gpu/device.ts';
import { launch } from './e2e/browser.ts';
import { serveStatic } from './e2e/site.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE_EXAMPLE = join(ROOT, 'examples/node/train.mjs');
const PAGE_EXAMPLE = join(ROOT, 'examples/page');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command in a process of its own; never throws, the caller checks the exit code. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (error && !stdout ? error.message : '') });
    });
  });
}

function expectSuccess(r: Run, what: string): void {
  expect(r.code, `${what} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
}

/** The environment without vitest's marks (a consumer's process is not a test's). */
function consumerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_ENV;
  delete env.VITEST;
  // Dawn finds SwiftShader this way inside the package too; set here for the script that hands Dawn to the page entry.
  const icd = SWIFTSHADER_ICDS.find((path) => existsSync(path));
  if (!env.VK_ICD_FILENAMES && icd) env.VK_ICD_FILENAMES = icd;
  return env;
}

/**
 * The scratch project's lockfile: the tarball, and every package it needs at the versions of
 * this project's lockfile. After `npm ci` the npm cache holds those tarballs but not the
 * registry's metadata, so `npm ci --offline` can install from it where `npm install` cannot.
 */
function scratchLockfile(tarball: string): object {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; version?: string; license?: string; engines?: object }> };
  const all = lock.packages;
  const own = all[''];
  const packages: Record<string, object> = {
    '': { name: 'scratch', dependencies: { 'makemore-webgpu': tarball } },
    'node_modules/makemore-webgpu': { version: own.version, resolved: tarball, license: own.license, dependencies: own.dependencies, engines: own.engines },
  };
  // Where a package at `from` finds `name`: the nearest node_modules up its path, as Node looks.
  const resolve = (from: string, name: string): string => {
    for (let at = from; ; at = at.includes('/node_modules/') ? at.slice(0, at.lastIndexOf('/node_modules/')) : '') {
      const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
      if (all[candidate]) return candidate;
      if (!at) throw new Error(`package-lock.json has no ${name} for ${from || 'the project'}`);
    }
  };
  const queue = Object.keys(own.dependencies ?? {}).map((name) => resolve('', name));
  while (queue.length) {
    const path = queue.pop()!;
    if (packages[path]) continue;
    packages[path] = all[path];
    const deps = { ...all[path].dependencies, ...all[path].optionalDependencies };
    for (const name of Object.keys(deps)) queue.push(resolve(path, name));
  }
  return { name: 'scratch', lockfileVersion: 3, requires: true, packages };
}

/** The code blocks of the README's "Use it as a library" section. */
function readmeLibraryBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use it as a library\n');
  expect(start, 'README.md has a "## Use it as a library" section').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```(?:js|ts)\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('the package (npm pack, installed into a scratch project)', () => {
  let dir = '';
  let scratch = '';
  const env = consumerEnv();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'makemore-package-'));
    expectSuccess(await run('npm', ['pack', '--pack-destination', dir], ROOT, env), 'npm pack');
    const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
    expect(tarballs).toHaveLength(1);
    const tarball = `file:../${tarballs[0]}`;
    scratch = join(dir, 'scratch');
    mkdirSync(join(scratch, 'page'), { recursive: true });
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { 'makemore-webgpu': tarball } }));
    writeFileSync(join(scratch, 'package-lock.json'), JSON.stringify(scratchLockfile(tarball)));
    const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], scratch, env);
    if (/ENOTCACHED/.test(install.stderr)) throw new Error(`the npm cache lacks a dependency's tarball: run \`npm ci\` in the project (it fills the cache), then this test\n${install.stderr}`);
    expectSuccess(install, 'npm ci --offline of the tarball');
    copyFileSync(NODE_EXAMPLE, join(scratch, 'train.mjs'));
    for (const file of readdirSync(PAGE_EXAMPLE)) copyFileSync(join(PAGE_EXAMPLE, file), join(scratch, 'page', file));
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the README shows the two examples as they are in examples/', () => {
    expect(readmeLibraryBlocks()).toEqual([readFileSync(NODE_EXAMPLE, 'utf8'), readFileSync(join(PAGE_EXAMPLE, 'main.ts'), 'utf8')]);
  });

  it('ships the compiled entries and their declarations, and nothing of the tests, the CLI or the page', () => {
    const pkg = join(scratch, 'node_modules/makemore-webgpu');
    for (const file of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/node.js', 'dist/src/node.d.ts', 'dist/shaders/softmax_forward.wgsl']) {
      expect(existsSync(join(pkg, file)), file).toBe(true);
    }
    for (const folder of ['src', 'test', 'dist/test', 'dist/src/page', 'dist/bench']) expect(existsSync(join(pkg, folder)), folder).toBe(false);
    expect(existsSync(join(pkg, 'dist/src/cli/main.js'))).toBe(false);
  });

  let cpuLosses: number[] = [];
  it('the Node example trains the MLP on the CPU', async () => {
    const r = await run(process.execPath, ['train.mjs', 'cpu'], scratch, env);
    expectSuccess(r, 'node train.mjs cpu');
    expect(r.stdout).toContain('step 300 | loss ');
    const line = r.stdout.match(/^CPU .*: train (\d\.\d{4}) \| dev (\d\.\d{4})$/m);
    expect(line, r.stdout).not.toBeNull();
    // Below a uniform guess over the 28 symbols (ln 28 ≈ 3.33).
    expect(Number(line![2])).toBeLessThan(2.7);
    cpuLosses = [Number(line![1]), Number(line![2])];
    expect(r.stdout.trim().split('\n').at(-1)!.split(', ')).toHaveLength(5);
    const model = JSON.parse(readFileSync(join(scratch, 'mlp-cpu.json'), 'utf8')) as { kind: string; steps: number };
    expect(model).toMatchObject({ kind: 'mlp', steps: 300 });
  });

  it('the Node example trains the MLP on the GPU (Dawn) to the losses of the CPU', async () => {
    const r = await run(process.execPath, ['train.mjs', 'gpu'], scratch, env);
    if (/No WebGPU adapter/.test(r.stderr)) throw new Error(`no WebGPU adapter for Dawn: ${NO_ADAPTER_HELP}\n${r.stderr}`);
    expectSuccess(r, 'node train.mjs gpu');
    const line = r.stdout.match(/^(.*): train (\d\.\d{4}) \| dev (\d\.\d{4})$/m);
    expect(line, r.stdout).not.toBeNull();
    expect(line![1]).not.toMatch(/^CPU/);
    // The same seed, the same minibatches: only the order of the float32 sums differs.
    expect(Math.abs(Number(line![2]) - cpuLosses[0])).toBeLessThanOrEqual(2e-4);
    expect(Math.abs(Number(line![3]) - cpuLosses[1])).toBeLessThanOrEqual(2e-4);
    expect(JSON.parse(readFileSync(join(scratch, 'mlp-gpu.json'), 'utf8'))).toMatchObject({ kind: 'mlp', steps: 300 });
  });

  it('the main entry trains on a GPU object handed to openGpu, with its WGSL inline', async () => {
    // Node stands in for a page here: Dawn's GPU object is what navigator.gpu would be.
    writeFileSync(join(scratch, 'pageEntry.mjs'), `
      import { create, globals } from 'webgpu';
      import { createTrainer, openGpu, parseWordList, trainLoop } from 'makemore-webgpu';
      Object.assign(globalThis, globals);
      const dawn = create([]);
      const gpu = await openGpu(dawn);
      const data = parseWordList('emma\\nolivia\\nava\\nisabella\\nsophia\\nmia\\n', 'six names');
      const out = {};
      for (const kind of ['bigram-counts', 'bigram-nn']) {
        for (const device of ['cpu', 'gpu']) {
          const trainer = await createTrainer(kind, data, { device, gpu, hyper: kind === 'bigram-nn' ? { steps: 50, lr: 10 } : {} });
          await trainLoop(trainer);
          out[kind + ' ' + device] = (await trainer.evaluate()).loss;
          trainer.dispose();
        }
      }
      console.log(JSON.stringify({ gpu: gpu.description, losses: out }));
    `);
    const r = await run(process.execPath, ['pageEntry.mjs'], scratch, env);
    expectSuccess(r, 'the main entry on Dawn');
    const { losses } = JSON.parse(r.stdout) as { losses: Record<string, number> };
    expect(losses['bigram-counts gpu']).toBeCloseTo(losses['bigram-counts cpu'], 6);
    expect(losses['bigram-nn gpu']).toBeCloseTo(losses['bigram-nn cpu'], 4);
    expect(losses['bigram-nn cpu']).toBeLessThan(Math.log(16));
  });

  it('type-checks each example against the package\'s declarations, strict, the declarations checked too', async () => {
    mkdirSync(join(scratch, 'node_modules/@types'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules/@types/node'), join(scratch, 'node_modules/@types/node'));
    // The DOM lib in Node too: the declarations use WebGPU's types (@webgpu/types), which are written against it.
    const strict = { target: 'ES2022', lib: ['ES2022', 'DOM'], strict: true, noEmit: true, skipLibCheck: false };
    const programs = {
      node: { compilerOptions: { ...strict, module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], allowJs: true, checkJs: true }, files: ['train.mjs'] },
      // A page's program knows nothing of Node.
      page: { compilerOptions: { ...strict, module: 'ESNext', moduleResolution: 'Bundler', types: [] }, files: ['page/main.ts'] },
    };
    for (const [name, config] of Object.entries(programs)) {
      writeFileSync(join(scratch, `tsconfig.${name}.json`), JSON.stringify(config));
      const r = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${name}.json`], scratch, env);
      expectSuccess(r, `tsc on the ${name} example`);
    }
  });

  it('the page example bundles with Vite from node_modules, without Dawn or Node modules, and trains in Chromium', async () => {
    const out = join(dir, 'page-dist');
    const build = await run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'page', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], scratch, env);
    expectSuccess(build, 'vite build of the page example');
    const bundle = readdirSync(join(out, 'assets')).map((f) => readFileSync(join(out, 'assets', f), 'utf8')).join('\n');
    expect(bundle).toContain('@compute'); // the WGSL, inline
    expect(bundle).not.toMatch(/["']webgpu["']|["']node:/);

    const server = await serveStatic(out);
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      await page.goto(server.url);
      await page.waitForFunction(() => (document.querySelector('#out')?.textContent ?? '').split('\n').length >= 12, null, { timeout: 60_000 })
        .catch(() => undefined);
      const text = (await page.textContent('#out')) ?? '';
      expect(problems, text).toEqual([]);
      const lines = text.split('\n');
      expect(lines[0]).toMatch(/^gpu step 200 \| loss \d\.\d{4}$/);
      expect(Number(lines[0].split('loss ')[1])).toBeLessThan(Math.log(28));
      expect(lines.slice(2)).toHaveLength(10);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
