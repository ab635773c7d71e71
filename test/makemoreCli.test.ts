/**
 * makemore.py's own command line (`npm run makemore -- -i FILE -o DIR …`) through the real
 * entry point: its split (10% of a short list for test, no dev), its loop's lines, samples
 * sorted into in train / in test / new, the best model and the log in the work directory,
 * --sample-only, --resume and their errors.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModel } from '../src/models/modelFile.ts';
import { isMakemoreCommandLine, testShareFor } from '../src/cli/makemore.ts';
import { splitWords } from '../src/data/split.ts';
import { runCli, tempWordList } from './helpers/cli.ts';

const { dir, words, wordsText } = tempWordList('makemore-makemore-cli-');
const n = wordsText.trim().split('\n').length;
const SMALL = ['--n-layer', '1', '--n-head', '2', '--n-embd', '8', '-b', '4', '--seed', '5'];

/** The sample blocks: each "k samples that are …:" header with the words under it. */
function sampleGroups(stdout: string): { name: string; words: string[] }[] {
  const out: { name: string; words: string[] }[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\d+) samples that are (in train|in test|new):$/.exec(lines[i]);
    if (m) out.push({ name: m[2], words: lines.slice(i + 1, i + 1 + Number(m[1])) });
  }
  return out;
}

describe('makemore.py’s command line', () => {
  it('tells its flags from the train and sample commands', () => {
    expect(isMakemoreCommandLine(['-i', 'names.txt'])).toBe(true);
    expect(isMakemoreCommandLine(['--input-file=names.txt'])).toBe(true);
    expect(isMakemoreCommandLine(['train', '-i'])).toBe(false);
    expect(isMakemoreCommandLine([])).toBe(false);
  });

  it('holds out exactly makemore’s test words', () => {
    for (const [count, test] of [[32033, 1000], [8422, 842], [10, 1], [203, 20]]) {
      expect(splitWords(Array.from({ length: count }, (_, i) => i), 1, { dev: 0, test: testShareFor(count, test) }).test).toHaveLength(test);
    }
  });

  it('trains, prints makemore’s lines, keeps the best model and a log; --sample-only; --resume counts on from it', async () => {
    const work = join(dir, 'out');
    const r = await runCli(['-i', words, '-o', work, ...SMALL, '--max-steps', '500']);
    expect(r.code, r.stderr).toBe(0);
    const test = Math.min(1000, Math.floor(0.1 * n));
    expect(r.stdout).toContain(`number of examples in the dataset: ${n}\n`);
    expect(r.stdout).toContain(`split up the dataset into ${n - test} training examples and ${test} test examples\n`);
    expect(r.stdout).toMatch(/^model #params: \d+$/m);
    const stepLines = r.stdout.split('\n').filter((l) => /^step \d+ \| loss \d+\.\d{4} \| step time [\d.]+ms$/.test(l));
    expect(stepLines).toHaveLength(50);
    // Samples at steps 200 and 400: 10 each, in the three groups.
    const groups = sampleGroups(r.stdout);
    expect(groups.map((g) => g.name)).toEqual(['in train', 'in test', 'new', 'in train', 'in test', 'new']);
    expect(groups.slice(0, 3).reduce((a, g) => a + g.words.length, 0)).toBe(10);
    const ev = /^step 500 train loss: (\d+\.\d{4}) test loss: (\d+\.\d{4})$/m.exec(r.stdout);
    expect(ev, r.stdout).not.toBeNull();
    expect(r.stdout).toContain(`test loss ${ev![2]} is the best so far, saving model to ${join(work, 'model.json')}`);
    const m = parseModel(readFileSync(join(work, 'model.json'), 'utf8'), 'model.json');
    expect(m).toMatchObject({ kind: 'transformer', steps: 500, hyper: { shuffle: 'torch' } });
    expect(m.testLoss!.toFixed(4)).toBe(ev![2]);
    const log = readFileSync(join(work, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toEqual([{ step: 500, trainLoss: expect.any(Number), testLoss: m.testLoss, msPerStep: expect.any(Number) }]);

    const s = await runCli(['-i', words, '-o', work, '--sample-only']);
    expect(s.code, s.stderr).toBe(0);
    const sg = sampleGroups(s.stdout);
    expect(sg.reduce((a, g) => a + g.words.length, 0)).toBe(50);
    // makemore.py's split of these words under seed 5: torch.randperm's, not the project's own shuffle.
    const split = splitWords(wordsText.trim().split('\n'), 5, { dev: 0, test: testShareFor(n, test), shuffle: 'torch' });
    const own = splitWords(wordsText.trim().split('\n'), 5, { dev: 0, test: testShareFor(n, test) });
    expect(split.test).not.toEqual(own.test);
    const train = new Set(split.train);
    const heldOut = new Set(split.test);
    for (const w of sg.find((g) => g.name === 'in train')!.words) expect(train.has(w), w).toBe(true);
    for (const w of sg.find((g) => g.name === 'in test')!.words) expect(heldOut.has(w), w).toBe(true);
    for (const w of sg.find((g) => g.name === 'new')!.words) expect(train.has(w) || heldOut.has(w), w).toBe(false);

    const again = await runCli(['-i', words, '-o', work, '--resume', '--max-steps', '10', '-b', '4', '--seed', '5']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`(resumed from ${join(work, 'model.json')})`);
    expect(again.stdout).toMatch(/^step 510 \| loss/m);
    const after = parseModel(readFileSync(join(work, 'model.json'), 'utf8'), 'model.json');
    expect(after.testLoss).toBeLessThanOrEqual(m.testLoss!);
    expect(readFileSync(join(work, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step)).toEqual([500, 510]);
    expect(again.stderr).not.toContain('note:');

    // A model trained on the project's own split (a file from before makemore's split) resumes with a note.
    const older = join(dir, 'older');
    mkdirSync(older, { recursive: true });
    const file = JSON.parse(readFileSync(join(work, 'model.json'), 'utf8'));
    delete file.hyper.shuffle;
    writeFileSync(join(older, 'model.json'), JSON.stringify(file));
    const resumedOld = await runCli(['-i', words, '-o', older, '--resume', '--max-steps', '10', '-b', '4', '--seed', '5']);
    expect(resumedOld.code, resumedOld.stderr).toBe(0);
    expect(resumedOld.stderr).toContain(`note: ${join(older, 'model.json')} was trained on the project's own split of the words; it goes on here on makemore's (other test words)`);

    const shape = await runCli(['-i', words, '-o', work, '--resume', '--n-layer', '2', '--max-steps', '10']);
    expect(shape.code).toBe(1);
    expect(shape.stderr).toContain(`--n-layer 2: ${join(work, 'model.json')} has 1 (--resume keeps the model's shape)`);
  }, 120_000);

  it.each([
    [['--type', 'nope'], '--type must be one of'],
    [['--max-steps', '0'], '--max-steps must be -1 (no limit) or a number of steps ≥ 1, got 0'],
    [['--device', 'cuda'], '--device must be cpu or gpu, got "cuda"'],
    [['--sample-only'], 'no model yet'],
    [['--n-embd2', '8'], '--n-embd2 does not apply to --type transformer'],
    [['--max-steps', '20', '-l', '1e4'], 'training diverged: the loss is'],
  ])('refuses %j', async (args, needle) => {
    const r = await runCli(['-i', words, '-o', join(dir, 'empty'), '--max-steps', '1', ...args]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(needle);
    expect(existsSync(join(dir, 'empty', 'model.json'))).toBe(false);
  });
});
