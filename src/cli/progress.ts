/**
 * Progress on stderr: a redrawn bar on a terminal, a plain line every 10% when piped
 * (so logs stay readable), nothing with --json unless stderr is a terminal.
 *
 * A step's loss is taken before its update, and a minibatch's is not the whole set's: the last
 * line waits for done(), which shows the loss the run reports at the end when it is the same
 * quantity (full batch), so the last line and the result under it agree.
 */
import type { Progress } from '../train/trainer.ts';

export interface ProgressReporter {
  update(p: Progress): void;
  /** A line of its own (always shown), after the bar if one is drawn. */
  note(text: string): void;
  /** The run is over: the last progress line, with `finalLoss` (the run's loss at the end) if given. */
  done(finalLoss?: number): void;
}

export interface ProgressOptions {
  /** What the loss is called: "loss" (over every example), "batch loss" (a minibatch's). */
  label?: string;
}

export function progressReporter(stream: NodeJS.WriteStream, enabled: boolean, opts: ProgressOptions = {}): ProgressReporter {
  const tty = Boolean(stream.isTTY);
  const label = opts.label ?? 'loss';
  let lastDecile = -1;
  let drawn = false;
  /** The latest progress, and whether a line shows it. */
  let latest: Progress | null = null;
  let shown = false;
  const text = (p: Progress) => `step ${p.step}/${p.steps} | ${label} ${p.loss.toFixed(4)} | ${p.msPerStep.toFixed(2)} ms/step`;
  const draw = (p: Progress) => {
    const width = 30;
    const full = Math.round((p.step / p.steps) * width);
    stream.write(`\r[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${text(p)}\x1b[K`);
    drawn = true;
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
      if (tty && drawn) stream.write('\n');
      drawn = false;
      stream.write(line + '\n');
    },
    done(finalLoss) {
      if (enabled && latest && (!shown || finalLoss !== undefined)) {
        const last = finalLoss === undefined ? latest : { ...latest, loss: finalLoss };
        if (tty) draw(last);
        else stream.write(text(last) + '\n');
      }
      if (tty && drawn) stream.write('\n');
      drawn = false;
      latest = null;
    },
  };
}
