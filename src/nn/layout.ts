/**
 * One table of named tensors laid out in one flat vector: a model's parameters, and the same
 * layout reused for their gradients and the optimiser's state (m and v), as llm.c does with
 * its table of parameter sizes. With `align`, every tensor starts at a multiple of `align`
 * elements: 64 floats = 256 bytes, the storage-binding offset alignment, so a GPU kernel can
 * bind each tensor as a range of the one buffer. With align 1 the vector is the packed order a
 * model file stores.
 */

export interface TensorSpec {
  /** 'C', 'W1', … or 'h.0.attn.qkv.w'. */
  name: string;
  shape: readonly number[];
}

export interface TensorRange extends TensorSpec {
  /** First element in the flat vector. */
  offset: number;
  /** Elements (the product of the shape). */
  size: number;
}

/** Storage-binding offsets must be multiples of 256 bytes: 64 floats. */
export const GPU_ALIGN = 64;

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class TensorLayout {
  readonly tensors: readonly TensorRange[];
  /** Elements of the flat vector, padding included (a multiple of align). */
  readonly size: number;
  private readonly byName = new Map<string, TensorRange>();

  constructor(specs: readonly TensorSpec[], readonly align = 1) {
    let offset = 0;
    this.tensors = specs.map((s) => {
      if (this.byName.has(s.name)) throw new Error(`tensor "${s.name}" declared twice`);
      const size = sizeOf(s.shape);
      const t = { name: s.name, shape: [...s.shape], offset, size };
      this.byName.set(s.name, t);
      offset = Math.ceil((offset + size) / align) * align;
      return t;
    });
    this.size = Math.max(offset, 0);
  }

  /** Elements that are not padding. */
  get count(): number {
    return this.tensors.reduce((n, t) => n + t.size, 0);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): TensorRange {
    const t = this.byName.get(name);
    if (!t) throw new Error(`no tensor "${name}" (there are ${this.tensors.map((x) => x.name).join(', ')})`);
    return t;
  }

  /** The tensor's elements in a flat vector of this layout. */
  view<A extends Float32Array | Float64Array>(flat: A, name: string): A {
    const t = this.get(name);
    return flat.subarray(t.offset, t.offset + t.size) as A;
  }

  /** The tensor as a range of a GPU buffer holding this layout. */
  binding(buffer: GPUBuffer, name: string): GPUBufferBinding {
    const t = this.get(name);
    return { buffer, offset: 4 * t.offset, size: 4 * Math.max(1, t.size) };
  }

  /** The same tensors with another alignment. */
  aligned(align: number): TensorLayout {
    return new TensorLayout(this.tensors, align);
  }

  /** Copy every tensor of `flat` (laid out by `from`) into a new vector of this layout. */
  convert<A extends Float32Array | Float64Array>(flat: ArrayLike<number>, from: TensorLayout, make: new (n: number) => A): A {
    const out = new make(this.size);
    for (const t of this.tensors) {
      const src = from.get(t.name);
      for (let k = 0; k < t.size; k++) out[t.offset + k] = flat[src.offset + k];
    }
    return out;
  }
}
