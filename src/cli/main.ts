/**
 * The command line: `makemore train` and `makemore sample`. User errors print one line and
 * exit 1; with --json, stdout carries exactly one JSON object.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UserError } from '../errors.ts';
import { parseWordList, describeDataset, type Dataset } from '../data/dataset.ts';
import { loadDefaultDataset } from '../data/defaultNames.node.ts';
import { modelProbabilities, parseModel, serializeModel } from '../models/modelFile.ts';
import { sampleWords } from '../models/sample.ts';
import {
  DEFAULT_NET_HYPER, DEFAULT_SMOOTHING, DEVICE_KINDS, MODEL_KINDS, RULES, parseNumber, type DeviceKind, type ModelKind, type NumberRule,
} from '../train/hyper.ts';
import { runTraining, type GpuBackend } from '../train/run.ts';
import { DivergedError } from '../train/trainer.ts';
import { progressReporter } from './progress.ts';

const HELP = `makemore: character-level language models on the GPU (WebGPU) and the CPU

Usage:
  npm run makemore -- train  [options]    train a model and print its loss and samples
  npm run makemore -- sample --load FILE  sample words from a saved model

train options:
  --model bigram-counts|bigram-nn   the counting bigram or the neural bigram (default bigram-nn)
  --input FILE        word list, UTF-8, one word per line (default: the bundled first names)
  --lowercase         lowercase the words of --input
  --device cpu|gpu    where to train (default cpu)
  --steps N           training steps of the neural bigram (default ${DEFAULT_NET_HYPER.steps})
  --lr F              learning rate (default ${DEFAULT_NET_HYPER.lr})
  --reg F             L2 regularisation: loss = NLL + reg·mean(W²) (default ${DEFAULT_NET_HYPER.reg})
  --batch-size B      minibatch size; 0 = full batch (default 0)
  --smoothing K       add-K smoothing of the counting model (default ${DEFAULT_SMOOTHING})
  --seed S            seed of the weights, minibatches and samples (default ${DEFAULT_NET_HYPER.seed})
  --samples N         names to sample after training (default 20)
  --save FILE         write the trained model as JSON
  --json              print one JSON object on stdout and nothing else

sample options:
  --load FILE         a model written by train --save
  --count N           how many words (default 20)
  --seed S            seed of the samples (default ${DEFAULT_NET_HYPER.seed})
  --json              print one JSON object on stdout

  -h, --help          this text
`;

const OPTIONS = {
  model: { type: 'string' },
  input: { type: 'string' },
  lowercase: { type: 'boolean' },
  device: { type: 'string' },
  steps: { type: 'string' },
  lr: { type: 'string' },
  reg: { type: 'string' },
  'batch-size': { type: 'string' },
  smoothing: { type: 'string' },
  seed: { type: 'string' },
  samples: { type: 'string' },
  save: { type: 'string' },
  load: { type: 'string' },
  count: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function num(values: Values, flag: keyof Values, fallback: number, rule: NumberRule): number {
  const text = values[flag];
  return typeof text === 'string' ? parseNumber(`--${flag}`, text, rule) : fallback;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new UserError(`--${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

function readInput(path: string, lowercase: boolean): Dataset {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : (e as Error).message}`);
  }
  return parseWordList(bytes, path, { lowercase });
}

function readModelFile(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseModel(text, path);
}

function writeOutput(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UserError(`${path}: cannot write the model (${(e as Error).message})`);
  }
}

async function nodeGpu(): Promise<GpuBackend> {
  // Loaded only when asked for, so the CPU paths never touch the native WebGPU module.
  const { createNodeGpuBackend } = await import('../gpu/nodeBackend.ts');
  return createNodeGpuBackend();
}

async function train(values: Values): Promise<void> {
  const json = Boolean(values.json);
  const model = oneOf<ModelKind>('model', values.model, MODEL_KINDS, 'bigram-nn');
  const device = oneOf<DeviceKind>('device', values.device, DEVICE_KINDS, 'cpu');
  const hyper = {
    steps: num(values, 'steps', DEFAULT_NET_HYPER.steps, RULES.steps),
    lr: num(values, 'lr', DEFAULT_NET_HYPER.lr, RULES.lr),
    reg: num(values, 'reg', DEFAULT_NET_HYPER.reg, RULES.reg),
    batchSize: num(values, 'batch-size', DEFAULT_NET_HYPER.batchSize, RULES.batchSize),
    seed: num(values, 'seed', DEFAULT_NET_HYPER.seed, RULES.seed),
  };
  const smoothing = num(values, 'smoothing', DEFAULT_SMOOTHING, RULES.smoothing);
  const samples = num(values, 'samples', 20, RULES.samples);
  const data = values.input ? readInput(values.input, Boolean(values.lowercase)) : loadDefaultDataset();
  const log = (s: string) => { if (!json) process.stdout.write(s + '\n'); };
  log(describeDataset(data));

  const progress = progressReporter(process.stderr, !json || Boolean(process.stderr.isTTY));
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await runTraining(data, {
      model, device, hyper, smoothing, samples, gpu: nodeGpu, signal: controller.signal, onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.done();
    process.off('SIGINT', onSigint);
  }
  if (values.save) writeOutput(values.save, serializeModel(result.model));

  if (json) {
    process.stdout.write(JSON.stringify({
      model, device, adapter: result.deviceDescription,
      dataset: { words: data.words.length, examples: data.xs.length, vocabSize: data.symbols.length },
      steps: result.steps, loss: result.loss, nll: result.nll, msPerStep: result.msPerStep, samples: result.samples,
      ...(result.cancelled ? { cancelled: true } : {}),
    }) + '\n');
    return;
  }
  log(`model ${model} on ${result.deviceDescription}`);
  if (result.cancelled) log(`cancelled after ${result.steps} steps`);
  log(model === 'bigram-counts'
    ? `nll ${result.nll.toFixed(4)} (smoothing ${smoothing}) | table built in ${result.msPerStep.toFixed(2)} ms`
    : `loss ${result.loss.toFixed(4)} (nll ${result.nll.toFixed(4)} + reg ${(result.loss - result.nll).toFixed(4)}) | ${result.steps} steps | ${result.msPerStep.toFixed(2)} ms/step`);
  if (values.save) log(`saved ${values.save}`);
  if (result.samples.length) log('samples:\n' + result.samples.map((s) => '  ' + s).join('\n'));
}

function sample(values: Values): void {
  if (!values.load) throw new UserError('sample needs --load FILE (a model written by train --save)');
  const m = readModelFile(values.load);
  const count = num(values, 'count', 20, RULES.samples);
  const seed = num(values, 'seed', DEFAULT_NET_HYPER.seed, RULES.seed);
  const words = sampleWords(modelProbabilities(m), m.symbols, count, seed);
  if (values.json) process.stdout.write(JSON.stringify({ model: m.kind, samples: words }) + '\n');
  else process.stdout.write(words.join('\n') + '\n');
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const command = positionals[0];
    if (values.help || command === undefined || command === 'help') {
      process.stdout.write(HELP);
      return command === undefined && !values.help ? 1 : 0;
    }
    if (positionals.length > 1) throw new UserError(`unexpected argument ${JSON.stringify(positionals[1])} (see --help)`);
    if (command === 'train') await train(values);
    else if (command === 'sample') sample(values);
    else throw new UserError(`unknown command ${JSON.stringify(command)}; expected train or sample (see --help)`);
    return 0;
  } catch (e) {
    if (e instanceof UserError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // One line: Node's parseArgs messages span several lines (e.g. `--lr -1` is "ambiguous").
      process.stderr.write(`makemore: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
      if (e instanceof DivergedError) process.stderr.write('makemore: nothing was saved; lower the learning rate and train again\n');
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
