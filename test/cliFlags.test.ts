/** One rule for flags: one given where it does not apply is refused, naming it and what it applies to. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { NET_MODELS } from '../src/models/registry.ts';
import { runCli, tempWordList } from './helpers/cli.ts';

const { dir, words } = tempWordList('makemore-flags-');
/** The neural models of the registry, as the messages list them. */
const NETS = Object.keys(NET_MODELS).join(', ');

describe.concurrent('flags that do not apply', () => {
  it.each([
    [['train', '--smoothing', '1'], '--smoothing does not apply to --model bigram-nn; it applies to train --model bigram-counts'],
    [['train', '--model', 'bigram-counts', '--steps', '5'], `--steps does not apply to --model bigram-counts; it applies to train --model bigram-nn, ${NETS}`],
    [['train', '--model', 'bigram-counts', '--lr', '5'], `--lr does not apply to --model bigram-counts; it applies to train --model bigram-nn, ${NETS}`],
    [['train', '--count', '3'], "--count does not apply to train; it applies to sample (train's is --samples)"],
    [['train', '--load', 'm.json'], '--load does not apply to train; it applies to sample'],
    [['train', '--model', 'bigram-nn', '--top-k', '3'], `--top-k does not apply to --model bigram-nn; it applies to train --model ${NETS} and sample`],
    [['sample', '--load', 'm.json', '--samples', '3'], "--samples does not apply to sample; it applies to train (sample's is --count)"],
    [['sample', '--load', 'm.json', '--steps', '3'], `--steps does not apply to sample; it applies to train --model bigram-nn, ${NETS}`],
  ])('%j', async (args, message) => {
    const r = await runCli([...args, ...(args[0] === 'train' ? ['--input', words] : [])]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe(`makemore: ${message}\n`);
    expect(r.stdout).toBe('');
  });

  it('sample --temperature with a counting model names the file and the models it applies to', async () => {
    const model = join(dir, 'counts.json');
    expect((await runCli(['train', '--model', 'bigram-counts', '--input', words, '--samples', '0', '--save', model])).code).toBe(0);
    const r = await runCli(['sample', '--load', model, '--temperature', '0.5']);
    expect(r.stderr).toBe(`makemore: --temperature does not apply to a bigram-counts model (${model}); it applies to models ${NETS}\n`);
  });
});
