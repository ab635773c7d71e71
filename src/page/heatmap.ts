/**
 * A V×V heatmap on a canvas, like the lecture's figure of the bigram counts: row x is the
 * current symbol, column y the next one; each cell is coloured by its value and, where cells
 * are big enough, shows its pair and value. Pointer and arrow keys move a cursor; the page
 * shows the cursor cell's numbers in a text readout (canvas text is invisible to screen readers).
 *
 * Shapes: V vocabulary; values (V, V) row-major.
 */

export interface Cell {
  x: number; // row: the current symbol
  y: number; // column: the next symbol
}

export interface HeatmapContent {
  symbols: string[];
  values: ArrayLike<number>; // (V, V)
  /** The value as written in a cell, under the pair. */
  format: (v: number) => string;
  /** Read by screen readers as the canvas's name. */
  description: string;
}

/** A cell's text is drawn only when the cell is at least this many CSS pixels wide. */
const TEXT_MIN_CELL = 24;
/** Row and column headers need this much room per cell. */
const HEADER_MIN_CELL = 9;
const HEADER = 16;
// matplotlib's "Blues" (the lecture's colour map), light to dark.
const BLUES: [number, number, number][] = [[247, 251, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107]];

/** Spaces and tabs are symbols too: make them visible. */
export function showSymbol(s: string): string {
  return s === ' ' ? '␣' : s === '\t' ? '⇥' : s;
}

export function blues(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t)) * (BLUES.length - 1);
  const i = Math.min(BLUES.length - 2, Math.floor(u));
  const f = u - i;
  const [a, b] = [BLUES[i], BLUES[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

export class Heatmap {
  private content: HeatmapContent | null = null;
  private image: HTMLCanvasElement | null = null; // (V, V) pixels, one per cell
  private max = 1;
  private cursor: Cell | null = null;
  private layout = { header: 0, cell: 1 };

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly placeholder: string,
    private readonly onCursor: (cell: Cell | null) => void,
  ) {
    new ResizeObserver(() => this.draw()).observe(canvas);
    canvas.addEventListener('pointermove', (e) => this.pointTo(this.cellAt(e.offsetX, e.offsetY)));
    canvas.addEventListener('pointerleave', () => {
      if (document.activeElement !== canvas) this.pointTo(null);
    });
    canvas.addEventListener('focus', () => this.pointTo(this.cursor ?? (this.content ? { x: 0, y: 0 } : null)));
    canvas.addEventListener('keydown', (e) => this.key(e));
    this.show(null);
  }

  show(content: HeatmapContent | null): void {
    this.content = content;
    this.image = null;
    if (content) {
      const V = content.symbols.length;
      this.max = 0;
      for (let k = 0; k < V * V; k++) this.max = Math.max(this.max, content.values[k]);
      this.image = cellImage(content.values, V, this.max || 1);
      if (this.cursor && (this.cursor.x >= V || this.cursor.y >= V)) this.cursor = null;
    }
    this.canvas.setAttribute('aria-label', content ? `${content.description}. Arrow keys move between cells; the readout below names the cell.` : this.placeholder);
    this.draw();
  }

  get values(): HeatmapContent | null {
    return this.content;
  }

  /** Highlights a cell (set by either heatmap, so both show the same pair). */
  setCursor(cell: Cell | null): void {
    this.cursor = cell;
    this.draw();
  }

  private pointTo(cell: Cell | null): void {
    this.onCursor(cell);
  }

  private key(e: KeyboardEvent): void {
    if (!this.content) return;
    const V = this.content.symbols.length;
    const c = this.cursor ?? { x: 0, y: 0 };
    const moves: Record<string, Cell> = {
      ArrowUp: { x: c.x - 1, y: c.y }, ArrowDown: { x: c.x + 1, y: c.y },
      ArrowLeft: { x: c.x, y: c.y - 1 }, ArrowRight: { x: c.x, y: c.y + 1 },
      Home: { x: c.x, y: 0 }, End: { x: c.x, y: V - 1 },
    };
    const next = moves[e.key];
    if (!next) return;
    e.preventDefault();
    this.pointTo({ x: clamp(next.x, 0, V - 1), y: clamp(next.y, 0, V - 1) });
  }

  private cellAt(px: number, py: number): Cell | null {
    if (!this.content) return null;
    const V = this.content.symbols.length;
    const { header, cell } = this.layout;
    const x = Math.floor((py - header) / cell);
    const y = Math.floor((px - header) / cell);
    return x >= 0 && y >= 0 && x < V && y < V ? { x, y } : null;
  }

  private draw(): void {
    const size = this.canvas.clientWidth;
    if (size === 0) return;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(size * dpr);
    this.canvas.height = Math.round(size * dpr);
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    const content = this.content;
    if (!content || !this.image) {
      ctx.fillStyle = '#f3f4f6';
      ctx.fillRect(0, 0, size, size);
      ctx.fillStyle = '#374151';
      ctx.font = '15px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(this.placeholder, size / 2, size / 2, size - 20);
      return;
    }
    const V = content.symbols.length;
    const header = size / V >= HEADER_MIN_CELL + 1 ? HEADER : 0;
    const cell = (size - header) / V;
    this.layout = { header, cell };

    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.image, header, header, V * cell, V * cell);

    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    if (header) {
      ctx.fillStyle = '#1f2937';
      ctx.font = '11px ui-monospace, monospace';
      for (let i = 0; i < V; i++) {
        const s = showSymbol(content.symbols[i]);
        ctx.fillText(s, header + (i + 0.5) * cell, header / 2); // columns: next symbol
        ctx.fillText(s, header / 2, header + (i + 0.5) * cell); // rows: current symbol
      }
    }
    if (cell >= TEXT_MIN_CELL) {
      const fs = clamp(Math.floor(cell * 0.3), 8, 14);
      ctx.font = `${fs}px ui-monospace, monospace`;
      for (let x = 0; x < V; x++) {
        for (let y = 0; y < V; y++) {
          const v = content.values[x * V + y];
          ctx.fillStyle = v / this.max > 0.45 ? '#ffffff' : '#1f2937';
          const cx = header + (y + 0.5) * cell;
          const cy = header + (x + 0.5) * cell;
          ctx.fillText(showSymbol(content.symbols[x]) + showSymbol(content.symbols[y]), cx, cy - fs * 0.6, cell - 2);
          ctx.fillText(content.format(v), cx, cy + fs * 0.6, cell - 2);
        }
      }
    }
    if (this.cursor) {
      const { x, y } = this.cursor;
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#111827';
      ctx.strokeRect(header + y * cell + 1.5, header + x * cell + 1.5, cell - 3, cell - 3);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#fbbf24';
      ctx.strokeRect(header + y * cell + 1.5, header + x * cell + 1.5, cell - 3, cell - 3);
    }
  }
}

/** One pixel per cell, scaled up when drawn: cheap for any V up to the 1024 limit. */
function cellImage(values: ArrayLike<number>, V: number, max: number): HTMLCanvasElement {
  const image = document.createElement('canvas');
  image.width = image.height = V;
  const ctx = image.getContext('2d')!;
  const pixels = ctx.createImageData(V, V);
  for (let k = 0; k < V * V; k++) {
    const [r, g, b] = blues(values[k] / max);
    pixels.data.set([r, g, b, 255], k * 4);
  }
  ctx.putImageData(pixels, 0, 0);
  return image;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
