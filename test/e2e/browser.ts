/**
 * Headless Chromium (Debian's /usr/bin/chromium) for the end-to-end tests, with WebGPU on
 * SwiftShader. Found by trial here: `--enable-unsafe-webgpu` is the flag that matters (without
 * it navigator.gpu has no adapter: "No available adapters."); SwiftShader is then the adapter
 * chosen headless; the Vulkan/SwiftShader flags only make that choice explicit. The page must be
 * a secure context (http://127.0.0.1 is one; about:blank is not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const QUIET = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
];

export const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh browser profile; `webgpu: false` gives a Chromium without a WebGPU adapter. */
export async function launch(opts: { webgpu?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'makemore-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...QUIET, ...(opts.webgpu === false ? [] : WEBGPU_FLAGS)],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page that records every console error, uncaught error, crash and dialog: the tests expect none. */
export async function openPage(context: BrowserContext, url: string, opts: { initScript?: string } = {}): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  // As a string: a function would be serialised after vitest's transform, helpers and all.
  if (opts.initScript) await page.addInitScript({ content: opts.initScript });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.stack ?? e.message}`));
  page.on('crash', () => problems.push('the page crashed'));
  page.on('dialog', (d) => {
    problems.push(`dialog (a script ran?): ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(url);
  return { page, problems };
}
