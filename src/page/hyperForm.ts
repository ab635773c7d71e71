/**
 * The model and device form. Fields are read with the CLI's parseNumber and RULES, so a value
 * the CLI refuses is refused here with the same message (named by the field's label).
 *
 * The neural bigram and the context model share the steps, learning rate, batch size and seed
 * fields; each model keeps its own steps, learning rate and batch size (their defaults differ),
 * put back when it is chosen again. Fields of one model only are hidden for the others.
 *
 * The registry's other neural models (rnn, gru, bow) get their fields from their definitions'
 * `fields`: one fieldset each, built here, read with the same rules as the CLI's flags.
 */
import { UserError } from '../errors.ts';
import {
  DEFAULT_MLP_ADAMW_LR, DEFAULT_MLP_HYPER, DEFAULT_TRANSFORMER_HYPER, tenthOf, DEFAULT_NET_HYPER, DEFAULT_SMOOTHING, RULES, parseNumber,
  type BigramNetHyper, type DeviceKind, type MlpHyper, type ModelKind, type NetTrainingHyper, type NumberRule, type TransformerHyper,
} from '../train/hyper.ts';
import { MODEL_KINDS, NET_MODELS, netModel, type NetModelKind } from '../models/registry.ts';
import type { HyperField } from '../models/netModel.ts';
import { byId } from './dom.ts';

/** The kinds the page's form offers: all of them. */
export type PageModelKind = ModelKind;
const PAGE_MODELS: readonly PageModelKind[] = MODEL_KINDS;

/** The neural models whose fields the form builds from the registry's `fields` (the MLP and the Transformer have their own in index.html). */
export type GenericKind = Exclude<NetModelKind, 'mlp' | 'transformer'>;
export const GENERIC_KINDS = (Object.keys(NET_MODELS) as NetModelKind[]).filter((k): k is GenericKind => k !== 'mlp' && k !== 'transformer');

export function isGenericKind(kind: string): kind is GenericKind {
  return (GENERIC_KINDS as readonly string[]).includes(kind);
}

/** Steps of a generic kind on the page, as the Transformer's: each step reads whole words, on an emulated GPU or a CPU maybe. */
export const PAGE_SEQUENCE_STEPS = 500;

/** A generic kind on the page: the registry's recipe, with the page's steps. */
export function pageHyper(kind: GenericKind): NetTrainingHyper {
  return { ...(netModel(kind).defaults as NetTrainingHyper), steps: PAGE_SEQUENCE_STEPS };
}

/** How a field of the registry is named on the page (by kind, then by key); otherwise its help line. */
const FIELD_NAMES: Record<string, Record<string, string>> = {
  '*': { nEmbd: 'Channels' },
  rnn: { nEmbd2: 'State' },
  gru: { nEmbd2: 'State' },
  bow: { nEmbd2: 'Hidden width' },
  'makemore-mlp': { nEmbd2: 'Hidden units' },
};

/** The label of a registry field: a short name, and its help with makemore's flag as the unit. */
export function fieldLabel(kind: string, f: HyperField): { name: string; unit: string } {
  const name = FIELD_NAMES[kind]?.[f.key] ?? FIELD_NAMES['*'][f.key] ?? f.help.charAt(0).toUpperCase() + f.help.slice(1);
  return { name, unit: `${f.help} (${f.flag.replace(/-/g, '_')})` };
}

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
  /** A generic kind's (rnn, gru, bow: the chosen one's; null for the other models). */
  net: NetTrainingHyper | null;
  smoothing: number;
}

interface Field {
  input: HTMLInputElement;
  /** The label's words, used in messages as the CLI uses the flag. */
  name: string;
  rule: NumberRule;
}

function field(id: string, name: string, rule: NumberRule, initial: number, input = byId(id, HTMLInputElement)): Field {
  input.value = String(initial);
  // A corrected value clears its error mark.
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  return { input, name, rule };
}

/** The models with steps, a learning rate and a batch size. */
type NetModel = Exclude<ModelKind, 'bigram-counts'>;
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
    ...Object.fromEntries(GENERIC_KINDS.map((k) => {
      const h = pageHyper(k);
      return [k, { steps: String(h.steps), lr: String(h.lr), batchSize: String(h.batchSize) }];
    })) as Record<GenericKind, Record<SharedKey, string>>,
  };
  /** Each generic kind's fieldset and fields, built from the registry. */
  private readonly generic = Object.fromEntries(GENERIC_KINDS.map((k) => [k, genericFields(k, this.netFields)])) as Record<GenericKind, { set: HTMLFieldSetElement; fields: Field[] }>;

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
    const defaults = { hyper: { ...DEFAULT_NET_HYPER }, mlp: { ...PAGE_MLP_HYPER }, transformer: { ...PAGE_TRANSFORMER_HYPER }, net: null, smoothing: DEFAULT_SMOOTHING };
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
    if (isGenericKind(model)) {
      const def = netModel(model);
      const own = Object.fromEntries(this.generic[model].fields.map((fl, i) => [def.fields[i].key, number(fl)]));
      const steps = number(f.steps);
      const lr = number(f.lr);
      const batchSize = number(f.batchSize, RULES.mlpBatchSize);
      const seed = number(f.seed);
      return { ...defaults, model, device, net: { ...pageHyper(model), ...own, steps, lr, lrFinal: def.lrFinal(lr), batchSize, seed } };
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
    for (const g of Object.values(this.generic)) g.set.disabled = v;
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
    const generic = isGenericKind(model);
    for (const [k, g] of Object.entries(this.generic)) g.set.hidden = k !== model;
    this.netFields.hidden = model === 'bigram-counts';
    this.countFields.hidden = model !== 'bigram-counts';
    this.mlpFields.hidden = !mlp;
    this.transformerFields.hidden = !transformer;
    this.regField.hidden = model !== 'bigram-nn';
    this.lrFinalField.hidden = !mlp;
    this.netLegend.textContent = mlp ? 'Context model training' : transformer ? 'Transformer training (AdamW)'
      : generic ? `${netModel(model).label} training (AdamW)` : 'Neural bigram hyper-parameters';
    this.lrUnit.textContent = mlp ? 'the first half of the steps' : transformer || generic ? 'constant' : '';
    this.batchUnit.textContent = mlp ? 'examples per step' : transformer || generic ? 'words per step' : '0 = all examples';
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

/**
 * A generic kind's fieldset, before the training fields as the other models' shapes are: a
 * label and an input per registry field (ids and test ids `${kind}-${flag}`), at the page's defaults.
 */
function genericFields(kind: GenericKind, trainingFields: HTMLElement): { set: HTMLFieldSetElement; fields: Field[] } {
  const def = netModel(kind);
  const set = document.createElement('fieldset');
  set.className = 'fields';
  set.id = `${kind}-fields`;
  set.hidden = true;
  const legend = document.createElement('legend');
  legend.className = 'visually-hidden';
  legend.textContent = `${def.label} shape`;
  set.append(legend);
  const defaults = pageHyper(kind) as unknown as Record<string, number>;
  const fields = def.fields.map((f) => {
    const id = `${kind}-${f.flag}`;
    const { name, unit } = fieldLabel(kind, f);
    const label = document.createElement('label');
    label.htmlFor = id;
    const unitEl = document.createElement('span');
    unitEl.className = 'unit';
    unitEl.textContent = unit;
    label.append(`${name} `, unitEl);
    const input = document.createElement('input');
    input.id = id;
    input.dataset.testid = id;
    input.inputMode = f.rule.integer ? 'numeric' : 'decimal';
    input.autocomplete = 'off';
    set.append(label, input);
    return field(id, name, f.rule, defaults[f.key], input);
  });
  trainingFields.before(set);
  return { set, fields };
}
