/**
 * The Transformer's attention for a word the user types: one T′×T′ map per layer and head
 * (attentionMaps, on the CPU in float64), rows the queries, columns the keys, the word's symbols
 * on both axes, coloured on a fixed 0..1 scale; the masked cells above the diagonal are grey.
 * The typed word is data: it is only ever written with textContent and attributes.
 */
import { UserError } from '../errors.ts';
import { type ModelFile, netHyper } from '../models/modelFile.ts';
import { attentionMaps, wordTokens, type AttentionMap } from '../models/transformer/attention.ts';
import type { TransformerShape } from '../models/transformer/net.ts';
import { byId, frameThrottle, messageOf } from './dom.ts';
import { blues, showSymbol } from './heatmap.ts';

const DEFAULT_WORD = 'emma';
/** Axis labels need this much room per cell; values are written in cells at least this wide. */
const LABEL_MIN_CELL = 8;
const TEXT_MIN_CELL = 30;
const HEADER = 14;
const MASKED = '#e5e7eb';

interface Loaded {
  symbols: string[];
  shape: TransformerShape;
  weights: Float64Array;
}

export class AttentionPanel {
  private readonly panel = byId('attention-panel', HTMLElement);
  private readonly input = byId('attention-word', HTMLInputElement);
  private readonly message = byId('attention-message', HTMLElement);
  private readonly maps = byId('attention-maps', HTMLElement);
  private readonly readout = byId('attention-readout', HTMLElement);
  private model: Loaded | null = null;
  private views: AttentionView[] = [];
  private readonly redraw = frameThrottle(() => this.views.forEach((v) => v.draw()));

  constructor() {
    this.input.value = DEFAULT_WORD;
    this.input.addEventListener('input', () => this.show());
    new ResizeObserver(() => this.redraw()).observe(this.maps);
    const scale = byId('attention-scale', HTMLElement);
    scale.style.background = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((t) => `rgb(${blues(t).join(' ')}) ${t * 100}%`).join(', ')})`;
    this.set(null);
  }

  /** The current model: a Transformer shows the panel, any other model (or none) hides it. */
  set(m: ModelFile | null): void {
    if (m?.kind !== 'transformer') {
      this.model = null;
      this.panel.hidden = true;
      this.clear();
      return;
    }
    const h = netHyper('transformer', m.hyper) as Record<string, number>;
    this.model = {
      symbols: m.symbols,
      shape: { V: m.symbols.length, T: h.blockSize, C: h.nEmbd, nh: h.nHead, L: h.nLayer },
      weights: Float64Array.from(m.weights),
    };
    this.panel.hidden = false;
    this.show();
  }

  private clear(): void {
    this.views = [];
    this.maps.replaceChildren();
    this.readout.textContent = '\u00a0';
  }

  private say(text: string, state: 'info' | 'error'): void {
    this.message.textContent = text;
    this.message.dataset.state = state;
  }

  private show(): void {
    const m = this.model;
    if (!m) return;
    this.clear();
    const word = this.input.value.trim();
    let tokens: number[];
    let maps: AttentionMap[];
    try {
      tokens = wordTokens(word, m.symbols, m.shape.T);
      maps = attentionMaps(m.weights, m.shape, tokens);
    } catch (e) {
      this.input.setAttribute('aria-invalid', 'true');
      this.say(messageOf(e), 'error');
      if (!(e instanceof UserError)) console.warn(e);
      return;
    }
    this.input.removeAttribute('aria-invalid');
    const chars = tokens.map((t) => showSymbol(m.symbols[t]));
    const { L, nh } = m.shape;
    this.say(`"${word}": ${tokens.length} positions (the start "${chars[0]}", then its ${tokens.length - 1} symbols); ${L} layers × ${nh} heads`, 'info');
    for (let l = 0; l < L; l++) {
      const row = document.createElement('div');
      row.className = 'attention-layer';
      row.style.setProperty('--heads', String(nh));
      for (const map of maps.filter((a) => a.layer === l)) {
        const title = `layer ${map.layer + 1} · head ${map.head + 1}`;
        const figure = document.createElement('figure');
        const caption = document.createElement('figcaption');
        caption.textContent = title;
        caption.dataset.testid = 'attention-title';
        const canvas = document.createElement('canvas');
        canvas.dataset.testid = 'attention-map';
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `Attention of ${title} for "${word}": ${chars.length} by ${chars.length}, rows the queries, columns the keys`);
        figure.append(caption, canvas);
        row.append(figure);
        this.views.push(new AttentionView(canvas, chars, map.probs, (cell) => this.point(title, chars, map.probs, cell)));
      }
      this.maps.append(row);
    }
    this.redraw();
  }

  private point(title: string, chars: string[], probs: Float64Array, cell: { q: number; k: number } | null): void {
    if (!cell) {
      this.readout.textContent = '\u00a0';
      return;
    }
    const { q, k } = cell;
    const p = probs[q * chars.length + k];
    this.readout.textContent = k > q
      ? `${title}: "${chars[q]}" at ${q} cannot see "${chars[k]}" at ${k} (later)`
      : `${title}: "${chars[q]}" at ${q} attends to "${chars[k]}" at ${k}: ${p.toFixed(4)}`;
  }
}

/** One map on its canvas: (n, n) probabilities, the characters of the n positions on both axes. */
class AttentionView {
  private layout = { header: 0, cell: 1 };
  /** One pixel per cell, scaled up when drawn: a long word's map is cheap to redraw. */
  private readonly image: HTMLCanvasElement;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly chars: string[],
    private readonly probs: Float64Array,
    onCell: (cell: { q: number; k: number } | null) => void,
  ) {
    canvas.addEventListener('pointermove', (e) => onCell(this.cellAt(e.offsetX, e.offsetY)));
    canvas.addEventListener('pointerleave', () => onCell(null));
    const n = chars.length;
    this.image = document.createElement('canvas');
    this.image.width = this.image.height = n;
    const ctx = this.image.getContext('2d')!;
    const pixels = ctx.createImageData(n, n);
    const masked = [1, 3, 5].map((i) => parseInt(MASKED.slice(i, i + 2), 16));
    for (let q = 0; q < n; q++) {
      for (let k = 0; k < n; k++) pixels.data.set([...(k > q ? masked : blues(probs[q * n + k])), 255], (q * n + k) * 4);
    }
    ctx.putImageData(pixels, 0, 0);
  }

  private cellAt(px: number, py: number): { q: number; k: number } | null {
    const n = this.chars.length;
    const { header, cell } = this.layout;
    const q = Math.floor((py - header) / cell);
    const k = Math.floor((px - header) / cell);
    return q >= 0 && k >= 0 && q < n && k < n ? { q, k } : null;
  }

  draw(): void {
    const size = this.canvas.clientWidth;
    if (size === 0) return;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = this.canvas.height = Math.round(size * dpr);
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    const n = this.chars.length;
    const header = size / n >= LABEL_MIN_CELL + 1 ? HEADER : 0;
    const cell = (size - header) / n;
    this.layout = { header, cell };
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.image, header, header, n * cell, n * cell);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    if (header) {
      ctx.fillStyle = '#1f2937';
      ctx.font = '11px ui-monospace, monospace';
      for (let i = 0; i < n; i++) {
        ctx.fillText(this.chars[i], header + (i + 0.5) * cell, header / 2); // columns: keys
        ctx.fillText(this.chars[i], header / 2, header + (i + 0.5) * cell); // rows: queries
      }
    }
    if (cell >= TEXT_MIN_CELL) {
      ctx.font = `${Math.min(12, Math.floor(cell * 0.3))}px ui-monospace, monospace`;
      for (let q = 0; q < n; q++) {
        for (let k = 0; k <= q; k++) {
          const p = this.probs[q * n + k];
          ctx.fillStyle = p > 0.45 ? '#ffffff' : '#1f2937';
          ctx.fillText(p.toFixed(2), header + (k + 0.5) * cell, header + (q + 0.5) * cell, cell - 2);
        }
      }
    }
  }
}
