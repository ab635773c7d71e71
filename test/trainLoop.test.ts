/** The training loop: chunks, progress, cancellation, divergence, and failures that keep the weights. */
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.ts';
import { DivergedError, InterruptedError, trainLoop, type Trainer } from '../src/train/trainer.ts';

/** A trainer whose weights are [step] and whose losses are 1/(step+1); it can fail on cue. */
function fakeTrainer(failAtStep = Infinity, lossAt = (s: number) => 1 / (s + 1)): Trainer {
  let step = 0;
  let checkpoint = 0;
  return {
    device: 'cpu', deviceDescription: 'fake', V: 1,
    get step() { return step; },
    async runSteps(count) {
      if (step + count > failAtStep) throw new UserError('the GPU device was lost (test)');
      checkpoint = step;
      return Float32Array.from({ length: count }, () => lossAt(step++));
    },
    async readWeights() { return Float32Array.of(step); },
    async readCheckpoint() { return Float32Array.of(checkpoint); },
    async evaluate() { return { loss: 0, nll: 0 }; },
    dispose() {},
  } as Trainer;
}

describe('trainLoop', () => {
  it('runs every step in fixed chunks and reports progress after each', async () => {
    const seen: number[] = [];
    const r = await trainLoop(fakeTrainer(), { steps: 25, chunk: 10, lr: 1, onProgress: (p) => seen.push(p.step) });
    expect(seen).toEqual([10, 20, 25]);
    expect(r.stepsDone).toBe(25);
    expect(r.losses[24]).toBeCloseTo(1 / 25, 7);
    expect(r.cancelled).toBe(false);
  });

  it('yields to the event loop between chunks: a timer can cancel a trainer that never waits', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    const r = await trainLoop(fakeTrainer(), { steps: 1_000_000, chunk: 100, lr: 1, signal: controller.signal });
    expect(r.cancelled).toBe(true);
    expect(r.stepsDone).toBeGreaterThan(0);
    expect(r.stepsDone).toBeLessThan(1_000_000);
    expect(r.stepsDone % 100).toBe(0); // stopped between chunks
  });

  it('a failure of the trainer keeps the weights last read back, with their step', async () => {
    const err = await trainLoop(fakeTrainer(35), { steps: 100, chunk: 10, lr: 1, keepWeights: true }).catch((e) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.message).toMatch(/device was lost/);
    expect(err.lastStep).toBe(30);
    expect(Array.from(err.lastWeights)).toEqual([30]);
    // Without keepWeights nothing is read back, and nothing is kept.
    const bare = await trainLoop(fakeTrainer(35), { steps: 100, chunk: 10, lr: 1 }).catch((e) => e);
    expect(bare).toBeInstanceOf(InterruptedError);
    expect(bare.lastWeights).toBeNull();
  });

  it('a non-finite loss is a DivergedError at the right step, not an interruption', async () => {
    const err = await trainLoop(fakeTrainer(Infinity, (s) => (s >= 13 ? NaN : 1)), { steps: 50, chunk: 5, lr: 3, keepWeights: true }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergedError);
    expect(err.step).toBe(13);
    expect(Array.from(err.lastGoodWeights)).toEqual([10]); // the checkpoint of the chunk that diverged
  });
});
