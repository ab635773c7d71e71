/**
 * Sampling names from the current model. Names are data, and a dataset may contain markup:
 * each one is written with textContent, never parsed as HTML.
 */
import { modelSamples, type ModelFile } from '../models/modelFile.ts';
import { DEFAULT_NET_HYPER, RULES, parseNumber } from '../train/hyper.ts';
import { byId, countOf, MODEL_NAMES } from './dom.ts';

export class SamplesPanel {
  private readonly count = byId('sample-count', HTMLInputElement);
  private readonly seed = byId('sample-seed', HTMLInputElement);
  private readonly button = byId('sample-button', HTMLButtonElement);
  private readonly list = byId('samples', HTMLOListElement);
  private readonly note = byId('samples-note', HTMLElement);

  constructor(
    private readonly model: () => ModelFile | null,
    private readonly onError: (e: unknown) => void,
  ) {
    this.count.value = '20';
    this.seed.value = String(DEFAULT_NET_HYPER.seed);
    for (const input of [this.count, this.seed]) input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
    this.button.addEventListener('click', () => this.sample());
    this.update();
  }

  /** Enables the button when there is a model to sample from. */
  update(): void {
    this.button.disabled = this.model() === null;
  }

  sample(): void {
    const m = this.model();
    if (!m) return;
    let count: number;
    let seed: number;
    try {
      count = this.read(this.count, 'Names', RULES.samples);
      seed = this.read(this.seed, 'Sample seed', RULES.seed);
    } catch (e) {
      this.onError(e);
      return;
    }
    // The CLI's `sample`: the same names for the same model and seed.
    const words = modelSamples(m, count, seed);
    const items = words.map((w) => {
      const li = document.createElement('li');
      li.dataset.testid = 'samples'; // each name (the list is samples-list), as the page's test contract says
      li.textContent = w; // an empty name shows as "(empty)" through CSS
      return li;
    });
    this.list.replaceChildren(...items);
    this.note.textContent = `${countOf(count, 'name')} from the ${MODEL_NAMES[m.kind]}, seed ${seed}`;
  }

  clear(): void {
    this.list.replaceChildren();
    this.note.textContent = '';
  }

  private read(input: HTMLInputElement, name: string, rule: typeof RULES.seed): number {
    try {
      return parseNumber(name, input.value, rule);
    } catch (e) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      throw e;
    }
  }
}
