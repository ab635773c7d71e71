/**
 * Draws docs/page.png: the page after a default-sized Transformer run on the GPU (headless
 * Chromium, WebGPU on whatever adapter it finds; SwiftShader on a machine without a GPU), its
 * train and dev curves, the attention maps of a word, samples.
 *   npx tsx scripts/pageScreenshot.ts [--steps 300] [--word emma] [--out docs/page.png]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byTestId, errorText, waitForStatus } from '../test/e2e/app.ts';
import { launch, openPage } from '../test/e2e/browser.ts';
import { buildSite, serveStatic } from '../test/e2e/site.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const steps = option('--steps', '300');
const word = option('--word', 'emma');
const out = option('--out', 'docs/page.png');

const dir = mkdtempSync(join(tmpdir(), 'makemore-site-'));
await buildSite(dir);
const server = await serveStatic(dir);
const browser = await launch();
try {
  const { page } = await openPage(browser.context, server.url);
  await byTestId(page, 'model-select').selectOption('transformer');
  await byTestId(page, 'device-select').selectOption('gpu');
  await byTestId(page, 'steps').fill(steps);
  await byTestId(page, 'train').click();
  if (await waitForStatus(page, ['done', 'error'], 3_600_000) === 'error') throw new Error(`the run failed: ${await errorText(page)}`);
  await byTestId(page, 'attention-word').fill(word);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`${out}: ${steps} steps, ${await byTestId(page, 'device-info').textContent()}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
