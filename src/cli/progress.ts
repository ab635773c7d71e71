/**
 * Progress on stderr: a redrawn bar on a terminal, a plain line every 10% when piped
 * (so logs stay readable), nothing with --json unless stderr is a terminal.
 *
 * A step's loss is taken before its update, and a minibatch's is not the whole set's: the last
 * line waits for done(), which shows the loss the run reports at the end when it is the same
 * quantity (full batch), so the last line and the result under it agree.
 *
 * The evaluation of the splits after training: on a terminal a redrawn line of examples done
 * (erased at the end); piped, a line per 10% of a split once it has taken longer than a second.
 */
import type { Progress } from '../train/trainer.ts';

export interface ProgressReporter {
  update(p: Progress): void;
  /** A line of its own (always shown), after the bar if one is drawn. */
  note(text: string): void;
  /** The run is over: the last progress line, with `finalLoss` (the run's loss at the end) if given. */
  done(finalLoss?: number): void;
  /** The evaluation of a split under way: `done` of its `total` examples (0 when it begins). */
  evaluation(split: string, done: number, total: number): void;
}

export interface ProgressOptions {
  /** What the loss is called: "loss" (over every example), "batch loss" (a minibatch's). */
  label?: string;
  /** Piped: an evaluation prints nothing until it has run this long (ms; default 1000). */
  evalQuietMs?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/** How often a terminal's evaluation line is redrawn (ms). */
const EVAL_REDRAW_MS = 100;

export function progressReporter(stream: NodeJS.WriteStream, enabled: boolean, opts: ProgressOptions = {}): ProgressReporter {
  const tty = Boolean(stream.isTTY);
  const label = opts.label ?? 'loss';
  let lastDecile = -1;
  /** The latest progress, and whether a line shows it. */
  let latest: Progress | null = null;
  let shown = false;
  /** What the terminal's current line holds: the training's bar, an evaluation's, or nothing. */
  let bar: 'train' | 'eval' | null = null;
  const now = opts.now ?? (() => performance.now());
  const quietMs = opts.evalQuietMs ?? 1000;
  let evaluating: { split: string; start: number; decile: number; drawnAt: number } | null = null;
  const count = (n: number) => n.toLocaleString('en-US');
  const text = (p: Progress) => `step ${p.step}/${p.steps} | ${label} ${p.loss.toFixed(4)} | ${p.msPerStep.toFixed(2)} ms/step`;
  const draw = (p: Progress) => {
    const width = 30;
    const full = Math.round((p.step / p.steps) * width);
    stream.write(`\r[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${text(p)}\x1b[K`);
    bar = 'train';
  };
  return {
    update(p) {
      if (!enabled) return;
      latest = p;
      shown = false;
      if (tty) {
        draw(p);
        shown = true;
        return;
      }
      const decile = Math.floor((p.step / p.steps) * 10);
      // The last step waits for done() and its final loss.
      if (decile !== lastDecile && p.step < p.steps) {
        lastDecile = decile;
        stream.write(text(p) + '\n');
        shown = true;
      }
    },
    note(line) {
      if (tty && bar) stream.write('\n');
      bar = null;
      stream.write(line + '\n');
    },
    done(finalLoss) {
      if (enabled && latest && (!shown || finalLoss !== undefined)) {
        const last = finalLoss === undefined ? latest : { ...latest, loss: finalLoss };
        if (tty) draw(last);
        else stream.write(text(last) + '\n');
      }
      if (tty && bar === 'eval') stream.write('\r\x1b[K');
      else if (tty && bar) stream.write('\n');
      bar = null;
      latest = null;
      evaluating = null;
    },
    evaluation(split, done, total) {
      if (!enabled) return;
      const t = now();
      if (!evaluating || evaluating.split !== split || done === 0) evaluating = { split, start: t, decile: -1, drawnAt: -Infinity };
      // The training's last step first: its line comes before the evaluation's.
      if (latest && !shown) {
        if (tty) draw(latest);
        else stream.write(text(latest) + '\n');
        shown = true;
      }
      const line = `evaluating the ${split} split | ${count(done)}/${count(total)} examples`;
      if (tty) {
        if (t - evaluating.drawnAt < EVAL_REDRAW_MS && done < total) return;
        if (bar === 'train') stream.write('\n');
        stream.write(`\r${line}\x1b[K`);
        bar = 'eval';
        evaluating.drawnAt = t;
        return;
      }
      const decile = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (done > 0 && t - evaluating.start >= quietMs && decile !== evaluating.decile) {
        evaluating.decile = decile;
        stream.write(line + '\n');
      }
    },
  };
}
