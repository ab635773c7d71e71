/**
 * Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011):
 * a counter-based generator, i.e. a pure function of (key, counter). Every random number in
 * the project is one of its outputs, addressed by (seed, stream, position), so the CPU and the
 * WGSL twin in shaders/philox.wgsl produce identical integers in any order and on any device.
 *
 * Layout: key = (seed low 32 bits, seed high 21 bits); counter = (block low, block high,
 * stream, 0). Block b yields four u32 words, so position p of a stream is word p & 3 of block
 * p >> 2.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32 (JS numbers lose bits above 2^53). */
export function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff, aHi = a >>> 16;
  const bLo = b & 0xffff, bHi = b >>> 16;
  const loLo = aLo * bLo;
  const loHi = aLo * bHi;
  const hiLo = aHi * bLo;
  const cross = (loLo >>> 16) + (loHi & 0xffff) + (hiLo & 0xffff);
  return (aHi * bHi + (loHi >>> 16) + (hiLo >>> 16) + (cross >>> 16)) >>> 0;
}

/** Philox-4x32-10 of counter (c0..c3) under key (k0, k1), written into out[0..3]. */
export function philox4x32(
  c0: number, c1: number, c2: number, c3: number, k0: number, k1: number,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  return out;
}

/** Streams keep independent uses of one seed apart. Values are part of the file format of results: never renumber. */
export const Stream = {
  init: 1,
  batch: 2,
  sample: 3,
  split: 4,
} as const;

export const MAX_SEED = Number.MAX_SAFE_INTEGER;

export function seedKey(seed: number): [number, number] {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`seed must be an integer from 0 to ${MAX_SEED}, got ${seed}`);
  }
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/** The u32 at `position` of `stream` under `seed`; a pure function, as on the GPU. */
export function randomU32(seed: number, stream: number, position: number): number {
  const [k0, k1] = seedKey(seed);
  const block = Math.floor(position / 4);
  const out = philox4x32(block >>> 0, Math.floor(block / 2 ** 32) >>> 0, stream, 0, k0, k1);
  return out[position & 3];
}

/** Uniform in [0, 1) with 24 bits: exactly representable in float32, so identical on the GPU. */
export function u32ToUniform(u: number): number {
  return (u >>> 8) * 2 ** -24;
}

/** Unbiased-enough integer in [0, n) without division (Lemire's multiply-shift); exact in WGSL too. */
export function u32ToIndex(u: number, n: number): number {
  return mulhi32(u, n);
}

/** The index drawn for slot `slot` of minibatch `step` (batches of `batchSize` from `n` examples). */
export function batchIndex(seed: number, step: number, batchSize: number, slot: number, n: number): number {
  return u32ToIndex(randomU32(seed, Stream.batch, step * batchSize + slot), n);
}

/** A sequential reader over one stream: uniform, normal and categorical draws. */
export class Random {
  private readonly k0: number;
  private readonly k1: number;
  private readonly block = new Uint32Array(4);
  private blockIndex = -1;
  position = 0;

  constructor(readonly seed: number, readonly stream: number, start = 0) {
    [this.k0, this.k1] = seedKey(seed);
    this.position = start;
  }

  nextU32(): number {
    const b = Math.floor(this.position / 4);
    if (b !== this.blockIndex) {
      philox4x32(b >>> 0, Math.floor(b / 2 ** 32) >>> 0, this.stream, 0, this.k0, this.k1, this.block);
      this.blockIndex = b;
    }
    return this.block[this.position++ & 3];
  }

  uniform(): number {
    return u32ToUniform(this.nextU32());
  }

  /** Integer in [0, n). */
  index(n: number): number {
    return u32ToIndex(this.nextU32(), n);
  }

  /** Standard normals by Box–Muller; fills `out` two at a time from pairs of words. */
  fillNormal<T extends Float32Array | Float64Array>(out: T): T {
    for (let i = 0; i < out.length; i += 2) {
      const u1 = ((this.nextU32() >>> 8) + 1) * 2 ** -24; // (0, 1]: log stays finite
      const u2 = u32ToUniform(this.nextU32());
      const r = Math.sqrt(-2 * Math.log(u1));
      out[i] = r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }

  /** Draw from unnormalised non-negative weights[offset .. offset+count). */
  categorical(weights: ArrayLike<number>, offset = 0, count = weights.length - offset): number {
    let total = 0;
    for (let j = 0; j < count; j++) total += weights[offset + j];
    const target = this.uniform() * total;
    let acc = 0;
    for (let j = 0; j < count; j++) {
      acc += weights[offset + j];
      if (target < acc) return j;
    }
    // Rounding can leave target == total: return the last symbol with weight.
    for (let j = count - 1; j >= 0; j--) if (weights[offset + j] > 0) return j;
    throw new RangeError('categorical: all weights are zero');
  }
}
