/**
 * PyTorch's torch.randperm(n) on the CPU right after torch.manual_seed(seed), so that a split
 * can hold out the very words makemore.py holds out (its first draw after manual_seed(3407)).
 *
 * PyTorch's CPU generator is MT19937 (Matsumoto & Nishimura 1998) seeded by the standard
 * init_genrand with the low 32 bits of the seed; randperm is the Fisher–Yates walk
 *   for i in 0 .. n−2:  z = next_u32() mod (n − i);  swap(r[i], r[i + z])
 * (PyTorch 1.13, aten/src/ATen/native/TensorFactories.cpp; checked against it in
 * test/torchRandperm.test.ts). Newer PyTorch draws 64 bits per swap from n = 2^32 / 20 up, so
 * larger n is refused rather than given a permutation that depends on the version.
 */

const N = 624;
const M = 397;

/** MT19937 (32-bit) as PyTorch's CPUGeneratorImpl seeds it. */
export class Mt19937 {
  private readonly state = new Uint32Array(N);
  private next = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    // The low 32 bits, as PyTorch keeps them (manual_seed(2^32 + 5) is manual_seed(5)).
    this.state[0] = seed % 2 ** 32;
    for (let i = 1; i < N; i++) {
      const prev = this.state[i - 1] ^ (this.state[i - 1] >>> 30);
      this.state[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /** The next 32-bit output. */
  nextU32(): number {
    if (this.next >= N) this.twist();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const s = this.state;
    for (let k = 0; k < N; k++) {
      const y = (s[k] & 0x80000000) | (s[(k + 1) % N] & 0x7fffffff);
      s[k] = s[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.next = 0;
  }
}

/** The largest n whose permutation is reproduced (PyTorch's 32-bit branch). */
export const TORCH_RANDPERM_MAX = Math.floor(2 ** 32 / 20) - 1;

/** torch.manual_seed(seed); torch.randperm(n).tolist() */
export function torchRandperm(n: number, seed: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > TORCH_RANDPERM_MAX) throw new RangeError(`PyTorch's permutation is reproduced for 0 to ${TORCH_RANDPERM_MAX} items, got ${n}`);
  const rng = new Mt19937(seed);
  const r = new Uint32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const j = i + (rng.nextU32() % (n - i));
    const t = r[i];
    r[i] = r[j];
    r[j] = t;
  }
  return r;
}
