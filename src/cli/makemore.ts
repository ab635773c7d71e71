/**
 * makemore.py's own command line, for its users:
 *   npm run makemore -- -i names.txt -o names [--type transformer] [--max-steps N] [--sample-only] [--resume] …
 * As makemore.py does it: the words split into 1,000 test words (or 10% if fewer) and the rest
 * for training, no dev split, by PyTorch's torch.randperm under the seed (the same words as
 * makemore.py's split for the same seed); a line every 10 steps; 10 samples every 200 steps,
 * sorted into "in train", "in test" and "new"; every 500 steps the loss over 1,100 training
 * words and over the test words, and the model saved to <work-dir>/model.json when the test loss
 * is the best so far; --max-steps −1 (the default) trains until Ctrl-C. --sample-only prints 50
 * samples of the best model; --resume starts from its weights (a fresh optimiser, as makemore's).
 * Every evaluation is also a line of <work-dir>/log.jsonl. The `train` and `sample` commands
 * stay as they are; this is the same engine behind makemore's flags.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../errors.ts';
import { escapeForTerminal, parseWordList, type Dataset } from '../data/dataset.ts';
import { splitWords } from '../data/split.ts';
import type { ContextData } from '../data/contexts.ts';
import { modelSamples, netHyper, netModelFile, parseModel, serializeModel, type ModelFile } from '../models/modelFile.ts';
import { isNetModel, NET_MODELS, netModel, type NetModelKind } from '../models/registry.ts';
import { CpuNetTrainer } from '../nn/cpuTrainer.ts';
import { RULES, parseNumber, splitShares, type MlpHyper, type NumberRule } from '../train/hyper.ts';
import { Random, Stream } from '../random/philox.ts';
import { divergenceBound } from '../train/trainer.ts';
import { readUserFile, userPath, writeFileAtomic } from './files.ts';

/** makemore.py's --type names → the registry's kinds (its bigram and mlp differ from the project's bigram-nn and mlp). */
export const MAKEMORE_TYPES = {
  bigram: 'makemore-bigram', mlp: 'makemore-mlp', rnn: 'rnn', gru: 'gru', bow: 'bow', transformer: 'transformer',
} as const satisfies Record<string, NetModelKind>;

/** The --type that trains a registry kind (undefined: none does). */
function typeOf(kind: string): string | undefined {
  return Object.entries(MAKEMORE_TYPES).find(([, k]) => k === kind)?.[0];
}

export const MAKEMORE_HELP = `makemore.py's command line (the same flags, the same loop):
  npm run makemore -- -i FILE -o DIR [options]

  -i, --input-file FILE   word list, one word per line (default names.txt)
  -o, --work-dir DIR      where the best model (model.json) and the log (log.jsonl) go (default out)
  --resume                start from DIR/model.json
  --sample-only           print 50 samples of DIR/model.json and stop
  --device cpu|gpu        (default cpu)
  --seed S                (default 3407)
  --max-steps N           stop after N steps (default -1: until Ctrl-C)
  --top-k K               sample from the K likeliest symbols (default -1: all)
  --type ${Object.keys(MAKEMORE_TYPES).join('|')}   makemore.py's models (default transformer);
                          bigram and mlp are makemore-bigram and makemore-mlp (its own, on sequences)
  --n-layer L --n-head H --n-embd C   the Transformer's shape (default 4, 4, 64)
  -b, --batch-size B      (default 32)
  -l, --learning-rate F   AdamW's rate (default 5e-4)
  -w, --weight-decay F    (default 0.01)
  -n, --num-workers N     accepted and ignored (no data loader processes here)
`;

const OPTIONS = {
  'input-file': { type: 'string', short: 'i' },
  'work-dir': { type: 'string', short: 'o' },
  resume: { type: 'boolean' },
  'sample-only': { type: 'boolean' },
  'num-workers': { type: 'string', short: 'n' },
  'max-steps': { type: 'string' },
  device: { type: 'string' },
  seed: { type: 'string' },
  'top-k': { type: 'string' },
  type: { type: 'string' },
  'n-layer': { type: 'string' },
  'n-head': { type: 'string' },
  'n-embd': { type: 'string' },
  'n-embd2': { type: 'string' },
  'batch-size': { type: 'string', short: 'b' },
  'learning-rate': { type: 'string', short: 'l' },
  'weight-decay': { type: 'string', short: 'w' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Every chunk of steps is one submit on the GPU; makemore prints a line every 10 steps. */
const CHUNK = 10;
const SAMPLE_EVERY = 200;
const EVAL_EVERY = 500;
/** makemore's evaluate(): 10 (+1) batches of 100 words of the training split. */
const TRAIN_EVAL_WORDS = 1100;

export interface MakemoreIo {
  out(line: string): void;
  err(line: string): void;
  /** Ctrl-C asked for (checked between chunks of steps). */
  interrupted(): boolean;
  /** The GPU trainer's factory (Node's Dawn), loaded only when asked for. */
  gpuTrainer(kind: NetModelKind, data: ContextData, hyper: MlpHyper, initial?: Float32Array): Promise<NetTrainerLike>;
}

/** What the loop needs of a trainer, on either device. */
export interface NetTrainerLike {
  runSteps(count: number): Promise<Float32Array>;
  readWeights(): Promise<Float32Array>;
  evaluateSplit(name: 'train' | 'dev' | 'test'): Promise<number>;
  dispose(): void;
}

/** The argument list is makemore's when it starts with one of makemore.py's flags, not a command. */
export function isMakemoreCommandLine(argv: readonly string[]): boolean {
  const first = argv[0] ?? '';
  return /^(-i|-o|--input-file|--work-dir|--sample-only|--resume|--type|--max-steps)(=|$)/.test(first);
}

/** Test share that leaves exactly `testWords` of n words for test (the half word keeps floor() off a rounding edge). */
export function testShareFor(n: number, testWords: number): number {
  return testWords === 0 ? 0 : (testWords - 0.5) / n;
}

/** Resolves true when Ctrl-C stopped the loop (the CLI then exits 130), false otherwise. */
export async function makemoreCommand(argv: string[], io: MakemoreIo): Promise<boolean> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    io.out(MAKEMORE_HELP);
    return false;
  }
  if (positionals.length) throw new UserError(`unexpected argument ${JSON.stringify(positionals[0])} (makemore's flags: -i FILE -o DIR …)`);
  const num = (flag: keyof typeof OPTIONS, fallback: number, rule: NumberRule) => (values[flag] === undefined ? fallback : parseNumber(`--${flag}`, values[flag] as string, rule));
  const type = values.type ?? 'transformer';
  if (!Object.hasOwn(MAKEMORE_TYPES, type)) throw new UserError(`--type must be one of ${Object.keys(MAKEMORE_TYPES).join(', ')}, got ${JSON.stringify(type)}`);
  const kind: NetModelKind = MAKEMORE_TYPES[type as keyof typeof MAKEMORE_TYPES];
  const device = values.device ?? 'cpu';
  if (device !== 'cpu' && device !== 'gpu') throw new UserError(`--device must be cpu or gpu, got ${JSON.stringify(device)}`);
  const workDir = values['work-dir'] ?? 'out';
  const modelPath = join(workDir, 'model.json');
  const topK = num('top-k', -1, { integer: true, min: -1, max: RULES.topK.max });
  const sampleOptions = { temperature: 1, topK: Math.max(0, topK) };
  const dataset = readWords(values['input-file'] ?? 'names.txt');

  if (values['sample-only']) {
    const m = readModel(modelPath);
    const h = m.hyper as Partial<MlpHyper>;
    const shares = typeof h.devShare === 'number' && typeof h.testShare === 'number' ? { devShare: h.devShare, testShare: h.testShare, shuffle: h.shuffle } : undefined;
    printSamples(io, m, dataset, splitOf(dataset, Number(h.seed ?? 3407), shares), 50, Number(h.seed ?? 3407) + 1, sampleOptions);
    return false;
  }

  const def = netModel(kind);
  const n = dataset.words.length;
  const testWords = Math.min(1000, Math.floor(0.1 * n));
  const d = def.defaults as MlpHyper;
  const own = new Set(def.fields.map((f) => f.flag));
  for (const flag of ['n-layer', 'n-head', 'n-embd', 'n-embd2'] as const) {
    if (values[flag] !== undefined && !own.has(flag)) throw new UserError(`--${flag} does not apply to --type ${type}`);
  }
  // --resume: the model's shape is the file's; a flag that says otherwise is an error.
  const resumed = values.resume ? readModel(modelPath) : null;
  if (resumed && resumed.kind !== kind) {
    const other = typeOf(resumed.kind);
    throw new UserError(`${modelPath} is a ${resumed.kind} model; ${other ? `--resume needs --type ${other}` : "makemore's command line does not train it"}`);
  }
  if (resumed && resumed.symbols.join('') !== dataset.symbols.join('')) {
    throw new UserError(`${modelPath} was trained on the symbols ${JSON.stringify(resumed.symbols.slice(1).join(''))}, ${dataset.source} has ${JSON.stringify(dataset.symbols.slice(1).join(''))}`);
  }
  const saved = resumed ? (netHyper(kind, resumed.hyper, modelPath) as Record<string, number>) : null;
  const fields = Object.fromEntries(def.fields.map((f) => {
    const v = num(f.flag as keyof typeof OPTIONS, saved ? saved[f.key] : (d as unknown as Record<string, number>)[f.key], f.rule);
    if (saved && v !== saved[f.key]) throw new UserError(`--${f.flag} ${v}: ${modelPath} has ${saved[f.key]} (--resume keeps the model's shape)`);
    return [f.key, v];
  }));
  let hyper: MlpHyper = {
    ...d, ...fields,
    optimizer: 'adamw',
    seed: num('seed', 3407, RULES.seed),
    batchSize: num('batch-size', 32, RULES.mlpBatchSize),
    lr: num('learning-rate', 5e-4, RULES.lr),
    weightDecay: num('weight-decay', 0.01, RULES.weightDecay),
    devShare: 0,
    testShare: testShareFor(n, testWords),
    shuffle: 'torch',
  };
  hyper = { ...hyper, lrFinal: hyper.lr };
  const maxSteps = num('max-steps', -1, { integer: true, min: -1, max: RULES.steps.max });
  if (maxSteps === 0) throw new UserError('--max-steps must be -1 (no limit) or a number of steps ≥ 1, got 0');
  hyper.steps = maxSteps > 0 ? maxSteps : RULES.steps.max;

  const split = splitOf(dataset, hyper.seed, hyper);
  let data = def.data(dataset, hyper);
  // No dev split here: its place holds 1,100 training words' worth drawn by the seed, makemore's train estimate.
  data = { ...data, dev: trainSample(data, hyper.seed), words: { ...data.words, dev: Math.min(TRAIN_EVAL_WORDS, split.train.length) } };
  hyper = def.resolve(hyper, data) as MlpHyper;
  const initial = resumed ? Float32Array.from(resumed.weights) : undefined;
  if (resumed && resumed.hyper.shuffle !== 'torch') io.err(`note: ${modelPath} was trained on the project's own split of the words; it goes on here on makemore's (other test words)`);
  mkdirSync(userPath(workDir), { recursive: true });
  io.out(`number of examples in the dataset: ${n}`);
  io.out(`max word length: ${data.T - 1}`);
  io.out(`number of unique characters in the vocabulary: ${dataset.symbols.length - 1}`);
  io.out(`vocabulary: ${dataset.symbols.slice(1).join('')}`);
  io.out(`split up the dataset into ${split.train.length} training examples and ${split.test.length} test examples`);
  const trainer = device === 'gpu' ? await io.gpuTrainer(kind, data, hyper, initial) : new CpuNetTrainer(def.spec(data, hyper), data, Float32Array, initial);
  const params = (await trainer.readWeights()).length;
  io.out(`model #params: ${params}${initial ? ` (resumed from ${modelPath})` : ''}`);
  const logPath = join(workDir, 'log.jsonl');
  // Resumed: the file's best stands until a better test loss, and the steps count on from its.
  let best = resumed && Number.isFinite(resumed.testLoss) ? resumed.testLoss! : Infinity;
  const base = resumed?.steps ?? 0;
  let step = 0;
  let bound = Infinity;
  try {
    while (maxSteps < 0 || step < maxSteps) {
      if (io.interrupted()) {
        io.out(`stopped after step ${base + step}${Number.isFinite(best) ? `; the best model (test loss ${best.toFixed(4)}) is ${modelPath}` : ''}`);
        return true;
      }
      const k = Math.min(CHUNK, maxSteps < 0 ? CHUNK : maxSteps - step);
      const t0 = performance.now();
      const losses = await trainer.runSteps(k);
      const ms = (performance.now() - t0) / k;
      const last = losses[k - 1];
      if (step === 0) bound = divergenceBound(Number.isFinite(losses[0]) ? losses[0] : 0, data.V);
      const bad = losses.findIndex((l) => !(l <= bound));
      if (bad >= 0) {
        throw new UserError(`training diverged: the loss is ${losses[bad]} at step ${base + step + bad + 1} (above ${bound.toPrecision(3)}: ten times the larger of the first loss and ln V); try a lower --learning-rate`);
      }
      step += k;
      const at = base + step;
      io.out(`step ${at} | loss ${last.toFixed(4)} | step time ${ms.toFixed(2)}ms`);
      if (at % EVAL_EVERY === 0 || step === maxSteps) {
        const trainLoss = await trainer.evaluateSplit('dev');
        const testLoss = await trainer.evaluateSplit('test');
        io.out(`step ${at} train loss: ${trainLoss.toFixed(4)} test loss: ${testLoss.toFixed(4)}`);
        appendFileSync(userPath(logPath), JSON.stringify({ step: at, trainLoss, testLoss, msPerStep: ms }) + '\n');
        if (testLoss < best) {
          best = testLoss;
          const weights = await trainer.readWeights();
          writeFileAtomic('--work-dir', modelPath, serializeModel(netModelFile(kind, dataset.symbols, hyper, weights, at, { train: trainLoss, dev: NaN, test: testLoss })));
          io.out(`test loss ${testLoss.toFixed(4)} is the best so far, saving model to ${modelPath}`);
        }
      }
      if (at % SAMPLE_EVERY === 0) {
        const weights = await trainer.readWeights();
        const m = netModelFile(kind, dataset.symbols, hyper, weights, at, { train: NaN, dev: NaN, test: NaN });
        printSamples(io, m, dataset, split, 10, hyper.seed + at, sampleOptions);
      }
    }
  } finally {
    trainer.dispose();
  }
  return false;
}

function readWords(path: string): Dataset {
  return parseWordList(readUserFile(path), path);
}

function readModel(path: string): ModelFile {
  let bytes: Buffer;
  try {
    bytes = readUserFile(path);
  } catch (e) {
    if (/no such file/.test((e as Error).message)) throw new UserError(`${path}: no model yet (train first, without --sample-only or --resume)`);
    throw e;
  }
  const m = parseModel(bytes.toString('utf8'), path);
  if (!isNetModel(m.kind)) throw new UserError(`${path}: a ${m.kind} model; makemore's command line trains ${Object.keys(NET_MODELS).join(', ')}`);
  return m;
}

/** The words' split as the model's hyper-parameters cut it (makemore's: 1,000 test words, no dev, PyTorch's shuffle). */
function splitOf(dataset: Dataset, seed: number, h?: Pick<MlpHyper, 'devShare' | 'testShare' | 'shuffle'>) {
  const n = dataset.words.length;
  const shares = h ? splitShares(h) : { dev: 0, test: testShareFor(n, Math.min(1000, Math.floor(0.1 * n))), shuffle: 'torch' as const };
  return splitWords(dataset.words, seed, shares);
}

/**
 * TRAIN_EVAL_WORDS words' worth of training examples, drawn by the seed with replacement (a
 * row: a word's sequence, or one context; makemore draws 1,100 words afresh at every eval).
 */
function trainSample(data: ContextData, seed: number): ContextData['train'] {
  const { X, Y } = data.train;
  const xPer = data.T;
  const yPer = data.targetsPerExample ?? 1;
  const rows = X.length / xPer;
  const count = Math.min(rows, Math.round((TRAIN_EVAL_WORDS * rows) / Math.max(1, data.words.train)));
  const rng = new Random(seed, Stream.sample);
  const x = new Uint32Array(count * xPer);
  const y = new Uint32Array(count * yPer);
  for (let i = 0; i < count; i++) {
    const j = rng.index(rows);
    x.set(X.subarray(j * xPer, (j + 1) * xPer), i * xPer);
    y.set(Y.subarray(j * yPer, (j + 1) * yPer), i * yPer);
  }
  return { X: x, Y: y };
}

function printSamples(io: MakemoreIo, m: ModelFile, dataset: Dataset, split: { train: string[]; test: string[] }, count: number, seed: number, o: { temperature: number; topK: number }): void {
  const train = new Set(split.train);
  const test = new Set(split.test);
  const groups: Record<'in train' | 'in test' | 'new', string[]> = { 'in train': [], 'in test': [], new: [] };
  for (const w of modelSamples(m, count, seed, o)) groups[train.has(w) ? 'in train' : test.has(w) ? 'in test' : 'new'].push(w);
  io.out('-'.repeat(80));
  for (const [name, words] of Object.entries(groups)) {
    io.out(`${words.length} samples that are ${name}:`);
    for (const w of words) io.out(w === '' ? '(empty)' : escapeForTerminal(w));
  }
  io.out('-'.repeat(80));
}
