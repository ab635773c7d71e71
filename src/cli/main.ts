/**
 * The command line: `makemore train` and `makemore sample`. User errors print one line and
 * exit 1; with --json, stdout carries exactly one JSON object.
 */
import { parseArgs } from 'node:util';
import { OPTIMIZER_KINDS, type OptimizerKind } from '../ops/optimizers.ts';
import { UserError } from '../errors.ts';
import { describeDataset, escapeForTerminal, plural } from '../data/dataset.ts';
import { loadDefaultNames, loadModelFile, readWordList } from '../node.ts';
import { modelSamples, serializeModel, type ModelFile } from '../models/modelFile.ts';
import {
  DEFAULT_ADAMW, DEFAULT_MLP_ADAMW_LR, DEFAULT_MLP_HYPER, DEFAULT_NET_HYPER, DEFAULT_SMOOTHING, DEVICE_KINDS, RULES, parseNumber, splitShares,
  type DeviceKind, type MlpHyper, type ModelKind, type NumberRule,
} from '../train/hyper.ts';
import { runTraining, type GpuBackend } from '../train/run.ts';
import { isNetModel, MODEL_KINDS, MODELS, NET_MODELS, netModel } from '../models/registry.ts';
import type { SampleOptions } from '../models/sequenceSample.ts';
import { SPLIT_SHUFFLES, splitWords, type SplitShuffle } from '../data/split.ts';
import { defaultRates, type HyperField } from '../models/netModel.ts';
import { DivergedError, InterruptedError } from '../train/trainer.ts';
import { progressReporter } from './progress.ts';
import { isMakemoreCommandLine, makemoreCommand, MAKEMORE_HELP, type NetTrainerLike } from './makemore.ts';
import type { ContextData } from '../data/contexts.ts';
import type { NetModelKind } from '../models/registry.ts';
import { checkWritable, writeFileAtomic } from './files.ts';

const HELP = `makemore: character-level language models on the GPU (WebGPU) and the CPU

Usage:
  npm run makemore -- train  [options]    train a model and print its loss and samples
  npm run makemore -- sample --load FILE  sample words from a saved model
  npm run makemore -- -i FILE -o DIR ...  makemore.py's own command line (below)

train options:
  --model ${MODEL_KINDS.join('|')}
${Object.values(MODELS).map((m) => `                      ${m.kind}: ${m.help}`).join('\n')}
  --input FILE        word list, UTF-8, one word per line (default: the bundled first names)
  --lowercase         lowercase the words of --input
  --device cpu|gpu    where to train (default cpu)
  --steps N           training steps (default ${DEFAULT_NET_HYPER.steps}; mlp ${DEFAULT_MLP_HYPER.steps})
  --lr F              learning rate (default ${DEFAULT_NET_HYPER.lr}; mlp ${DEFAULT_MLP_HYPER.lr}, for the first half of the steps)
  --reg F             L2 regularisation of the neural bigram: loss = NLL + reg·mean(W²) (default ${DEFAULT_NET_HYPER.reg})
  --batch-size B      minibatch size; 0 = full batch (default 0; mlp ${DEFAULT_MLP_HYPER.batchSize}, at least 1)
  --smoothing K       add-K smoothing of the counting model (default ${DEFAULT_SMOOTHING})
  --seed S            seed of the weights, minibatches and samples (default ${DEFAULT_NET_HYPER.seed})
  --samples N         names to sample after training (default 20); a neural model's are marked
                      "in train", "in dev", "in test" or "new" by where the word is in the split
  --temperature F     divide the logits of the samples by F (default 1; neural models)
  --top-k K           sample from the K likeliest symbols only (default 0: all; neural models)
  --save FILE         write the trained model as JSON (checked before training; written whole or not at all)
  --json              print one JSON object on stdout and nothing else
  Ctrl-C stops training after the steps under way: the results so far are printed (and saved
  with --save), and it exits with status 130; a second Ctrl-C quits at once.
  Relative paths (--input, --save, --load) are taken from the folder the command was typed in.

mlp and transformer options (the words are split 80/10/10 into train/dev/test by --seed; it
trains on train, and reports the train and dev loss, and the test loss, over whole splits at the end):
  --dev-share F --test-share F
                      the shares of the words held out for dev and test (default 0.1 each)
  --shuffle philox|torch
                      the split's shuffle by --seed: the project's own (default), or PyTorch's
                      torch.randperm, makemore.py's (its split of names.txt: --shuffle torch
                      --seed 3407 --dev-share 0 --test-share 0.0312, the same 1,000 test words)
${Object.values(NET_MODELS).flatMap((m) => m.fields.map((f: HyperField) => `  --${`${f.flag} ${f.metavar}`.padEnd(18)}${f.help} (default ${(m.defaults as unknown as Record<string, number>)[f.key]}; ${m.kind})`)).join('\n')}
  --lr-final F        learning rate of the last half of the steps (default --lr / 10)
  --optimizer sgd|adamw  the lecture's SGD, or PyTorch's AdamW (default: mlp sgd, transformer adamw; mlp with adamw: --lr ${DEFAULT_MLP_ADAMW_LR})
  --beta1 F --beta2 F --eps F --weight-decay F
                      AdamW's settings (default ${DEFAULT_ADAMW.beta1}, ${DEFAULT_ADAMW.beta2}, ${DEFAULT_ADAMW.eps}, ${DEFAULT_ADAMW.weightDecay}: makemore's)

sample options:
  --load FILE         a model written by train --save
  --count N           how many words (default 20)
  --temperature F --top-k K   as for train
  --seed S            seed of the samples (default ${DEFAULT_NET_HYPER.seed})
  --json              print one JSON object on stdout

  -h, --help          this text

${MAKEMORE_HELP}`;

/** The exit status of a run stopped by Ctrl-C (128 + SIGINT, as a shell reports it). */
const EXIT_INTERRUPTED = 130;

const NET_FIELDS: HyperField[] = Object.values(NET_MODELS).flatMap((m) => m.fields);

const OPTIONS = {
  model: { type: 'string' },
  input: { type: 'string' },
  lowercase: { type: 'boolean' },
  device: { type: 'string' },
  steps: { type: 'string' },
  lr: { type: 'string' },
  'lr-final': { type: 'string' },
  optimizer: { type: 'string' },
  beta1: { type: 'string' },
  beta2: { type: 'string' },
  eps: { type: 'string' },
  'weight-decay': { type: 'string' },
  'dev-share': { type: 'string' },
  'test-share': { type: 'string' },
  shuffle: { type: 'string' },
  reg: { type: 'string' },
  'batch-size': { type: 'string' },
  smoothing: { type: 'string' },
  // The neural models' own hyper-parameters, from the registry.
  ...Object.fromEntries(NET_FIELDS.map((f) => [f.flag, { type: 'string' }])),
  seed: { type: 'string' },
  samples: { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  save: { type: 'string' },
  load: { type: 'string' },
  count: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, { type: 'string' | 'boolean'; short?: string }>;

type Values = Record<string, string | boolean | undefined>;

function num(values: Values, flag: string, fallback: number, rule: NumberRule): number {
  const text = values[flag];
  return typeof text === 'string' ? parseNumber(`--${flag}`, text, rule) : fallback;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new UserError(`--${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

async function nodeGpu(): Promise<GpuBackend> {
  // Loaded only when asked for, so the CPU paths never touch the native WebGPU module.
  const { createNodeGpuBackend } = await import('../gpu/nodeBackend.ts');
  return createNodeGpuBackend();
}

/**
 * Which flags apply where: a flag given where it does not apply is refused, naming it and what
 * it applies to (never silently ignored).
 */
const TRAIN_FLAGS = ['model', 'input', 'lowercase', 'device', 'seed', 'samples', 'save', 'json'];
const SAMPLE_FLAGS = ['load', 'count', 'seed', 'temperature', 'top-k', 'json'];
/** What every neural model of the registry trains with (its own fields come from the registry). */
const NET_TRAINING_FLAGS = ['steps', 'lr', 'lr-final', 'optimizer', 'beta1', 'beta2', 'eps', 'weight-decay', 'batch-size', 'dev-share', 'test-share', 'shuffle', 'temperature', 'top-k'];
const ADAMW_FLAGS = ['beta1', 'beta2', 'eps', 'weight-decay'];
/** The same thing under the other command's name. */
const COUNTERPART: Record<string, string> = { samples: 'count', count: 'samples' };

function trainFlags(kind: ModelKind): readonly string[] {
  if (kind === 'bigram-counts') return [...TRAIN_FLAGS, 'smoothing'];
  if (kind === 'bigram-nn') return [...TRAIN_FLAGS, 'steps', 'lr', 'reg', 'batch-size'];
  return [...TRAIN_FLAGS, ...NET_TRAINING_FLAGS, ...netModel(kind).fields.map((f: HyperField) => f.flag)];
}

/**
 * Refuse a flag given where it does not apply: `--flag does not apply to WHERE; it applies to …`.
 * WHERE is the command, or (`model`) the model of a train run when the flag is another model's.
 */
function checkFlagsApply(values: Values, allowed: readonly string[], command: 'train' | 'sample', model?: ModelKind): void {
  for (const [flag, value] of Object.entries(values)) {
    if (value === undefined || flag === 'help' || allowed.includes(flag)) continue;
    const models = MODEL_KINDS.filter((k) => trainFlags(k).includes(flag));
    const places = [
      ...(models.length ? [models.length === MODEL_KINDS.length ? 'train' : `train --model ${models.join(', ')}`] : []),
      ...(SAMPLE_FLAGS.includes(flag) ? ['sample'] : []),
    ];
    const where = command === 'train' && model && models.length ? `--model ${model}` : command;
    const other = COUNTERPART[flag] && allowed.includes(COUNTERPART[flag]) ? ` (${command}'s is --${COUNTERPART[flag]})` : '';
    throw new UserError(`--${flag} does not apply to ${where}; it applies to ${places.join(' and ')}${other}`);
  }
}

/** A neural model's hyper-parameters from the flags (its fields from the registry); checkFlagsApply has refused the others' flags. */
function netHyperFromFlags(kind: string, values: Values): MlpHyper {
  const def = netModel(kind);
  const d = def.defaults as MlpHyper;
  const optimizer = oneOf<OptimizerKind>('optimizer', values.optimizer as string | undefined, OPTIMIZER_KINDS, d.optimizer);
  if (optimizer !== 'adamw') {
    for (const flag of ADAMW_FLAGS) {
      if (values[flag] !== undefined) throw new UserError(`--${flag} does not apply to --optimizer ${optimizer}; it applies to --optimizer adamw`);
    }
  }
  const lr = num(values, 'lr', defaultRates(def, optimizer).lr, RULES.lr);
  const fields = Object.fromEntries(def.fields.map((f: HyperField) => [f.key, num(values, f.flag, (d as unknown as Record<string, number>)[f.key], f.rule)]));
  return {
    ...d,
    ...fields,
    optimizer,
    beta1: num(values, 'beta1', d.beta1, RULES.beta),
    beta2: num(values, 'beta2', d.beta2, RULES.beta),
    eps: num(values, 'eps', d.eps, RULES.eps),
    weightDecay: num(values, 'weight-decay', d.weightDecay, RULES.weightDecay),
    steps: num(values, 'steps', d.steps, RULES.steps),
    lr,
    lrFinal: num(values, 'lr-final', defaultRates(def, optimizer, values.lr === undefined ? undefined : lr).lrFinal, RULES.lr),
    batchSize: num(values, 'batch-size', d.batchSize, RULES.mlpBatchSize),
    seed: num(values, 'seed', d.seed, RULES.seed),
    devShare: num(values, 'dev-share', d.devShare, RULES.share),
    testShare: num(values, 'test-share', d.testShare, RULES.share),
    ...(values.shuffle === undefined ? {} : { shuffle: oneOf<SplitShuffle>('shuffle', values.shuffle as string, SPLIT_SHUFFLES, 'philox') }),
  };
}

/** Training: exit 0, or EXIT_INTERRUPTED when Ctrl-C stopped it early. */
async function train(values: Values): Promise<number> {
  const json = Boolean(values.json);
  const model = oneOf<ModelKind>('model', values.model as string | undefined, MODEL_KINDS, 'bigram-nn');
  const device = oneOf<DeviceKind>('device', values.device as string | undefined, DEVICE_KINDS, 'cpu');
  checkFlagsApply(values, trainFlags(model), 'train', model);
  const mlp = isNetModel(model) ? netHyperFromFlags(model, values) : undefined;
  const hyper = mlp ? { ...DEFAULT_NET_HYPER } : {
    steps: num(values, 'steps', DEFAULT_NET_HYPER.steps, RULES.steps),
    lr: num(values, 'lr', DEFAULT_NET_HYPER.lr, RULES.lr),
    reg: num(values, 'reg', DEFAULT_NET_HYPER.reg, RULES.reg),
    batchSize: num(values, 'batch-size', DEFAULT_NET_HYPER.batchSize, RULES.batchSize),
    seed: num(values, 'seed', DEFAULT_NET_HYPER.seed, RULES.seed),
  };
  const smoothing = num(values, 'smoothing', DEFAULT_SMOOTHING, RULES.smoothing);
  const samples = num(values, 'samples', 20, RULES.samples);
  const sampleOptions = sampleOptionsFromFlags(values, model, `--model ${model}`);
  const save = values.save as string | undefined;
  // Before any training: a run must not end in "cannot write".
  if (save !== undefined) checkWritable('--save', save);
  const data = values.input ? readWordList(values.input as string, { lowercase: Boolean(values.lowercase) }) : await loadDefaultNames();
  // Words, symbols and paths come from the user's files: escaped, never raw control characters.
  const log = (s: string) => { if (!json) process.stdout.write(s.split('\n').map(escapeForTerminal).join('\n') + '\n'); };
  log(describeDataset(data));

  // The bigrams' full batch: the step losses are of the quantity reported at the end.
  const fullBatch = model === 'bigram-nn' && hyper.batchSize === 0;
  const progress = progressReporter(process.stderr, !json || Boolean(process.stderr.isTTY), { label: fullBatch ? 'loss' : 'batch loss' });
  // Ctrl-C: the first stops the run after the chunk of steps under way (what was trained is
  // reported and saved), or cuts the evaluation of the splits after training short; a second
  // exits at once.
  const controller = new AbortController();
  const evaluation = new AbortController();
  let evaluating = false;
  const onSigint = () => {
    if (controller.signal.aborted) {
      progress.note('makemore: interrupted again; exiting without finishing');
      process.exit(EXIT_INTERRUPTED);
    }
    controller.abort();
    if (evaluating) {
      evaluation.abort();
      progress.note('makemore: stopping the evaluation under way; the splits it has not finished read NaN (Ctrl-C again to quit at once)');
    } else {
      progress.note('makemore: stopping after the steps under way (Ctrl-C again to quit at once)');
    }
  };
  process.on('SIGINT', onSigint);
  let result;
  try {
    result = await runTraining(data, {
      model, device, hyper, mlp, smoothing, samples, sampleOptions, gpu: nodeGpu, signal: controller.signal, evalSignal: evaluation.signal,
      onProgress: (p) => progress.update(p),
      onEvalProgress: (split, done, total) => {
        evaluating = true;
        progress.evaluation(split, done, total);
      },
      keepWeights: save !== undefined,
    });
    progress.done(fullBatch ? result.loss : undefined);
  } catch (e) {
    progress.done();
    // A lost device loses nothing that was read back: save it where the model was to go.
    if (e instanceof InterruptedError && save !== undefined && e.partialModel) {
      writeFileAtomic('--save', save, serializeModel(e.partialModel as ModelFile));
      throw new UserError(`${e.message}; the weights after step ${e.lastStep} were saved to ${save}`);
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  // A failed save still shows the results; the error comes after them (and the exit status is 1).
  let saveError: UserError | null = null;
  if (save !== undefined) {
    try {
      writeFileAtomic('--save', save, serializeModel(result.model));
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      saveError = e;
    }
  }

  if (json) {
    process.stdout.write(JSON.stringify({
      model, device, adapter: result.deviceDescription,
      dataset: { words: data.words.length, examples: data.xs.length, vocabSize: data.symbols.length },
      ...(mlp ? { split: result.split, optimizer: mlp.optimizer, parameters: result.model.weights.length } : {}),
      steps: result.steps, loss: result.loss, nll: result.nll,
      // mlp: loss is the train split's at the end; NaN (an empty split) is written as null.
      ...(mlp ? { devLoss: result.devLoss, testLoss: result.testLoss } : {}),
      msPerStep: result.msPerStep, samples: result.samples,
      ...(mlp ? { sampleOrigins: sampleOrigins(result.samples, data.words, mlp) } : {}),
      ...(result.cancelled || result.evaluationCut ? { cancelled: true } : {}),
      ...(result.evaluationCut ? { evaluationCut: true } : {}),
      ...(saveError ? { saveError: saveError.message } : {}),
    }) + '\n');
    if (saveError) throw saveError;
    return result.cancelled || result.evaluationCut ? EXIT_INTERRUPTED : 0;
  }
  log(`model ${model}${mlp ? ` (${result.model.weights.length} parameters, ${mlp.optimizer})` : ''} on ${result.deviceDescription}`);
  if (result.cancelled) log(`cancelled after ${plural(result.steps, 'step')}`);
  if (result.evaluationCut) log('evaluation cut short by Ctrl-C: the splits it had not finished read NaN');
  const split = result.split;
  if (mlp && split) {
    log(`split ${split.train.words}/${split.dev.words}/${split.test.words} words, ${split.train.examples}/${split.dev.examples}/${split.test.examples} examples (train/dev/test)`);
  }
  log(mlp
    ? `train loss ${result.loss.toFixed(4)} | dev loss ${result.devLoss!.toFixed(4)} | test loss ${result.testLoss!.toFixed(4)} | ${plural(result.steps, 'step')} | ${result.msPerStep.toFixed(2)} ms/step`
    : model === 'bigram-counts'
    ? `nll ${result.nll.toFixed(4)} (smoothing ${smoothing}) | table built in ${result.msPerStep.toFixed(2)} ms`
    : `loss ${result.loss.toFixed(4)} (nll ${result.nll.toFixed(4)} + reg ${(result.loss - result.nll).toFixed(4)}) | ${plural(result.steps, 'step')} | ${result.msPerStep.toFixed(2)} ms/step`);
  if (save !== undefined) log(saveError ? `not saved: ${saveError.message}` : `saved ${save}`);
  if (result.samples.length) {
    const origins = mlp ? sampleOrigins(result.samples, data.words, mlp) : null;
    const shown = result.samples.map(shownWord);
    const width = Math.max(...shown.map((s) => [...s].length));
    log('samples:\n' + shown.map((s, i) => '  ' + (origins ? `${s.padEnd(width)}  ${origins[i] === 'new' ? 'new' : `in ${origins[i]}`}` : s)).join('\n'));
  }
  if (saveError) throw saveError;
  return result.cancelled || result.evaluationCut ? EXIT_INTERRUPTED : 0;
}

/** --temperature and --top-k, for the neural models' samples (of a model file, in `where`). */
function sampleOptionsFromFlags(values: Values, kind: ModelKind, where: string): SampleOptions {
  if (!isNetModel(kind)) {
    for (const flag of ['temperature', 'top-k']) {
      if (values[flag] !== undefined) throw new UserError(`--${flag} does not apply to a ${kind} model (${where}); it applies to models ${Object.keys(NET_MODELS).join(', ')}`);
    }
  }
  return { temperature: num(values, 'temperature', 1, RULES.temperature), topK: num(values, 'top-k', 0, RULES.topK) };
}

/** A sampled word as the human output shows it: the empty word (the boundary first) as the page shows it. */
function shownWord(w: string): string {
  return w === '' ? '(empty)' : w;
}

/** Where each sampled word is in the seeded split, as makemore marks its samples: 'train', 'dev', 'test' or 'new'. */
function sampleOrigins(samples: string[], words: readonly string[], h: MlpHyper): string[] {
  const split = splitWords(words, h.seed, splitShares(h));
  const where = new Map<string, string>();
  for (const name of ['test', 'dev', 'train'] as const) for (const w of split[name]) where.set(w, name);
  return samples.map((s) => where.get(s) ?? 'new');
}

function sample(values: Values): void {
  checkFlagsApply(values, SAMPLE_FLAGS, 'sample');
  if (values.load === undefined) throw new UserError('sample needs --load FILE (a model written by train --save)');
  if (values.load === '') throw new UserError('--load needs a file name, got ""');
  const m = loadModelFile(values.load as string);
  const count = num(values, 'count', 20, RULES.samples);
  const seed = num(values, 'seed', DEFAULT_NET_HYPER.seed, RULES.seed);
  const words = modelSamples(m, count, seed, sampleOptionsFromFlags(values, m.kind, values.load as string));
  if (values.json) process.stdout.write(JSON.stringify({ model: m.kind, samples: words }) + '\n');
  else process.stdout.write(words.map((w) => escapeForTerminal(shownWord(w)) + '\n').join(''));
}

/** A negative number as a value: "-1", "-.5", "-1e3", "-Infinity". */
const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity|NaN)/;

/**
 * The flags, with parseArgs's failures said in this tool's words. `--lr -1` is the value -1 of
 * --lr (parseArgs would take "-1" for a flag and call it ambiguous): its rule then says what is
 * wrong with it.
 */
function parseFlags(argv: string[]) {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') && !argv[i].includes('=') ? argv[i].slice(2) : '';
    const option = (OPTIONS as Record<string, { type: string }>)[name];
    if (option?.type === 'string' && i + 1 < argv.length && NEGATIVE_NUMBER.test(argv[i + 1])) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const { code, message } = e as { code?: string; message: string };
    if (!code?.startsWith('ERR_PARSE_ARGS')) throw e;
    const flag = message.match(/option '(-[^' ]+)/i)?.[1] ?? message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UserError(`unknown option ${flag} (see --help)`);
    if (/does not take an argument/.test(message)) throw new UserError(`${flag} takes no value`);
    if (/ambiguous/.test(message)) throw new UserError(`${flag} needs a value; for a value that starts with "-", write ${flag}=VALUE`);
    if (/argument missing/.test(message)) throw new UserError(`${flag} needs a value`);
    throw new UserError(message.replace(/\s*\n\s*/g, ' '));
  }
}

/** Ctrl-C during makemore's loop: the first stops it after the current chunk of steps, a second exits at once. */
let interrupts = 0;
// Kept for as long as the process lives: Dawn kills the process if its instance is collected while devices live.
let makemoreGpu: unknown;

async function makemoreGpuTrainer(kind: NetModelKind, data: ContextData, hyper: MlpHyper, initial?: Float32Array): Promise<NetTrainerLike> {
  const { openNodeGpu } = await import('../gpu/nodeBackend.ts');
  const { GpuNetTrainer } = await import('../nn/gpuTrainer.ts');
  const ctx = await openNodeGpu();
  makemoreGpu = ctx;
  return GpuNetTrainer.create(ctx, netModel(kind).spec(data, hyper), data, {}, initial);
}

/** makemore.py's loop; resolves true when Ctrl-C stopped it. */
function runMakemore(argv: string[]): Promise<boolean> {
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(EXIT_INTERRUPTED);
    process.stderr.write('makemore: stopping after this chunk of steps (Ctrl-C again to quit now)\n');
  });
  return makemoreCommand(argv, {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    interrupted: () => interrupts > 0,
    gpuTrainer: makemoreGpuTrainer,
  });
}

export async function main(argv: string[]): Promise<number> {
  try {
    if (isMakemoreCommandLine(argv)) return (await runMakemore(argv)) ? EXIT_INTERRUPTED : 0;
    const { values, positionals } = parseFlags(argv);
    const command = positionals[0];
    if (values.help || command === undefined || command === 'help') {
      process.stdout.write(HELP);
      return command === undefined && !values.help ? 1 : 0;
    }
    if (positionals.length > 1) throw new UserError(`unexpected argument ${JSON.stringify(positionals[1])} (see --help)`);
    if (command === 'train') return await train(values);
    if (command === 'sample') {
      sample(values);
      return 0;
    }
    throw new UserError(`unknown command ${JSON.stringify(command)}; expected train or sample (see --help)`);
  } catch (e) {
    if (e instanceof UserError) {
      // One line, whatever the message.
      process.stderr.write(`makemore: ${escapeForTerminal((e as Error).message.replace(/\s*\n\s*/g, ' '))}\n`);
      if (e instanceof DivergedError) process.stderr.write('makemore: nothing was saved\n');
      return 1;
    }
    throw e;
  }
}

// A reader that stops early (`| head`) closes the pipe: stop quietly rather than with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
