/** Hyper-parameters: defaults and validation shared by the CLI and the page. */
import { UserError } from '../errors.ts';
import { MAX_SEED } from '../random/philox.ts';

export type ModelKind = 'bigram-counts' | 'bigram-nn';
export const MODEL_KINDS: readonly ModelKind[] = ['bigram-counts', 'bigram-nn'];
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

/** How a number must look; `flag` names it in the message (e.g. '--lr'). */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  /** min itself is not allowed. */
  exclusiveMin?: boolean;
  max?: number;
}

export function checkNumber(flag: string, value: number, rule: NumberRule): number {
  const want = describeRule(rule);
  if (!Number.isFinite(value)) throw new UserError(`${flag} must be ${want}, got ${value}`);
  if (rule.integer && !Number.isInteger(value)) throw new UserError(`${flag} must be ${want}, got ${value}`);
  if (rule.min !== undefined && (value < rule.min || (rule.exclusiveMin && value === rule.min))) {
    throw new UserError(`${flag} must be ${want}, got ${value}`);
  }
  if (rule.max !== undefined && value > rule.max) throw new UserError(`${flag} must be ${want}, got ${value}`);
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

function describeRule(rule: NumberRule): string {
  let s = rule.integer ? 'an integer' : 'a finite number';
  if (rule.min !== undefined) s += rule.exclusiveMin ? ` > ${rule.min}` : ` ≥ ${rule.min}`;
  if (rule.max !== undefined) s += ` ≤ ${rule.max}`;
  return s;
}

export const RULES = {
  steps: { integer: true, min: 1, max: 10_000_000 },
  lr: { min: 0, exclusiveMin: true },
  reg: { min: 0 },
  smoothing: { min: 0 },
  batchSize: { integer: true, min: 0, max: 1 << 24 },
  seed: { integer: true, min: 0, max: MAX_SEED },
  samples: { integer: true, min: 0, max: 100_000 },
} satisfies Record<string, NumberRule>;

export function checkNetHyper(h: BigramNetHyper): BigramNetHyper {
  checkNumber('--steps', h.steps, RULES.steps);
  checkNumber('--lr', h.lr, RULES.lr);
  checkNumber('--reg', h.reg, RULES.reg);
  checkNumber('--batch-size', h.batchSize, RULES.batchSize);
  checkNumber('--seed', h.seed, RULES.seed);
  return h;
}
