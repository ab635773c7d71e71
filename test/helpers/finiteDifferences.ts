/** Float64 finite-difference checks of the CPU twins' backwards (test/ops/*Grad.test.ts). */
import { expect } from 'vitest';
import type { Random } from '../../src/random/philox.ts';

export const normal = (r: Random, n: number, scale = 1) => Float64Array.from(r.fillNormal(new Float64Array(n)), (x) => x * scale);

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Central differences of f at every element of x, against `grad`: truncation and rounding both ~1e-10 at unit scale. */
export function expectGradient(label: string, f: () => number, x: Float64Array, grad: ArrayLike<number>): void {
  const d = 1e-5;
  for (let k = 0; k < x.length; k++) {
    const x0 = x[k];
    x[k] = x0 + d;
    const up = f();
    x[k] = x0 - d;
    const down = f();
    x[k] = x0;
    expect(Math.abs((up - down) / (2 * d) - grad[k]), `${label}[${k}]`).toBeLessThan(1e-7 + 1e-6 * Math.abs(grad[k]));
  }
}
