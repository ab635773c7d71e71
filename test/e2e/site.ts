/** Builds the page with Vite and serves the build from 127.0.0.1 (a secure context: WebGPU needs one). */
import { execFile } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { launch, type Browser } from './browser.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `vite build` into outDir, in a process of its own (vitest's environment is not a production build's). */
export async function buildSite(outDir: string): Promise<void> {
  const env = { ...process.env };
  delete env.NODE_ENV;
  delete env.VITEST;
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT, env, maxBuffer: 16 << 20,
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** A static file server for dir on 127.0.0.1 and a free port. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const root = resolve(dir);
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? path + 'index.html' : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the test server has no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

/**
 * For a test file: build the site into a temporary folder, serve it on 127.0.0.1 and launch the
 * browser once before its tests, and undo all three after them.
 */
export function servedSite(): { readonly server: StaticServer; readonly browser: Browser } {
  let site = '';
  const served = {} as { server: StaticServer; browser: Browser };
  beforeAll(async () => {
    site = mkdtempSync(join(tmpdir(), 'makemore-site-'));
    await buildSite(site);
    served.server = await serveStatic(site);
    served.browser = await launch();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 180_000);
  afterAll(async () => {
    await served.browser?.close();
    await served.server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  });
  return served;
}
