/** Divergence: a loss that is not finite, or finite but far above where it started, stops the run with advice that works. */
import { describe, expect, it } from 'vitest';
import { bigramRegAdvice, DIVERGENCE_FACTOR, DivergedError, divergenceBound, learningRateAdvice, trainLoop, type Trainer } from '../src/train/trainer.ts';
import { runCli, tempWordList } from './helpers/cli.ts';

const { words } = tempWordList('makemore-diverge-');

/** A trainer of vocabulary V whose step s has the loss lossAt(s). */
function lossTrainer(lossAt: (s: number) => number, V = 27): Trainer {
  let step = 0;
  return {
    device: 'cpu', deviceDescription: 'fake', V,
    get step() { return step; },
    async runSteps(count) { return Float32Array.from({ length: count }, () => lossAt(step++)); },
    async readWeights() { return Float32Array.of(step); },
    async readCheckpoint() { return Float32Array.of(step); },
    async evaluate() { return { loss: 0, nll: 0 }; },
    dispose() {},
  } as Trainer;
}

describe('the divergence rule', () => {
  it('the bound is DIVERGENCE_FACTOR × max(first loss, ln V)', () => {
    expect(divergenceBound(3, 27)).toBe(DIVERGENCE_FACTOR * Math.log(27));
    expect(divergenceBound(20, 27)).toBe(DIVERGENCE_FACTOR * 20);
  });

  it('a finite loss above the bound is a divergence at its step; one below is not', async () => {
    const bound = divergenceBound(3, 27);
    const err = await trainLoop(lossTrainer((s) => (s >= 7 ? bound * 1.01 : 3)), { steps: 20, chunk: 5, lr: 1e5, defaultLr: 50 }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergedError);
    expect(err.step).toBe(7);
    expect(err.message).toMatch(/^training diverged: the loss rose to 33\.3 at step 7, above 10 × max\(first loss, ln V\) = 33\.0; the learning rate 100000 is probably too high \(try 50, the default\)$/);
    const ok = await trainLoop(lossTrainer((s) => (s >= 7 ? bound * 0.99 : 3)), { steps: 20, chunk: 5, lr: 1 });
    expect(ok.stepsDone).toBe(20);
  });

  it('advice: the default rate when above it, a tenth otherwise; a given advice replaces it', async () => {
    expect(learningRateAdvice(1e6, 0.1)).toBe('the learning rate 1000000 is probably too high (try 0.1, the default)');
    expect(learningRateAdvice(0.1, 0.1)).toBe('the learning rate 0.1 is probably too high (try 0.01)');
    const err = await trainLoop(lossTrainer(() => NaN), { steps: 5, lr: 1, advice: 'lower the moon' }).catch((e) => e);
    expect(err.message).toBe('training diverged: the loss is not finite at step 0; lower the moon');
  });

  it('the bigram blames --reg when the regularisation alone grows the weights at a rate that trains', () => {
    const h = { steps: 1, lr: 50, reg: 0.01, batchSize: 0, seed: 1 };
    expect(bigramRegAdvice(h, 27)).toBeUndefined();
    expect(bigramRegAdvice({ ...h, reg: 1e300 }, 27)).toMatch(/^the regularisation 1e\+300 is too strong for the learning rate 50: .* \(try 0\.01, the default\)$/);
    expect(bigramRegAdvice({ ...h, reg: 729 / 50 }, 27)).toMatch(/too strong/); // lr·reg = V²
    expect(bigramRegAdvice({ ...h, reg: 729 / 50 - 0.1 }, 27)).toBeUndefined();
    expect(bigramRegAdvice({ ...h, lr: 1e5 }, 27)).toBeUndefined(); // the rate is at fault
  });
});

describe.concurrent('train: divergence that stays finite exits 1, and the advice trains', () => {
  it.each([
    [['--lr', '1e5'], '50'],
    [['--model', 'mlp', '--hidden', '16', '--lr', '1e6'], '0.1'],
  ])('train %j', async (args, suggested) => {
    const base = ['train', '--input', words, '--steps', '30', '--samples', '0', ...args];
    const r = await runCli(base);
    expect(r.code, r.stderr).toBe(1);
    const line = r.stderr.split('\n').find((l) => l.startsWith('makemore: training diverged'));
    expect(line, r.stderr).toMatch(/the loss rose to \S+ at step \d+, above 10 × max\(first loss, ln V\)/);
    const suggestion = line!.match(/\(try (\S+), the default\)$/)?.[1];
    expect(suggestion).toBe(suggested);
    const again = await runCli(base.map((a, i) => (base[i - 1] === '--lr' ? suggestion! : a)));
    expect(again.code, again.stderr).toBe(0);
  });

  it('--reg 1e300 is blamed on the regularisation, not the learning rate', async () => {
    const r = await runCli(['train', '--input', words, '--steps', '5', '--samples', '0', '--reg', '1e300']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^makemore: training diverged: .*; the regularisation 1e\+300 is too strong for the learning rate 50: .*\(try 0\.01, the default\)\n/);
    expect(r.stderr).not.toContain('learning rate 50 is');
  });
});
