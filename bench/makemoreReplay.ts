/**
 * One run of makemore's recipe on the CPU, written out so that PyTorch can replay it
 * (bench/pytorch_makemore.py --replay): the split (makemore.py's own, by torch.randperm),
 * the initial weights, every step's minibatch, our losses and our test losses.
 *   npx tsx bench/makemoreReplay.ts --input names.txt [--type mlp|bigram] [--seed 3407] [--steps 2000] [--shuffle torch|philox] [--out replay.json]
 * The recipe is the makemore command line's: AdamW 5e-4 (betas 0.9, 0.99; weight decay 0.01),
 * batches of 32 words, 1,000 test words (or 10% if fewer; --shuffle philox: held out by the
 * project's own shuffle instead of makemore.py's). The CPU trainer runs in float32, as
 * the GPU does; the test loss is the mean NLL over every target of the test words, at every
 * 500 steps and at the last.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MAKEMORE_TYPES, testShareFor } from '../src/cli/makemore.ts';
import { splitWords } from '../src/data/split.ts';
import { netModel } from '../src/models/registry.ts';
import { CpuNetTrainer } from '../src/nn/cpuTrainer.ts';
import { readWordList } from '../src/node.ts';
import { batchIndicesCpu } from '../src/train/cpuTrainer.ts';
import type { SequenceHyper } from '../src/train/hyper.ts';

const { values } = parseArgs({
  options: {
    input: { type: 'string', default: 'names.txt' },
    type: { type: 'string', default: 'mlp' },
    seed: { type: 'string', default: '3407' },
    steps: { type: 'string', default: '2000' },
    out: { type: 'string', default: 'replay.json' },
    shuffle: { type: 'string', default: 'torch' },
  },
});
if (values.type !== 'mlp' && values.type !== 'bigram') throw new Error(`--type ${values.type}: mlp or bigram (the models bench/pytorch_makemore.py builds)`);
if (values.shuffle !== 'torch' && values.shuffle !== 'philox') throw new Error(`--shuffle ${values.shuffle}: torch or philox`);
const shuffle = values.shuffle;
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a whole number ≥ 0, got ${values.seed}`);
const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a whole number ≥ 1, got ${values.steps}`);

const kind = MAKEMORE_TYPES[values.type];
const def = netModel(kind);
const dataset = readWordList(values.input);
const n = dataset.words.length;
const B = 32;
let hyper = {
  ...(def.defaults as SequenceHyper),
  optimizer: 'adamw', seed, batchSize: B, lr: 5e-4, lrFinal: 5e-4, weightDecay: 0.01, steps,
  devShare: 0, testShare: testShareFor(n, Math.min(1000, Math.floor(0.1 * n))), shuffle,
} as SequenceHyper;
const split = splitWords(dataset.words, seed, { dev: 0, test: hyper.testShare, shuffle });
const data = def.data(dataset, hyper);
hyper = def.resolve(hyper, data) as SequenceHyper;
const trainer = new CpuNetTrainer(def.spec(data, hyper), data, Float32Array);

const params = Object.fromEntries(trainer.layout.tensors.map((t) => [t.name, { shape: t.shape, data: Array.from(trainer.params.subarray(t.offset, t.offset + t.size)) }]));
const N = split.train.length;
const batches = Array.from({ length: steps }, (_, s) => Array.from(batchIndicesCpu(seed, s, B, N)));
const losses: number[] = [];
const testLosses: { step: number; loss: number }[] = [];
const t0 = performance.now();
for (let done = 0; done < steps;) {
  const k = Math.min(500 - (done % 500), steps - done);
  losses.push(...(await trainer.runSteps(k)));
  done += k;
  const loss = await trainer.evaluateSplit('test');
  testLosses.push({ step: done, loss });
  console.log(`step ${done}: loss ${losses[done - 1].toFixed(4)}, test loss ${loss.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
writeFileSync(values.out, JSON.stringify({
  type: values.type, seed, steps, lr: hyper.lr, weightDecay: hyper.weightDecay, beta1: hyper.beta1, beta2: hyper.beta2, eps: hyper.eps,
  symbols: dataset.symbols, T: data.T, train: split.train, test: split.test,
  params, batches, losses, testLosses,
}));
console.log(`wrote ${values.out}: ${steps} steps of makemore's ${values.type} (seed ${seed}); replay it with python3 bench/pytorch_makemore.py --replay ${values.out}`);
