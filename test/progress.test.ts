/** The CLI's progress lines: every 10% when piped, the last one agreeing with the result printed under it. */
import { describe, expect, it } from 'vitest';
import { progressReporter } from '../src/cli/progress.ts';

function stream(isTTY = false) {
  let text = '';
  return { s: { isTTY, write: (t: string) => { text += t; return true; } } as unknown as NodeJS.WriteStream, text: () => text };
}
const p = (step: number, loss: number, steps = 10) => ({ step, steps, loss, msPerStep: 1 });

describe('progressReporter', () => {
  it('piped: a line per decile; the last step waits for done and shows the final loss', () => {
    const out = stream();
    const r = progressReporter(out.s, true);
    for (let s = 1; s <= 10; s++) r.update(p(s, 3 - s / 10));
    expect(out.text()).not.toContain('step 10/10');
    r.done(1.25);
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines.at(-1)).toBe('step 10/10 | loss 1.2500 | 1.00 ms/step');
  });

  it('a stopped run: its last step is shown at done, even mid-decile', () => {
    const out = stream();
    const r = progressReporter(out.s, true, { label: 'batch loss' });
    r.update(p(1, 3, 100));
    r.update(p(4, 2.5, 100));
    r.done();
    expect(out.text()).toBe('step 1/100 | batch loss 3.0000 | 1.00 ms/step\nstep 4/100 | batch loss 2.5000 | 1.00 ms/step\n');
  });

  it('disabled: nothing, not even at done', () => {
    const out = stream();
    const r = progressReporter(out.s, false);
    r.update(p(10, 1));
    r.done(1);
    expect(out.text()).toBe('');
  });

  it('on a terminal: the bar is redrawn with the final loss, then a newline', () => {
    const out = stream(true);
    const r = progressReporter(out.s, true);
    r.update(p(10, 2));
    r.done(1.5);
    expect(out.text().endsWith('step 10/10 | loss 1.5000 | 1.00 ms/step\x1b[K\n')).toBe(true);
  });
});
