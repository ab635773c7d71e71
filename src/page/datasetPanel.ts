/**
 * The data panel: the bundled names at start, a word list from a file (picked or dropped) or
 * pasted, parsed by parseWordList exactly as the CLI's --input. A list that fails to parse
 * reports its error and changes nothing: the loaded dataset and the pasted text stay.
 */
import { UserError } from '../errors.ts';
import { parseWordList, type Dataset } from '../index.ts';
import { byId, countOf, formatInt, markFileButton } from './dom.ts';
import { showSymbol } from './heatmap.ts';

/** Larger files would freeze the tab while parsing; the CLI has no such limit. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class DatasetPanel {
  private readonly file = byId('dataset-file', HTMLInputElement);
  private readonly drop = byId('dataset-drop', HTMLElement);
  private readonly text = byId('dataset-text', HTMLTextAreaElement);
  private readonly useText = byId('dataset-text-use', HTMLButtonElement);
  private readonly lowercase = byId('dataset-lowercase', HTMLInputElement);
  private readonly reset = byId('dataset-reset', HTMLButtonElement);
  private readonly stats = byId('dataset-stats', HTMLElement);
  private current: Dataset;

  constructor(
    private readonly bundled: () => Dataset,
    private readonly onChange: (d: Dataset) => void,
    private readonly onError: (e: unknown) => void,
  ) {
    this.current = bundled();
    this.render();
    this.file.addEventListener('change', () => {
      const f = this.file.files?.[0];
      // Cleared so that picking the same file again (after fixing it) fires change again.
      this.file.value = '';
      if (f) void this.loadFile(f);
    });
    this.useText.addEventListener('click', () => this.load(() => parseWordList(this.text.value, 'pasted list', this.options())));
    this.reset.addEventListener('click', () => this.load(this.bundled));
    this.drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      this.drop.classList.add('dragging');
    });
    this.drop.addEventListener('dragleave', () => this.drop.classList.remove('dragging'));
    this.drop.addEventListener('drop', (e) => {
      e.preventDefault();
      this.drop.classList.remove('dragging');
      const f = e.dataTransfer?.files[0];
      if (f) void this.loadFile(f);
    });
    // A file dropped anywhere else would make the browser navigate away and lose the page.
    window.addEventListener('dragover', (e) => e.preventDefault());
    window.addEventListener('drop', (e) => e.preventDefault());
  }

  get dataset(): Dataset {
    return this.current;
  }

  /** Greys out the inputs while a run uses the dataset. */
  set disabled(v: boolean) {
    for (const el of [this.file, this.text, this.useText, this.lowercase, this.reset]) el.disabled = v;
    this.drop.classList.toggle('disabled', v);
    markFileButton(this.file, v);
  }

  private options() {
    return { lowercase: this.lowercase.checked };
  }

  private async loadFile(f: File): Promise<void> {
    if (this.file.disabled) return;
    if (f.size > MAX_FILE_BYTES) {
      this.onError(new UserError(`${f.name}: ${formatInt(f.size)} bytes is more than the page reads (${MAX_FILE_BYTES / 1024 / 1024} MiB); use the CLI for large lists`));
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await f.arrayBuffer());
    } catch (e) {
      this.onError(new UserError(`${f.name}: could not be read (${(e as Error).message})`));
      return;
    }
    this.load(() => parseWordList(bytes, f.name, this.options()));
  }

  private load(parse: () => Dataset): void {
    let d: Dataset;
    try {
      d = parse();
    } catch (e) {
      this.onError(e);
      return;
    }
    this.current = d;
    this.render();
    this.onChange(d);
  }

  private render(): void {
    const d = this.current;
    const V = d.symbols.length;
    Object.assign(this.stats.dataset, { words: String(d.words.length), examples: String(d.xs.length), vocab: String(V) });
    const source = document.createElement('p');
    source.className = 'source';
    source.textContent = d.source;
    const counts = document.createElement('p');
    counts.textContent = `${countOf(d.words.length, 'word')} · ${countOf(d.xs.length, 'example')} · vocabulary ${formatInt(V)}`;
    const symbols = document.createElement('p');
    symbols.className = 'symbols';
    const shown = d.symbols.slice(0, 200).map(showSymbol).join(' ');
    symbols.textContent = V > 200 ? `${shown} … (${V - 200} more)` : shown;
    symbols.title = 'The vocabulary: "." is the start/end token, then every symbol of the data';
    this.stats.replaceChildren(source, counts, symbols);
  }
}
