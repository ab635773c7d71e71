import { describe, expect, it } from 'vitest';
import { parseWordList } from '../src/data/dataset.ts';
import { loadDefaultDataset } from '../src/data/defaultNames.node.ts';
import { bigramCountsCpu, countsNll, countsToProbs, examplesNll } from '../src/models/bigramCounts.ts';

// "emma\nava\n": tokens . 0, a 1, e 2, m 3, v 4; examples .e em mm ma a. | .a av va a.
const tiny = parseWordList('emma\nava\n', 'tiny');
const V = 5;
const ln = Math.log;

describe('bigram_counts', () => {
  it('counts the pairs of "emma\\nava" as done by hand', () => {
    const counts = bigramCountsCpu(tiny.xs, tiny.ys, V);
    const expected = new Uint32Array(V * V);
    const at = (x: number, y: number, c: number) => { expected[x * V + y] = c; };
    at(0, 2, 1); at(0, 1, 1); // .e .a
    at(2, 3, 1); // em
    at(3, 3, 1); at(3, 1, 1); // mm ma
    at(1, 0, 2); at(1, 4, 1); // a. (twice) av
    at(4, 1, 1); // va
    expect(counts).toEqual(expected);
  });

  it('sums to N, with row 0 and column 0 summing to the number of words', () => {
    const d = loadDefaultDataset();
    const W = d.symbols.length;
    const counts = bigramCountsCpu(d.xs, d.ys, W);
    let total = 0, row0 = 0, col0 = 0;
    for (let k = 0; k < W * W; k++) total += counts[k];
    for (let j = 0; j < W; j++) {
      row0 += counts[j];
      col0 += counts[j * W];
    }
    expect(total).toBe(d.xs.length);
    expect(row0).toBe(d.words.length);
    expect(col0).toBe(d.words.length);
    expect(counts[0]).toBe(0); // no empty word: (. → .) never occurs
  });

  it('agrees with a count of the pairs of the word strings (default dataset)', () => {
    const d = loadDefaultDataset();
    const W = d.symbols.length;
    const counts = bigramCountsCpu(d.xs, d.ys, W);
    const byPair = new Map<string, number>();
    for (const w of d.words) {
      const s = ['\0', ...w, '\0'];
      for (let i = 0; i + 1 < s.length; i++) {
        const key = s[i] + '|' + s[i + 1];
        byPair.set(key, (byPair.get(key) ?? 0) + 1);
      }
    }
    const name = (t: number) => (t === 0 ? '\0' : d.symbols[t]);
    let nonzero = 0;
    for (let x = 0; x < W; x++) {
      for (let y = 0; y < W; y++) {
        expect(counts[x * W + y], `${d.symbols[x]}→${d.symbols[y]}`).toBe(byPair.get(name(x) + '|' + name(y)) ?? 0);
        if (counts[x * W + y]) nonzero++;
      }
    }
    expect(nonzero).toBe(byPair.size);
  });
});

describe('countsToProbs and the NLL', () => {
  const counts = bigramCountsCpu(tiny.xs, tiny.ys, V);

  it('smoothing 0: row-normalised counts and the hand-computed NLL', () => {
    const p = countsToProbs(counts, V, 0);
    expect(p[0 * V + 1]).toBe(1 / 2);
    expect(p[0 * V + 2]).toBe(1 / 2);
    expect(p[1 * V + 0]).toBeCloseTo(2 / 3, 15);
    expect(p[1 * V + 4]).toBeCloseTo(1 / 3, 15);
    expect(p[2 * V + 3]).toBe(1);
    expect(p[4 * V + 1]).toBe(1);
    expect(p[2 * V + 0]).toBe(0);
    // −ln p of .e em mm ma a. .a av va a.: ln2 0 ln2 ln2 ln(3/2) ln2 ln3 0 ln(3/2)
    const expected = (4 * ln(2) + 2 * ln(3 / 2) + ln(3)) / 9;
    expect(countsNll(counts, p, V)).toBeCloseTo(expected, 14);
    expect(examplesNll(tiny.xs, tiny.ys, p, V)).toBeCloseTo(expected, 14);
  });

  it('smoothing 1: add-one counts and the hand-computed NLL', () => {
    const p = countsToProbs(counts, V, 1);
    // Row totals: . 2+5, a 3+5, e 1+5, m 2+5, v 1+5.
    expect(p[0 * V + 0]).toBeCloseTo(1 / 7, 15);
    expect(p[0 * V + 2]).toBeCloseTo(2 / 7, 15);
    expect(p[1 * V + 0]).toBeCloseTo(3 / 8, 15);
    expect(p[2 * V + 3]).toBeCloseTo(2 / 6, 15);
    // .e mm ma .a: 2/7; em va: 2/6; a. twice: 3/8; av: 2/8.
    const expected = (4 * ln(7 / 2) + 2 * ln(3) + 2 * ln(8 / 3) + ln(4)) / 9;
    expect(countsNll(counts, p, V)).toBeCloseTo(expected, 14);
    expect(examplesNll(tiny.xs, tiny.ys, p, V)).toBeCloseTo(expected, 14);
    // Smoothing pulls probability towards uniform, so the training NLL rises.
    expect(expected).toBeGreaterThan((4 * ln(2) + 2 * ln(3 / 2) + ln(3)) / 9);
  });

  it('every row sums to 1', () => {
    for (const k of [0, 0.5, 1, 100]) {
      const p = countsToProbs(counts, V, k);
      for (let x = 0; x < V; x++) {
        let s = 0;
        for (let y = 0; y < V; y++) s += p[x * V + y];
        expect(s, `smoothing ${k} row ${x}`).toBeCloseTo(1, 14);
      }
    }
  });

  it('countsNll equals examplesNll on the default dataset', () => {
    const d = loadDefaultDataset();
    const W = d.symbols.length;
    const c = bigramCountsCpu(d.xs, d.ys, W);
    for (const k of [0, 1]) {
      const p = countsToProbs(c, W, k);
      const a = countsNll(c, p, W);
      const b = examplesNll(d.xs, d.ys, p, W);
      expect(Number.isFinite(a)).toBe(true);
      expect(Math.abs(a - b) / b, `smoothing ${k}`).toBeLessThan(1e-12);
    }
    // The lecture's numbers for its 32k names are 2.454 (smoothing 1); these 8k names land nearby.
    const nll = countsNll(c, countsToProbs(c, W, 1), W);
    expect(nll).toBeGreaterThan(2.2);
    expect(nll).toBeLessThan(2.7);
  });

  it('smoothing 0 gives Infinity exactly for data containing an unseen pair', () => {
    const p0 = countsToProbs(counts, V, 0);
    // The training data itself: every pair was seen, finite.
    expect(Number.isFinite(countsNll(counts, p0, V))).toBe(true);
    // "eva" needs e→v and v→. , never seen in "emma ava".
    const other = parseWordList('ava\neva\n', 'other');
    expect(other.symbols).toEqual(['.', 'a', 'e', 'v']);
    // Re-index "other" in the vocabulary of "tiny" (same symbols minus m).
    const map = other.symbols.map((s) => tiny.symbols.indexOf(s));
    const xs = other.xs.map((t) => map[t]), ys = other.ys.map((t) => map[t]);
    expect(examplesNll(xs, ys, p0, V)).toBe(Infinity);
    expect(countsNll(bigramCountsCpu(xs, ys, V), p0, V)).toBe(Infinity);
    // "ava" alone only uses seen pairs: finite.
    expect(Number.isFinite(examplesNll(xs.subarray(0, 4), ys.subarray(0, 4), p0, V))).toBe(true);
    // Any smoothing makes every pair possible.
    const p1 = countsToProbs(counts, V, 1e-3);
    expect(Number.isFinite(examplesNll(xs, ys, p1, V))).toBe(true);
    expect(Number.isFinite(countsNll(bigramCountsCpu(xs, ys, V), p1, V))).toBe(true);
  });
});
