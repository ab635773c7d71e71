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

  it('piped: a long evaluation prints a line per 10% of a split, after the last step; a short one prints nothing', () => {
    const out = stream();
    let t = 0;
    const r = progressReporter(out.s, true, { label: 'batch loss', now: () => t });
    for (let s = 1; s <= 10; s++) r.update(p(s, 3 - s / 10));
    // dev: done within the quiet second, silent.
    r.evaluation('dev', 0, 500);
    t = 900;
    r.evaluation('dev', 500, 500);
    // train: 100 examples a chunk, 1 s each.
    r.evaluation('train', 0, 1000);
    for (let done = 100; done <= 1000; done += 100) {
      t += 1000;
      r.evaluation('train', done, 1000);
    }
    r.done();
    const lines = out.text().trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('dev'))).toEqual([]);
    const at = lines.indexOf('step 10/10 | batch loss 2.0000 | 1.00 ms/step');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000].map((d) => `evaluating the train split | ${d.toLocaleString('en-US')}/1,000 examples`));
  });

  it('on a terminal: the evaluation line is redrawn under the bar and erased at the end', () => {
    const out = stream(true);
    let t = 0;
    const r = progressReporter(out.s, true, { now: () => t });
    r.update(p(10, 2));
    r.evaluation('train', 0, 20_000);
    t = 50;
    r.evaluation('train', 10_000, 20_000); // within the redraw interval: not drawn
    t = 200;
    r.evaluation('train', 20_000, 20_000);
    r.done();
    expect(out.text()).toBe(
      '\r[##############################] step 10/10 | loss 2.0000 | 1.00 ms/step\x1b[K\n'
      + '\revaluating the train split | 0/20,000 examples\x1b[K\revaluating the train split | 20,000/20,000 examples\x1b[K\r\x1b[K',
    );
  });
});
