/**
 * The model and device form. Fields are read with the CLI's parseNumber and RULES, so a value
 * the CLI refuses is refused here with the same message (named by the field's label).
 *
 * The neural bigram and the context model share the steps, learning rate, batch size and seed
 * fields; each model keeps its own steps, learning rate and batch size (their defaults differ),
 * put back when it is chosen again. Fields of one model only are hidden for the others.
 */
import { UserError } from '../errors.ts';
import {
  DEFAULT_MLP_ADAMW_LR, DEFAULT_MLP_HYPER, DEFAULT_TRANSFORMER_HYPER, tenthOf, DEFAULT_NET_HYPER, DEFAULT_SMOOTHING, RULES, parseNumber,
  type BigramNetHyper, type DeviceKind, type MlpHyper, type ModelKind, type NumberRule, type TransformerHyper,
} from '../train/hyper.ts';
import { byId } from './dom.ts';

/** The models the page trains: all of them. */
/** The kinds the page's form offers (the ladder's recurrent models and the bag of words are the CLI's for now). */
export type PageModelKind = Extract<ModelKind, 'bigram-counts' | 'bigram-nn' | 'mlp' | 'transformer'>;
const PAGE_MODELS: readonly PageModelKind[] = ['bigram-counts', 'bigram-nn', 'mlp', 'transformer'];

/** The context model on the page: the library's recipe, with fewer steps (a browser tab, maybe a CPU). */
export const PAGE_MLP_HYPER: MlpHyper = { ...DEFAULT_MLP_HYPER, steps: 2000 };

/** The Transformer on the page: makemore's recipe, with fewer steps (each one is heavy on an emulated GPU or a CPU). */
export const PAGE_TRANSFORMER_HYPER: TransformerHyper = { ...DEFAULT_TRANSFORMER_HYPER, steps: 500 };

export interface RunSettings {
  model: PageModelKind;
  device: DeviceKind;
  /** The neural bigram's (defaults for the other models). */
  hyper: BigramNetHyper;
  /** The context model's (defaults for the other models). */
  mlp: MlpHyper;
  /** The Transformer's (defaults for the other models; its block size comes from the data). */
  transformer: TransformerHyper;
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

/** The models with steps, a learning rate and a batch size. */
type NetModel = Extract<ModelKind, 'bigram-nn' | 'mlp' | 'transformer'>;
type SharedKey = 'steps' | 'lr' | 'batchSize';
const SHARED: readonly SharedKey[] = ['steps', 'lr', 'batchSize'];

export class HyperForm {
  readonly modelSelect = byId('model-select', HTMLSelectElement);
  readonly deviceSelect = byId('device-select', HTMLSelectElement);
  private readonly netFields = byId('net-fields', HTMLFieldSetElement);
  private readonly netLegend = byId('net-legend', HTMLElement);
  private readonly mlpFields = byId('mlp-fields', HTMLFieldSetElement);
  private readonly transformerFields = byId('transformer-fields', HTMLFieldSetElement);
  private readonly countFields = byId('count-fields', HTMLFieldSetElement);
  private readonly regField = byId('reg-field', HTMLElement);
  private readonly lrFinalField = byId('lr-final-field', HTMLElement);
  private readonly lrUnit = byId('lr-unit', HTMLElement);
  private readonly batchUnit = byId('batch-size-unit', HTMLElement);
  private readonly fields = {
    steps: field('steps', 'Steps', RULES.steps, DEFAULT_NET_HYPER.steps),
    lr: field('learning-rate', 'Learning rate', RULES.lr, DEFAULT_NET_HYPER.lr),
    reg: field('reg', 'Regularisation', RULES.reg, DEFAULT_NET_HYPER.reg),
    batchSize: field('batch-size', 'Batch size', RULES.batchSize, DEFAULT_NET_HYPER.batchSize),
    seed: field('seed', 'Seed', RULES.seed, DEFAULT_NET_HYPER.seed),
    smoothing: field('smoothing', 'Smoothing', RULES.smoothing, DEFAULT_SMOOTHING),
    lrFinal: field('lr-final', 'Final learning rate', RULES.lr, PAGE_MLP_HYPER.lrFinal),
    blockSize: field('block-size', 'Block size', RULES.blockSize, PAGE_MLP_HYPER.blockSize),
    embed: field('embed', 'Embedding', RULES.embed, PAGE_MLP_HYPER.embed),
    hidden: field('hidden-units', 'Hidden units', RULES.hidden, PAGE_MLP_HYPER.hidden),
    nLayer: field('n-layer', 'Layers', RULES.nLayer, PAGE_TRANSFORMER_HYPER.nLayer),
    nHead: field('n-head', 'Heads', RULES.nHead, PAGE_TRANSFORMER_HYPER.nHead),
    nEmbd: field('n-embd', 'Channels', RULES.nEmbd, PAGE_TRANSFORMER_HYPER.nEmbd),
    weightDecay: field('weight-decay', 'Weight decay', RULES.weightDecay, PAGE_MLP_HYPER.weightDecay),
  };
  readonly optimizerSelect = byId('optimizer-select', HTMLSelectElement);
  private readonly weightDecayField = byId('weight-decay-field', HTMLElement);
  /** Which model the shared fields hold now, and the other model's values, as typed. */
  private sharedFor: NetModel = 'bigram-nn';
  private readonly kept: Record<NetModel, Record<SharedKey, string>> = {
    'bigram-nn': { steps: String(DEFAULT_NET_HYPER.steps), lr: String(DEFAULT_NET_HYPER.lr), batchSize: String(DEFAULT_NET_HYPER.batchSize) },
    mlp: { steps: String(PAGE_MLP_HYPER.steps), lr: String(PAGE_MLP_HYPER.lr), batchSize: String(PAGE_MLP_HYPER.batchSize) },
    transformer: { steps: String(PAGE_TRANSFORMER_HYPER.steps), lr: String(PAGE_TRANSFORMER_HYPER.lr), batchSize: String(PAGE_TRANSFORMER_HYPER.batchSize) },
  };

  constructor(onSmoothingChange: () => void) {
    this.modelSelect.addEventListener('change', () => this.showModelFields());
    this.optimizerSelect.addEventListener('change', () => this.showOptimizerFields());
    this.showOptimizerFields();
    this.fields.smoothing.input.addEventListener('input', onSmoothingChange);
    this.showModelFields();
  }

  /** AdamW's weight decay shows with AdamW; switching optimiser sets its usual learning rates (as the CLI's defaults). */
  private showOptimizerFields(): void {
    const adamw = this.optimizerSelect.value === 'adamw';
    this.weightDecayField.hidden = !adamw;
    const lr = adamw ? DEFAULT_MLP_ADAMW_LR : PAGE_MLP_HYPER.lr;
    if (this.modelSelect.value === 'mlp') {
      this.fields.lr.input.value = String(lr);
      this.fields.lrFinal.input.value = String(adamw ? tenthOf(lr) : PAGE_MLP_HYPER.lrFinal);
    }
  }

  /** The fields, checked; throws a UserError naming the first bad one and focuses it. */
  read(): RunSettings {
    const model = this.modelSelect.value as PageModelKind;
    if (!PAGE_MODELS.includes(model)) throw new Error(`the page does not train ${model}`);
    const device = this.deviceSelect.value === 'gpu' ? 'gpu' : 'cpu';
    const f = this.fields;
    const number = (fl: Field, rule = fl.rule) => this.number(fl, rule);
    const defaults = { hyper: { ...DEFAULT_NET_HYPER }, mlp: { ...PAGE_MLP_HYPER }, transformer: { ...PAGE_TRANSFORMER_HYPER }, smoothing: DEFAULT_SMOOTHING };
    if (model === 'bigram-counts') return { ...defaults, model, device, smoothing: number(f.smoothing) };
    if (model === 'mlp') {
      // In the order of the form, so the first bad field is the one named.
      const blockSize = number(f.blockSize);
      const embed = number(f.embed);
      const hidden = number(f.hidden);
      const steps = number(f.steps);
      const lr = number(f.lr);
      const lrFinal = number(f.lrFinal);
      const batchSize = number(f.batchSize, RULES.mlpBatchSize);
      const seed = number(f.seed);
      const optimizer = this.optimizerSelect.value === 'adamw' ? 'adamw' : 'sgd';
      const weightDecay = optimizer === 'adamw' ? number(f.weightDecay) : PAGE_MLP_HYPER.weightDecay;
      return { ...defaults, model, device, mlp: { ...PAGE_MLP_HYPER, steps, lr, lrFinal, batchSize, seed, blockSize, embed, hidden, optimizer, weightDecay } };
    }
    if (model === 'transformer') {
      const nLayer = number(f.nLayer);
      const nHead = number(f.nHead);
      const nEmbd = number(f.nEmbd);
      if (nEmbd % nHead !== 0) {
        f.nEmbd.input.setAttribute('aria-invalid', 'true');
        f.nEmbd.input.focus();
        throw new UserError(`Channels must be a multiple of Heads: ${nEmbd} channels do not split into ${nHead} heads`);
      }
      const steps = number(f.steps);
      const lr = number(f.lr);
      const batchSize = number(f.batchSize, RULES.mlpBatchSize);
      const seed = number(f.seed);
      // A constant rate, as makemore trains it.
      return { ...defaults, model, device, transformer: { ...PAGE_TRANSFORMER_HYPER, nLayer, nHead, nEmbd, steps, lr, lrFinal: lr, batchSize, seed } };
    }
    const hyper = { steps: number(f.steps), lr: number(f.lr), reg: number(f.reg), batchSize: number(f.batchSize), seed: number(f.seed) };
    return { ...defaults, model, device, hyper };
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
    this.mlpFields.disabled = v;
    this.transformerFields.disabled = v;
    this.countFields.disabled = v;
  }

  private number(f: Field, rule: NumberRule): number {
    try {
      return parseNumber(f.name, f.input.value, rule);
    } catch (e) {
      f.input.setAttribute('aria-invalid', 'true');
      f.input.focus();
      throw e instanceof UserError ? e : new UserError(String(e));
    }
  }

  private showModelFields(): void {
    const model = this.modelSelect.value as PageModelKind;
    const mlp = model === 'mlp';
    const transformer = model === 'transformer';
    this.netFields.hidden = model === 'bigram-counts';
    this.countFields.hidden = model !== 'bigram-counts';
    this.mlpFields.hidden = !mlp;
    this.transformerFields.hidden = !transformer;
    this.regField.hidden = mlp || transformer;
    this.lrFinalField.hidden = !mlp;
    this.netLegend.textContent = mlp ? 'Context model training' : transformer ? 'Transformer training (AdamW)' : 'Neural bigram hyper-parameters';
    this.lrUnit.textContent = mlp ? 'the first half of the steps' : transformer ? 'constant' : '';
    this.batchUnit.textContent = mlp ? 'examples per step' : transformer ? 'words per step' : '0 = all examples';
    if (model !== 'bigram-counts' && model !== this.sharedFor) {
      for (const k of SHARED) {
        const input = this.fields[k].input;
        this.kept[this.sharedFor][k] = input.value;
        input.value = this.kept[model][k];
        input.removeAttribute('aria-invalid');
      }
      this.sharedFor = model;
    }
  }
}
