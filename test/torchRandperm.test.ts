import { describe, expect, it } from 'vitest';
import { splitWords } from '../src/data/split.ts';
import { Mt19937, TORCH_RANDPERM_MAX, torchRandperm } from '../src/random/torchRandperm.ts';

describe('Mt19937', () => {
  it('gives the standard outputs for the default seed 5489 (the 1st, and the 10,000th that C++ requires of std::mt19937)', () => {
    const g = new Mt19937(5489);
    const first = g.nextU32();
    let last = first;
    for (let i = 1; i < 10_000; i++) last = g.nextU32();
    expect(first).toBe(3499211612);
    expect(last).toBe(4123659995);
  });

  it('refuses a seed that is not a non-negative integer', () => {
    for (const seed of [-1, 1.5, NaN]) expect(() => new Mt19937(seed)).toThrow(/non-negative integer/);
  });
});

// Printed by PyTorch 1.13: torch.manual_seed(seed); torch.randperm(n).tolist()
describe('torchRandperm', () => {
  it("is PyTorch's permutation of small n", () => {
    expect(Array.from(torchRandperm(20, 3407))).toEqual([19, 5, 9, 16, 11, 1, 6, 10, 12, 14, 13, 4, 18, 3, 7, 2, 15, 17, 8, 0]);
    expect(Array.from(torchRandperm(12, 0))).toEqual([8, 0, 5, 9, 7, 4, 2, 10, 3, 1, 11, 6]);
    expect(Array.from(torchRandperm(2, 7))).toEqual([1, 0]);
    expect(Array.from(torchRandperm(1, 7))).toEqual([0]);
    expect(Array.from(torchRandperm(0, 7))).toEqual([]);
  });

  it('keeps the low 32 bits of the seed, as PyTorch does', () => {
    expect(Array.from(torchRandperm(9, 2 ** 32 + 5))).toEqual([8, 7, 4, 6, 5, 1, 2, 0, 3]);
    expect(Array.from(torchRandperm(12, Number.MAX_SAFE_INTEGER))).toEqual([3, 1, 8, 9, 2, 6, 10, 11, 0, 5, 7, 4]);
  });

  it("is makemore.py's permutation of the 32,033 names (seed 3407), and PyTorch's of 100,000 (seed 42), both ends", () => {
    const names = torchRandperm(32033, 3407);
    expect(Array.from(names.subarray(0, 8))).toEqual([18545, 10853, 360, 10522, 2312, 27407, 8528, 20971]);
    expect(Array.from(names.subarray(-8))).toEqual([20864, 14999, 5509, 2957, 9964, 30618, 16636, 29400]);
    const big = torchRandperm(100_000, 42);
    expect(Array.from(big.subarray(0, 5))).toEqual([37542, 60279, 68544, 70051, 15790]);
    expect(Array.from(big.subarray(-5))).toEqual([29010, 77199, 44288, 94835, 53243]);
    expect(new Set(big).size).toBe(100_000);
  });

  it('refuses a count it would not reproduce', () => {
    expect(() => torchRandperm(TORCH_RANDPERM_MAX + 1, 1)).toThrow(/reproduced for 0 to/);
    expect(() => torchRandperm(-1, 1)).toThrow(/reproduced for 0 to/);
  });
});

describe("splitWords with PyTorch's shuffle", () => {
  it("holds out the last words of the permutation for test, in its order, as makemore.py's words[rp[-k:]]", () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`);
    const rp = [19, 5, 9, 16, 11, 1, 6, 10, 12, 14, 13, 4, 18, 3, 7, 2, 15, 17, 8, 0];
    const split = splitWords(words, 3407, { dev: 0, test: 2.5 / 20, shuffle: 'torch' });
    expect(split.test).toEqual(rp.slice(-3).map((i) => `w${i}`));
    expect(split.train).toEqual(rp.slice(0, -3).map((i) => `w${i}`));
    expect(split.dev).toEqual([]);
  });

  it("differs from the project's own shuffle, which stays the default", () => {
    const words = Array.from({ length: 50 }, (_, i) => `w${i}`);
    const own = splitWords(words, 3407, { dev: 0.1, test: 0.1 });
    expect(splitWords(words, 3407, { dev: 0.1, test: 0.1, shuffle: 'philox' })).toEqual(own);
    expect(splitWords(words, 3407, { dev: 0.1, test: 0.1, shuffle: 'torch' }).test).not.toEqual(own.test);
  });
});
