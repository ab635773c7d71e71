/** --save: checked before training, written through a temporary file, results shown when it fails. */
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModel } from '../src/models/modelFile.ts';
import { checkWritable, userDirectory, writeFileAtomic } from '../src/cli/files.ts';
import { UserError } from '../src/errors.ts';
import { ROOT, runCli, spawnCliGroup, tempWordList, type CliResult } from './helpers/cli.ts';

const { dir, words } = tempWordList('makemore-save-');

/** Refused before training: exit 1, one line naming the path, nothing on stdout. */
function refusedEarly(r: CliResult, needle: string): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toBe(`makemore: ${needle}\n`);
  expect(r.stdout).toBe('');
}

describe.concurrent('train --save, before training', () => {
  const train = (save: string) => runCli(['train', '--input', words, '--steps', '5', '--samples', '0', '--save', save]);

  it('an empty name', async () => {
    refusedEarly(await train(''), '--save needs a file name, got ""');
  });

  it('a missing folder', async () => {
    const path = join(dir, 'no-such-folder', 'm.json');
    refusedEarly(await train(path), `--save ${path}: the folder ${join(dir, 'no-such-folder')} does not exist`);
  });

  it('a directory', async () => {
    refusedEarly(await train(dir), `--save ${dir}: is a directory; give the name of a file to write`);
  });

  it('a file as a folder', async () => {
    const path = join(words, 'm.json');
    refusedEarly(await train(path), `--save ${path}: a part of the path is a file, not a folder`);
  });

  it('a place that takes no new files', async () => {
    // root may write anywhere chmod allows: /sys refuses new files even to root.
    let folder = '/sys';
    if (process.getuid?.() !== 0) {
      folder = join(dir, 'read-only');
      mkdirSync(folder);
      chmodSync(folder, 0o500);
    }
    const path = join(folder, 'm.json');
    const r = await train(path);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^makemore: --save ${path}: cannot create files in ${folder} \\((permission denied|read-only file system)\\)\\n$`));
    expect(r.stdout).toBe('');
  });
});

describe('train --save, after training', () => {
  it('replaces an old model whole and leaves no temporary file', async () => {
    const folder = join(dir, 'replace');
    mkdirSync(folder);
    const path = join(folder, 'm.json');
    writeFileSync(path, 'old');
    const r = await runCli(['train', '--input', words, '--steps', '3', '--samples', '0', '--save', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(parseModel(readFileSync(path, 'utf8'), path).steps).toBe(3);
    expect(readdirSync(folder)).toEqual(['m.json']);
  });

  it('a save that fails after training still prints the results, then the error, and exits 1', async () => {
    const folder = join(dir, 'vanishing');
    mkdirSync(folder);
    const path = join(folder, 'm.json');
    const run = spawnCliGroup(['train', '--input', words, '--steps', '10000000', '--samples', '2', '--save', path]);
    await run.stderrHas('step 1/');
    rmSync(folder, { recursive: true });
    run.interrupt();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/cancelled after \d+ steps/);
    expect(r.stdout).toContain(`not saved: --save ${path}: cannot write the model (no such file)`);
    expect(r.stdout).toMatch(/samples:\n {2}\S*\n {2}\S*\n$/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`makemore: --save ${path}: cannot write the model (no such file)`);
    expect(existsSync(folder)).toBe(false);
  });
});

describe('relative paths', () => {
  it('npm run makemore from another folder: --input, --save and --load are taken from that folder', async () => {
    const folder = join(dir, 'typed-here');
    mkdirSync(folder);
    writeFileSync(join(folder, 'names.txt'), 'emma\nava\nbob\n');
    const t = await spawnCliGroup(['train', '--input', 'names.txt', '--steps', '3', '--samples', '0', '--save', 'm.json'], { npm: true, cwd: folder }).result;
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain('names.txt: 3 words');
    expect(t.stdout).toContain('saved m.json');
    expect(parseModel(readFileSync(join(folder, 'm.json'), 'utf8'), 'm.json').steps).toBe(3);
    expect(existsSync(join(ROOT, 'm.json'))).toBe(false);
    const s = await spawnCliGroup(['sample', '--load', 'm.json', '--count', '2'], { npm: true, cwd: folder }).result;
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout.split('\n')).toHaveLength(3);
  });

  it('INIT_CWD counts only under npm run makemore', () => {
    expect(userDirectory({ npm_lifecycle_event: 'makemore', INIT_CWD: '/typed/here' })).toBe('/typed/here');
    expect(userDirectory({ npm_lifecycle_event: 'test', INIT_CWD: '/typed/here' })).toBe(process.cwd());
    expect(userDirectory({})).toBe(process.cwd());
  });
});

describe('writeFileAtomic and checkWritable', () => {
  it('a write that fails leaves the old file as it was', () => {
    const folder = join(dir, 'atomic');
    mkdirSync(folder);
    const path = join(folder, 'm.json');
    writeFileSync(path, 'old model');
    // The temporary file cannot be written: a directory holds its name.
    mkdirSync(join(folder, `.m.json.${process.pid}.tmp`));
    expect(() => writeFileAtomic('--save', path, 'new model')).toThrow(UserError);
    expect(readFileSync(path, 'utf8')).toBe('old model');
    rmSync(join(folder, `.m.json.${process.pid}.tmp`), { recursive: true });
    writeFileAtomic('--save', path, 'new model');
    expect(readFileSync(path, 'utf8')).toBe('new model');
    expect(readdirSync(folder)).toEqual(['m.json']);
  });

  it('checking leaves nothing behind', () => {
    const folder = join(dir, 'check');
    mkdirSync(folder);
    checkWritable('--save', join(folder, 'm.json'));
    expect(readdirSync(folder)).toEqual([]);
  });
});
