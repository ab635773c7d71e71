/** The page's wording helpers: counts pluralised, speeds that never read "0 steps/s". */
import { describe, expect, it } from 'vitest';
import { countOf, formatSpeed } from '../src/page/dom.ts';

describe('page wording', () => {
  it('countOf pluralises and groups digits', () => {
    expect(countOf(1, 'word')).toBe('1 word');
    expect(countOf(0, 'word')).toBe('0 words');
    expect(countOf(8422, 'word')).toBe('8,422 words');
  });

  it('formatSpeed keeps two digits for slow runs', () => {
    expect(formatSpeed(4000)).toBe('0.25 steps/s · 4000.00 ms/step');
    expect(formatSpeed(150)).toBe('6.7 steps/s · 150.00 ms/step');
    expect(formatSpeed(0.5)).toBe('2,000 steps/s · 0.50 ms/step');
    expect(formatSpeed(0)).toBe('–');
  });
});
