/**
 * Progress on stderr: a redrawn bar on a terminal, a plain line every 10% when piped
 * (so logs stay readable), nothing with --json unless stderr is a terminal.
 */
import type { Progress } from '../train/trainer.ts';

export interface ProgressReporter {
  update(p: Progress): void;
  /** A line of its own (always shown), after the bar if one is drawn. */
  note(text: string): void;
  done(): void;
}

export function progressReporter(stream: NodeJS.WriteStream, enabled: boolean): ProgressReporter {
  const tty = Boolean(stream.isTTY);
  let lastDecile = -1;
  let drawn = false;
  return {
    update(p) {
      if (!enabled) return;
      const fraction = p.step / p.steps;
      const text = `step ${p.step}/${p.steps} | loss ${p.loss.toFixed(4)} | ${p.msPerStep.toFixed(2)} ms/step`;
      if (tty) {
        const width = 30;
        const full = Math.round(fraction * width);
        stream.write(`\r[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${text}\x1b[K`);
        drawn = true;
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(text + '\n');
        }
      }
    },
    note(text) {
      if (tty && drawn) stream.write('\n');
      drawn = false;
      stream.write(text + '\n');
    },
    done() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
