/**
 * The model and device form. Fields are read with the CLI's parseNumber and RULES, so a value
 * the CLI refuses is refused here with the same message (named by the field's label).
 */
import { UserError } from '../errors.ts';
import {
  DEFAULT_NET_HYPER, DEFAULT_SMOOTHING, RULES, parseNumber,
  type BigramNetHyper, type DeviceKind, type ModelKind, type NumberRule,
} from '../train/hyper.ts';
import { byId } from './dom.ts';

/** The models the page trains (it loads and samples model files of every kind). */
export type PageModelKind = Extract<ModelKind, 'bigram-counts' | 'bigram-nn'>;
const PAGE_MODELS: readonly PageModelKind[] = ['bigram-counts', 'bigram-nn'];

export interface RunSettings {
  model: PageModelKind;
  device: DeviceKind;
  hyper: BigramNetHyper;
  smoothing: number;
}

interface Field {
  input: HTMLInputElement;
  /** The label's words, used in messages as the CLI uses the flag. */
  name: string;
  rule: NumberRule;
}

function field(id: string, name: string, rule: NumberRule, initial: number): Field {
  const input = byId(id, HTMLInputElement);
  input.value = String(initial);
  // A corrected value clears its error mark.
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  return { input, name, rule };
}

export class HyperForm {
  readonly modelSelect = byId('model-select', HTMLSelectElement);
  readonly deviceSelect = byId('device-select', HTMLSelectElement);
  private readonly netFields = byId('net-fields', HTMLFieldSetElement);
  private readonly countFields = byId('count-fields', HTMLFieldSetElement);
  private readonly fields = {
    steps: field('steps', 'Steps', RULES.steps, DEFAULT_NET_HYPER.steps),
    lr: field('learning-rate', 'Learning rate', RULES.lr, DEFAULT_NET_HYPER.lr),
    reg: field('reg', 'Regularisation', RULES.reg, DEFAULT_NET_HYPER.reg),
    batchSize: field('batch-size', 'Batch size', RULES.batchSize, DEFAULT_NET_HYPER.batchSize),
    seed: field('seed', 'Seed', RULES.seed, DEFAULT_NET_HYPER.seed),
    smoothing: field('smoothing', 'Smoothing', RULES.smoothing, DEFAULT_SMOOTHING),
  };

  constructor(onSmoothingChange: () => void) {
    this.modelSelect.addEventListener('change', () => this.showModelFields());
    this.fields.smoothing.input.addEventListener('input', onSmoothingChange);
    this.showModelFields();
  }

  /** The fields, checked; throws a UserError naming the first bad one and focuses it. */
  read(): RunSettings {
    const model = this.modelSelect.value as PageModelKind;
    if (!PAGE_MODELS.includes(model)) throw new Error(`the page does not train ${model}`);
    const device = this.deviceSelect.value === 'gpu' ? 'gpu' : 'cpu';
    const f = this.fields;
    const number = (fl: Field) => this.number(fl);
    if (model === 'bigram-counts') {
      return { model, device, hyper: { ...DEFAULT_NET_HYPER }, smoothing: number(f.smoothing) };
    }
    const hyper = { steps: number(f.steps), lr: number(f.lr), reg: number(f.reg), batchSize: number(f.batchSize), seed: number(f.seed) };
    return { model, device, hyper, smoothing: DEFAULT_SMOOTHING };
  }

  /** The smoothing field if it holds a valid value (for the reference line), else the default. */
  smoothingOrDefault(): number {
    try {
      return parseNumber('', this.fields.smoothing.input.value, RULES.smoothing);
    } catch {
      return DEFAULT_SMOOTHING;
    }
  }

  set disabled(v: boolean) {
    this.modelSelect.disabled = v;
    this.deviceSelect.disabled = v;
    this.netFields.disabled = v;
    this.countFields.disabled = v;
  }

  private number(f: Field): number {
    try {
      return parseNumber(f.name, f.input.value, f.rule);
    } catch (e) {
      f.input.setAttribute('aria-invalid', 'true');
      f.input.focus();
      throw e instanceof UserError ? e : new UserError(String(e));
    }
  }

  private showModelFields(): void {
    const net = this.modelSelect.value === 'bigram-nn';
    this.netFields.hidden = !net;
    this.countFields.hidden = net;
  }
}
