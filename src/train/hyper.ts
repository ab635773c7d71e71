/** Hyper-parameters: defaults and validation shared by the CLI and the page. */
import { UserError } from '../errors.ts';
import { MAX_SEED } from '../random/philox.ts';
import { OPTIMIZER_KINDS, type OptimizerKind } from '../ops/optimizers.ts';
import { SPLIT_SHUFFLES, type SplitShares, type SplitShuffle } from '../data/split.ts';

/** Every model kind; the registry (src/models/registry.ts) holds what each one is. */
export type ModelKind = 'bigram-counts' | 'bigram-nn' | 'mlp' | 'transformer' | 'rnn' | 'gru' | 'bow' | 'makemore-mlp' | 'makemore-bigram';
export type DeviceKind = 'cpu' | 'gpu';
export const DEVICE_KINDS: readonly DeviceKind[] = ['cpu', 'gpu'];

export interface BigramNetHyper {
  steps: number;
  lr: number;
  reg: number;
  /** 0 means full batch. */
  batchSize: number;
  seed: number;
}

export const DEFAULT_NET_HYPER: BigramNetHyper = { steps: 500, lr: 50, reg: 0.01, batchSize: 0, seed: 42 };
export const DEFAULT_SMOOTHING = 1;

/** How every neural model of the registry trains: minibatches, an optimiser, a step schedule. */
export interface NetTrainingHyper {
  steps: number;
  /** Learning rate (of the first half of the steps, for a model with a step schedule). */
  lr: number;
  /** Learning rate of the last half (the context model; the Transformer's rate is constant). */
  lrFinal: number;
  /** B: examples (contexts, or words) per step (≥ 1: no full batch). */
  batchSize: number;
  /** Seed of the split, the weights and the minibatches. */
  seed: number;
  /** Shares of the words held out for the dev and the test split (src/data/split.ts). */
  devShare: number;
  testShare: number;
  /** The split's shuffle: the project's (philox, when absent) or makemore.py's (torch). */
  shuffle?: SplitShuffle;
  /** sgd (the lecture's) or adamw (PyTorch's AdamW: betas, eps and decoupled weight decay below). */
  optimizer: OptimizerKind;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** The context model (makemore's MLP): minibatch SGD with a step schedule by default. */
export interface MlpHyper extends NetTrainingHyper {
  /** T: symbols of context. */
  blockSize: number;
  /** E: embedding dimensions per symbol. */
  embed: number;
  /** H: hidden units. */
  hidden: number;
}

/** makemore's Transformer: AdamW at a constant rate. */
export interface TransformerHyper extends NetTrainingHyper {
  nLayer: number;
  nHead: number;
  /** C: channels, a multiple of nHead. */
  nEmbd: number;
  /** T: positions of a sequence, the longest word + 1 (set from the data when training starts; 0 before). */
  blockSize: number;
}

/** AdamW's settings as makemore trains its models (betas 0.9, 0.99; eps 1e-8; weight decay 0.01). */
export const DEFAULT_ADAMW = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 } as const;

/** makemore's recipe: 4 layers of 4 heads, 64 channels, AdamW 5e-4, batches of 32 words. */
export const DEFAULT_TRANSFORMER_HYPER: TransformerHyper = {
  steps: 5000, lr: 5e-4, lrFinal: 5e-4, batchSize: 32, seed: 42, devShare: 0.1, testShare: 0.1, optimizer: 'adamw', ...DEFAULT_ADAMW, nLayer: 4, nHead: 4, nEmbd: 64, blockSize: 0,
};

/** makemore's rnn, gru and bow: AdamW at a constant rate. */
export interface SequenceHyper extends NetTrainingHyper {
  /** C: token (and, for bow, position) embedding dimensions (n_embd). */
  nEmbd: number;
  /** H: the recurrent state (rnn, gru), the MLP's hidden width (bow) (n_embd2). */
  nEmbd2: number;
  /** T: positions of a sequence, the longest word + 1 (set from the data when training starts; 0 before). */
  blockSize: number;
}

/**
 * makemore's recipe for its rnn, gru and bow: 64 and 64 dimensions, AdamW 5e-4, batches of 32
 * words. On names.txt, 2,000 steps reach a test loss of gru 2.166, rnn 2.199, bow 2.274 (seed
 * 42, GPU) and 2.168, 2.188, 2.279 (seed 3407, CPU) on the 80/10/10 split; on makemore's own
 * split of 1,000 test words (shuffle 'torch', seed 3407, GPU) 2.150, 2.176 and 2.260, where
 * makemore reports 2.147, 2.171 and 2.256.
 */
export const DEFAULT_SEQUENCE_HYPER: SequenceHyper = {
  steps: 5000, lr: 5e-4, lrFinal: 5e-4, batchSize: 32, seed: 42, devShare: 0.1, testShare: 0.1, optimizer: 'adamw', ...DEFAULT_ADAMW, nEmbd: 64, nEmbd2: 64, blockSize: 0,
};

/** The lecture's recipe; 20,000 steps reach a dev loss of about 2.18 on the 32,033 names. */
export const DEFAULT_MLP_HYPER: MlpHyper = {
  steps: 20_000, lr: 0.1, lrFinal: 0.01, batchSize: 32, seed: 42, devShare: 0.1, testShare: 0.1, blockSize: 3, embed: 10, hidden: 200, optimizer: 'sgd', ...DEFAULT_ADAMW,
};

/**
 * AdamW's default learning rate for the context model (a tenth of it for the last half, as
 * with SGD). On names.txt, 20,000 steps of the default network reach a dev loss of 2.186 at
 * 0.001, 2.162 at 0.002, 2.158 at 0.003, 2.172 at 0.005, 2.226 at 0.01 and 2.271 at 0.02.
 */
export const DEFAULT_MLP_ADAMW_LR = 0.003;

/** The final learning rate that goes with `lr`: a tenth, without binary noise (0.003 / 10 is 0.00030000000000000003). */
export function tenthOf(lr: number): number {
  return Number((lr / 10).toPrecision(12));
}

/** How a number must look; `flag` names it in the message (e.g. '--lr'). */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  /** min itself is not allowed. */
  exclusiveMin?: boolean;
  max?: number;
  /** max itself is not allowed. */
  exclusiveMax?: boolean;
}

export function checkNumber(flag: string, value: number, rule: NumberRule): number {
  const want = describeRule(rule);
  if (!Number.isFinite(value)) throw new UserError(`${flag} must be ${want}, got ${value}`);
  if (rule.integer && !Number.isInteger(value)) throw new UserError(`${flag} must be ${want}, got ${value}`);
  if (rule.min !== undefined && (value < rule.min || (rule.exclusiveMin && value === rule.min))) {
    throw new UserError(`${flag} must be ${want}, got ${value}`);
  }
  if (rule.max !== undefined && (value > rule.max || (rule.exclusiveMax && value === rule.max))) throw new UserError(`${flag} must be ${want}, got ${value}`);
  return value;
}

/** Text from a flag or a form field → a checked number. */
export function parseNumber(flag: string, text: string, rule: NumberRule): number {
  const t = text.trim();
  // Number('') is 0 and Number('0x10') is 16: accept only plain decimal notation.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) && !/^[-+]?(Infinity|NaN)$/.test(t)) {
    throw new UserError(`${flag} must be ${describeRule(rule)}, got ${JSON.stringify(text)}`);
  }
  return checkNumber(flag, Number(t), rule);
}

/** How a rule reads in a message: "an integer from 1 to 10,000,000", "a finite number ≥ 0 and < 1". */
export function describeRule(rule: NumberRule): string {
  const n = (v: number) => (Math.abs(v) >= 10_000 && Number.isInteger(v) ? v.toLocaleString('en-US') : String(v));
  const low = rule.min === undefined ? '' : `${rule.exclusiveMin ? '>' : '≥'} ${n(rule.min)}`;
  const high = rule.max === undefined ? '' : `${rule.exclusiveMax ? '<' : '≤'} ${n(rule.max)}`;
  const kind = rule.integer ? 'an integer' : 'a finite number';
  if (low && high) return !rule.exclusiveMin && !rule.exclusiveMax ? `${kind} from ${n(rule.min!)} to ${n(rule.max!)}` : `${kind} ${low} and ${high}`;
  return low || high ? `${kind} ${low || high}` : kind;
}

export const RULES = {
  steps: { integer: true, min: 1, max: 10_000_000 },
  lr: { min: 0, exclusiveMin: true },
  reg: { min: 0 },
  smoothing: { min: 0 },
  batchSize: { integer: true, min: 0, max: 1 << 24 },
  seed: { integer: true, min: 0, max: MAX_SEED },
  samples: { integer: true, min: 0, max: 100_000 },
  mlpBatchSize: { integer: true, min: 1, max: 65_536 },
  blockSize: { integer: true, min: 1, max: 64 },
  embed: { integer: true, min: 1, max: 1024 },
  hidden: { integer: true, min: 1, max: 16_384 },
  nLayer: { integer: true, min: 1, max: 64 },
  nHead: { integer: true, min: 1, max: 64 },
  nEmbd: { integer: true, min: 1, max: 4096 },
  nEmbd2: { integer: true, min: 1, max: 4096 },
  temperature: { min: 0, exclusiveMin: true },
  topK: { integer: true, min: 0, max: 1024 },
  beta: { min: 0, max: 1, exclusiveMax: true },
  eps: { min: 0, exclusiveMin: true },
  weightDecay: { min: 0 },
  share: { min: 0, max: 1, exclusiveMax: true },
} satisfies Record<string, NumberRule>;

/** One hyper-parameter's check as data: its key, its flag (the message names it), its rule. */
export interface HyperRule {
  key: string;
  flag: string;
  rule: NumberRule;
}

/** Check every rule of `rules` on `h`; the first failure is a UserError naming the flag and the value. */
export function checkHyper<H extends object>(h: H, rules: readonly HyperRule[]): H {
  for (const r of rules) checkNumber(`--${r.flag}`, (h as Record<string, unknown>)[r.key] as number, r.rule);
  return h;
}

/** The neural bigram's hyper-parameters. */
export const BIGRAM_NET_RULES: readonly HyperRule[] = [
  { key: 'steps', flag: 'steps', rule: RULES.steps },
  { key: 'lr', flag: 'lr', rule: RULES.lr },
  { key: 'reg', flag: 'reg', rule: RULES.reg },
  { key: 'batchSize', flag: 'batch-size', rule: RULES.batchSize },
  { key: 'seed', flag: 'seed', rule: RULES.seed },
];

/** What every neural model of the registry trains with (its own fields come with its definition). */
export const NET_TRAINING_RULES: readonly HyperRule[] = [
  { key: 'steps', flag: 'steps', rule: RULES.steps },
  { key: 'lr', flag: 'lr', rule: RULES.lr },
  { key: 'lrFinal', flag: 'lr-final', rule: RULES.lr },
  { key: 'batchSize', flag: 'batch-size', rule: RULES.mlpBatchSize },
  { key: 'seed', flag: 'seed', rule: RULES.seed },
  { key: 'devShare', flag: 'dev-share', rule: RULES.share },
  { key: 'testShare', flag: 'test-share', rule: RULES.share },
  { key: 'beta1', flag: 'beta1', rule: RULES.beta },
  { key: 'beta2', flag: 'beta2', rule: RULES.beta },
  { key: 'eps', flag: 'eps', rule: RULES.eps },
  { key: 'weightDecay', flag: 'weight-decay', rule: RULES.weightDecay },
];

/** How the hyper-parameters split the words (src/data/split.ts). */
export function splitShares(h: Pick<NetTrainingHyper, 'devShare' | 'testShare' | 'shuffle'>): SplitShares {
  return h.shuffle === undefined ? { dev: h.devShare, test: h.testShare } : { dev: h.devShare, test: h.testShare, shuffle: h.shuffle };
}

export function checkNetHyper(h: BigramNetHyper): BigramNetHyper {
  return checkHyper(h, BIGRAM_NET_RULES);
}

/** A neural model's hyper-parameters: the training rules, the optimiser, and the model's own `fields`. */
export function checkNetTrainingHyper<H extends NetTrainingHyper>(h: H, fields: readonly HyperRule[]): H {
  checkHyper(h, NET_TRAINING_RULES.slice(0, 7));
  if (h.devShare + h.testShare >= 1) throw new UserError(`--dev-share ${h.devShare} and --test-share ${h.testShare} must leave a share of the words to train on (they sum to ${h.devShare + h.testShare})`);
  checkHyper(h, fields);
  if (h.shuffle !== undefined && !SPLIT_SHUFFLES.includes(h.shuffle)) throw new UserError(`the split's shuffle must be one of ${SPLIT_SHUFFLES.join(', ')}, got ${JSON.stringify(h.shuffle)}`);
  if (!OPTIMIZER_KINDS.includes(h.optimizer)) throw new UserError(`--optimizer must be one of ${OPTIMIZER_KINDS.join(', ')}, got ${JSON.stringify(h.optimizer)}`);
  return checkHyper(h, NET_TRAINING_RULES.slice(7));
}
