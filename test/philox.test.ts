import { describe, expect, it } from 'vitest';
import {
  MAX_SEED, Random, Stream, batchIndex, mulhi32, philox4x32, randomU32, seedKey, u32ToIndex, u32ToUniform,
} from '../src/random/philox.ts';
import { batchIndicesCpu } from '../src/train/cpuTrainer.ts';

const hex = (a: Uint32Array) => Array.from(a, (v) => v.toString(16).padStart(8, '0')).join(' ');

/** n words of one stream, as the sample of a statistic. */
function draws<T>(n: number, f: () => T): T[] {
  return Array.from({ length: n }, f);
}

describe('philox4x32', () => {
  // Known-answer vectors of Random123 (kat_vectors, philox4x32 with 10 rounds): counter c0..c3, key k0 k1.
  it.each([
    [[0, 0, 0, 0], [0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ])('matches the Random123 known answer for ctr %j key %j', (c, k, expected) => {
    expect(hex(philox4x32(c[0], c[1], c[2], c[3], k[0], k[1]))).toBe(expected);
  });

  it('writes into the given output array', () => {
    const out = new Uint32Array(4);
    expect(philox4x32(0, 0, 0, 0, 0, 0, out)).toBe(out);
    expect(hex(out)).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  });
});

describe('mulhi32', () => {
  const reference = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) >> 32n);

  it('equals the high word of the BigInt product on edge cases', () => {
    const edges = [0, 1, 2, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57];
    for (const a of edges) for (const b of edges) expect(mulhi32(a, b), `${a} * ${b}`).toBe(reference(a, b));
  });

  it('equals the high word of the BigInt product on 20000 random pairs', () => {
    const rng = new Random(12345, 99);
    for (let i = 0; i < 20000; i++) {
      const a = rng.nextU32(), b = rng.nextU32();
      expect(mulhi32(a, b), `${a} * ${b}`).toBe(reference(a, b));
    }
  });
});

describe('seedKey', () => {
  it('splits a seed into its low and high 32-bit words', () => {
    expect(seedKey(0)).toEqual([0, 0]);
    expect(seedKey(2 ** 32 + 5)).toEqual([5, 1]);
    expect(seedKey(MAX_SEED)).toEqual([0xffffffff, 0x1fffff]);
  });

  it.each([-1, 1.5, NaN, Infinity, -Infinity, MAX_SEED + 1, 2 ** 60])('rejects %s', (seed) => {
    expect(() => seedKey(seed)).toThrow(RangeError);
    expect(() => new Random(seed, Stream.init)).toThrow(/seed must be an integer/);
  });
});

describe('randomU32 and Random', () => {
  it('addresses (seed, stream, position) as documented: key = seed words, counter = (block lo, block hi, stream, 0)', () => {
    const seed = 2 ** 40 + 3;
    const block = 2 ** 33 + 5;
    const expected = philox4x32(5, 2, Stream.batch, 0, 3, 2 ** 8);
    for (let word = 0; word < 4; word++) {
      expect(randomU32(seed, Stream.batch, 4 * block + word)).toBe(expected[word]);
    }
  });

  it('reads a stream sequentially, from any start, exactly as randomU32 addresses it', () => {
    const rng = new Random(7, Stream.sample);
    for (let p = 0; p < 50; p++) expect(rng.nextU32()).toBe(randomU32(7, Stream.sample, p));
    const late = new Random(7, Stream.sample, 1_000_003);
    expect(late.nextU32()).toBe(randomU32(7, Stream.sample, 1_000_003));
    expect(late.nextU32()).toBe(randomU32(7, Stream.sample, 1_000_004));
    expect(late.position).toBe(1_000_005);
  });

  it('is reproducible per seed and different per stream and per seed', () => {
    const seq = (seed: number, stream: number) => {
      const r = new Random(seed, stream);
      return draws(64, () => r.nextU32());
    };
    expect(seq(42, Stream.init)).toEqual(seq(42, Stream.init));
    const a = seq(42, Stream.init);
    for (const [seed, stream] of [[42, Stream.batch], [42, Stream.sample], [42, Stream.split], [43, Stream.init], [0, Stream.init]]) {
      const b = seq(seed, stream);
      const same = a.filter((v, i) => v === b[i]).length;
      // Independent u32 sequences agree at a position with probability 2^-32.
      expect(same, `seed ${seed} stream ${stream}`).toBe(0);
    }
  });

  it('has distinct stream numbers (part of the results format)', () => {
    expect(Stream).toEqual({ init: 1, batch: 2, sample: 3, split: 4 });
  });
});

describe('uniform', () => {
  it('maps u32 to [0, 1) in steps of 2^-24', () => {
    expect(u32ToUniform(0)).toBe(0);
    expect(u32ToUniform(0xffffffff)).toBe(1 - 2 ** -24);
    expect(u32ToUniform(0x80000000)).toBe(0.5);
    expect(Math.fround(u32ToUniform(0xdeadbeef))).toBe(u32ToUniform(0xdeadbeef)); // exact in float32
  });

  it('draws in [0, 1) with mean 1/2 and variance 1/12', () => {
    const n = 200_000;
    const r = new Random(3, 77);
    const xs = draws(n, () => r.uniform());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
    // Standard errors: mean sqrt(1/12 / n); variance sqrt((μ4 − σ⁴)/n) with μ4 = 1/80 for U(0,1). 5 SE.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
  });
});

describe('normal', () => {
  it('has mean ≈ 0 and variance ≈ 1 within 5 standard errors', () => {
    const n = 200_000;
    const xs = new Random(11, Stream.init).fillNormal(new Float64Array(n));
    expect(xs.every(Number.isFinite)).toBe(true);
    let mean = 0;
    for (const x of xs) mean += x;
    mean /= n;
    let variance = 0;
    for (const x of xs) variance += (x - mean) ** 2;
    variance /= n - 1;
    // SE of the mean: 1/sqrt(n); of the variance of N(0,1): sqrt(2/n) (μ4 = 3).
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    // Tails: P(|x| > 2) = 0.0455, binomial SE sqrt(p(1−p)/n).
    const tail = xs.filter((x) => Math.abs(x) > 2).length / n;
    expect(Math.abs(tail - 0.0455)).toBeLessThan(5 * Math.sqrt(0.0455 * 0.9545 / n));
  });

  it('fills odd lengths, float32 too, and is reproducible', () => {
    const a = new Random(5, Stream.init).fillNormal(new Float32Array(7));
    const b = new Random(5, Stream.init).fillNormal(new Float32Array(7));
    expect(a).toEqual(b);
    expect(a.every((x) => Number.isFinite(x) && x !== 0)).toBe(true);
    // The float64 draw of the same words rounds to the float32 one.
    const c = new Random(5, Stream.init).fillNormal(new Float64Array(7));
    expect(Float32Array.from(c)).toEqual(a);
  });
});

describe('categorical', () => {
  it('draws each symbol with its weight’s share (5 binomial SE) and never a zero weight', () => {
    const weights = [1, 0, 3, 6];
    const n = 100_000;
    const counts = [0, 0, 0, 0];
    const r = new Random(9, Stream.sample);
    for (let i = 0; i < n; i++) counts[r.categorical(weights)]++;
    expect(counts[1]).toBe(0);
    for (const j of [0, 2, 3]) {
      const p = weights[j] / 10;
      expect(Math.abs(counts[j] / n - p), `symbol ${j}`).toBeLessThan(5 * Math.sqrt(p * (1 - p) / n));
    }
  });

  it('draws from a slice (offset, count) and returns an index within it', () => {
    const table = [5, 5, 0, 0, 1, 0];
    const r = new Random(1, Stream.sample);
    const seen = new Set(draws(200, () => r.categorical(table, 2, 4)));
    expect([...seen]).toEqual([2]); // only table[4] has weight in table[2..6)
  });

  it('consumes exactly one word per draw and maps it through the cumulative weights', () => {
    const weights = [0.25, 0.25, 0.5];
    const r = new Random(4, Stream.sample);
    for (let p = 0; p < 100; p++) {
      const u = u32ToUniform(randomU32(4, Stream.sample, p));
      expect(r.categorical(weights)).toBe(u < 0.25 ? 0 : u < 0.5 ? 1 : 2);
    }
  });

  it('refuses all-zero weights', () => {
    expect(() => new Random(1, 1).categorical([0, 0, 0])).toThrow(/all weights are zero/);
  });
});

describe('index and batchIndex', () => {
  it('u32ToIndex is floor(u·n / 2^32), always in [0, n)', () => {
    const r = new Random(21, 5);
    for (let i = 0; i < 5000; i++) {
      const u = r.nextU32();
      const n = 1 + (r.nextU32() % 1_000_000);
      const k = u32ToIndex(u, n);
      expect(k).toBe(Number((BigInt(u) * BigInt(n)) >> 32n));
      expect(k).toBeLessThan(n);
    }
    expect(u32ToIndex(0xffffffff, 7)).toBe(6);
    expect(u32ToIndex(0, 7)).toBe(0);
  });

  it('batchIndex is in range, reproducible, and differs between steps', () => {
    const n = 1234, B = 64;
    const step0 = batchIndicesCpu(8, 0, B, n);
    const again = batchIndicesCpu(8, 0, B, n);
    const step1 = batchIndicesCpu(8, 1, B, n);
    expect(again).toEqual(step0);
    expect(step1).not.toEqual(step0);
    for (let step = 0; step < 20; step++) {
      for (let b = 0; b < B; b++) {
        const k = batchIndex(8, step, B, b, n);
        expect(k).toBeGreaterThanOrEqual(0);
        expect(k).toBeLessThan(n);
        expect(Number.isInteger(k)).toBe(true);
      }
    }
    // Slot b of step s is word s·B + b of the batch stream.
    expect(batchIndex(8, 3, B, 5, n)).toBe(u32ToIndex(randomU32(8, Stream.batch, 3 * B + 5), n));
    expect(batchIndicesCpu(8, 0, 10, 1).every((k) => k === 0)).toBe(true);
  });

  it('batchIndicesCpu (a sequential read of the stream) equals batchIndex slot by slot', () => {
    // B not a multiple of 4 starts batches mid-block; the last case's positions pass 2^32.
    for (const [seed, B, n, steps] of [[8, 7, 1234, [0, 1, 2, 3, 5]], [3, 32, 228_146, [0, 9]], [1, 4096, 228_146, [2 ** 20 + 3]]] as const) {
      for (const step of steps) {
        const got = batchIndicesCpu(seed, step, B, n);
        for (let b = 0; b < B; b++) if (got[b] !== batchIndex(seed, step, B, b, n)) expect(got[b], `seed ${seed} B ${B} step ${step} slot ${b}`).toBe(batchIndex(seed, step, B, b, n));
      }
    }
  });

  it('covers the examples about uniformly', () => {
    const n = 10, B = 1000, steps = 20;
    const counts = new Array(n).fill(0);
    for (let s = 0; s < steps; s++) for (const k of batchIndicesCpu(2, s, B, n)) counts[k]++;
    const total = B * steps, p = 1 / n;
    for (const c of counts) expect(Math.abs(c / total - p)).toBeLessThan(5 * Math.sqrt(p * (1 - p) / total));
  });
});
