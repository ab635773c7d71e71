/**
 * The current model: what it is, a download as the CLI's versioned JSON (serializeModel), and
 * loading one back (parseModel, whose errors are shown as they are).
 */
import { UserError } from '../errors.ts';
import { parseModel, serializeModel, type ModelFile } from '../index.ts';
import { byId, countOf, markFileButton, MODEL_NAMES } from './dom.ts';
import { isGenericKind } from './hyperForm.ts';
import { netModel } from '../models/registry.ts';

export class ModelPanel {
  private readonly info = byId('model-info', HTMLElement);
  private readonly download = byId('download-model', HTMLButtonElement);
  private readonly file = byId('model-file', HTMLInputElement);
  private current: ModelFile | null = null;

  constructor(
    private readonly onLoad: (m: ModelFile, source: string) => void,
    private readonly onError: (e: unknown) => void,
  ) {
    this.download.addEventListener('click', () => this.save());
    this.file.addEventListener('change', () => {
      const f = this.file.files?.[0];
      this.file.value = '';
      if (f) void this.load(f);
    });
    this.set(null, '');
  }

  get model(): ModelFile | null {
    return this.current;
  }

  set(m: ModelFile | null, origin: string): void {
    this.current = m;
    this.download.disabled = m === null;
    if (!m) {
      this.info.textContent = 'No model yet: train one, or load a model file.';
      return;
    }
    const what = m.kind === 'bigram-counts'
      ? `${MODEL_NAMES[m.kind]}, smoothing ${m.hyper.smoothing ?? 0}, NLL ${m.nll.toFixed(4)}`
      : m.kind === 'mlp'
        ? `${MODEL_NAMES[m.kind]} (block size ${m.hyper.blockSize}, embedding ${m.hyper.embed}, hidden ${m.hyper.hidden}), ${countOf(m.steps, 'step')}, `
          + `train loss ${m.loss.toFixed(4)}${m.devLoss !== undefined ? `, dev loss ${m.devLoss.toFixed(4)}` : ''}`
        : m.kind === 'transformer'
          ? `${MODEL_NAMES[m.kind]} (${m.hyper.nLayer} layers, ${m.hyper.nHead} heads, ${m.hyper.nEmbd} channels, block size ${m.hyper.blockSize}), `
            + `${countOf(m.steps, 'step')}, train loss ${m.loss.toFixed(4)}${m.devLoss !== undefined ? `, dev loss ${m.devLoss.toFixed(4)}` : ''}`
          : isGenericKind(m.kind)
            ? `${MODEL_NAMES[m.kind]} (${netModel(m.kind).fields.map((f) => `${f.flag} ${m.hyper[f.key]}`).join(', ')}, block size ${m.hyper.blockSize}), `
              + `${countOf(m.steps, 'step')}, train loss ${m.loss.toFixed(4)}${m.devLoss !== undefined ? `, dev loss ${m.devLoss.toFixed(4)}` : ''}`
            : `${MODEL_NAMES[m.kind]}, ${countOf(m.steps, 'step')}, loss ${m.loss.toFixed(4)} (NLL ${m.nll.toFixed(4)})`;
    this.info.textContent = `${what}, vocabulary ${m.symbols.length}; ${origin}`;
  }

  set disabled(v: boolean) {
    this.file.disabled = v;
    markFileButton(this.file, v);
  }

  private save(): void {
    if (!this.current) return;
    const blob = new Blob([serializeModel(this.current)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `makemore-${this.current.kind}.json`;
    a.click();
    // Revoked late: revoking at once can cancel a download the browser has not started reading.
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  }

  private async load(f: File): Promise<void> {
    let m: ModelFile;
    try {
      m = parseModel(await readText(f), f.name);
    } catch (e) {
      this.onError(e);
      return;
    }
    this.onLoad(m, `loaded from ${f.name}`);
  }
}

async function readText(f: File): Promise<string> {
  try {
    return await f.text();
  } catch (e) {
    throw new UserError(`${f.name}: could not be read (${(e as Error).message})`);
  }
}
