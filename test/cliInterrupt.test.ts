/** Ctrl-C as a terminal sends it: SIGINT to the whole process group, through `npm run makemore` too. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModel } from '../src/models/modelFile.ts';
import { spawnCliGroup, tempWordList } from './helpers/cli.ts';

const { dir, words } = tempWordList('makemore-interrupt-');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.concurrent('Ctrl-C', () => {
  it.each([['node', false], ['npm run makemore', true]])('%s: stops a CPU run after the chunk under way, says after which step, saves those weights', async (_, npm) => {
    const model = join(dir, `interrupted-${npm}.json`);
    const run = spawnCliGroup(['train', '--input', words, '--steps', '10000000', '--samples', '2', '--save', model], { npm });
    await run.stderrHas('step 1/10000000');
    run.interrupt();
    const r = await run.result;
    // node exits 130 (128 + SIGINT); npm, which got the signal too, then dies of it.
    if (npm) expect(r.signal ?? r.code, r.stderr).toBe('SIGINT');
    else expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('makemore: stopping after the steps under way (Ctrl-C again to quit at once)');
    const steps = Number(r.stdout.match(/^cancelled after (\d+) steps$/m)?.[1]);
    expect(steps, r.stdout).toBeGreaterThanOrEqual(1);
    expect(steps).toBeLessThan(10_000_000);
    expect(r.stdout).toContain(`saved ${model}`);
    expect(r.stdout).toMatch(/samples:\n {2}\S*\n {2}\S*\n$/);
    expect(parseModel(readFileSync(model, 'utf8'), model).steps).toBe(steps);
  });

  it('--json: one object marked cancelled, with the steps done (mlp)', async () => {
    const run = spawnCliGroup(['train', '--model', 'mlp', '--input', words, '--steps', '10000000', '--hidden', '8', '--samples', '1', '--json']);
    // --json shows no progress on a pipe: give it time to start training.
    await sleep(4000);
    run.interrupt();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(130);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ model: 'mlp', cancelled: true });
    expect(out.steps).toBeGreaterThanOrEqual(1);
    expect(out.steps).toBeLessThan(10_000_000);
  });

  it('during the evaluation after training: cuts it short, reports the splits not finished as NaN, saves the model', async () => {
    // 20,000 words: on the CPU the Transformer's evaluation of them takes tens of seconds.
    const big = join(dir, 'many-words.txt');
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const list = Array.from({ length: 20_000 }, (_, i) => Array.from({ length: 4 + (i % 7) }, (_, j) => letters[(i * 7 + j * 13 + ((i * j) % 5)) % 26]).join(''));
    writeFileSync(big, list.join('\n') + '\n');
    const model = join(dir, 'cut.json');
    const run = spawnCliGroup(['train', '--model', 'transformer', '--input', big, '--steps', '1', '--samples', '0', '--save', model]);
    await run.stderrHas('evaluating the train split');
    run.interrupt();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('makemore: stopping the evaluation under way; the splits it has not finished read NaN (Ctrl-C again to quit at once)');
    expect(r.stdout).toContain('evaluation cut short by Ctrl-C: the splits it had not finished read NaN');
    expect(r.stdout).toContain('train loss NaN | dev loss NaN | test loss NaN | 1 step');
    expect(r.stdout).not.toContain('cancelled after');
    const saved = parseModel(readFileSync(model, 'utf8'), model);
    expect(saved.steps).toBe(1);
    expect(saved.testLoss ?? NaN).toBeNaN(); // JSON keeps NaN as null
  }, 60_000);

  it('a second Ctrl-C exits at once, without results or a saved file', async () => {
    const model = join(dir, 'twice.json');
    // Steps of most of a second: both signals arrive while one chunk runs.
    const run = spawnCliGroup(['train', '--model', 'mlp', '--input', words, '--steps', '1000', '--hidden', '2000', '--batch-size', '1024', '--save', model]);
    await run.stderrHas('step 1/1000');
    run.interrupt();
    await sleep(50);
    run.interrupt();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('makemore: interrupted again; exiting without finishing');
    expect(r.stdout).not.toContain('cancelled after');
    expect(existsSync(model)).toBe(false);
  });
});
