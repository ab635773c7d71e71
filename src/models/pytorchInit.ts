/**
 * PyTorch's default initialisation, which makemore leaves as it is, for a model's parameter
 * layout: embeddings N(0, 1); linear weights (in, out) and biases U(−1/√fan_in, 1/√fan_in),
 * fan_in the weight's input width; zeros where the model says so (a start state). One draw per
 * element from the seed's init stream, in layout order.
 */
import type { TensorLayout } from '../nn/layout.ts';
import type { Floats } from '../ops/op.ts';
import { Random, Stream } from '../random/philox.ts';

export type InitKind = 'normal' | 'zeros' | 'linear';

/** kind(name): how a tensor starts; a linear bias `<layer>.b` takes the fan-in of `<layer>.w`. */
export function initPytorchDefaults<A extends Floats>(layout: TensorLayout, seed: number, make: new (n: number) => A, kind: (name: string) => InitKind): A {
  const rng = new Random(seed, Stream.init);
  const p = new make(layout.size);
  for (const t of layout.tensors) {
    const v = p.subarray(t.offset, t.offset + t.size) as A;
    const k = kind(t.name);
    if (k === 'normal') rng.fillNormal(v);
    else if (k === 'zeros') v.fill(0);
    else {
      const weight = t.name.endsWith('.b') ? layout.get(`${t.name.slice(0, -2)}.w`) : t;
      const bound = 1 / Math.sqrt(weight.shape[0]);
      for (let i = 0; i < v.length; i++) v[i] = (2 * rng.uniform() - 1) * bound;
    }
  }
  return p;
}
