/**
 * A kernel's uniform struct, declared once in TypeScript and packed by WGSL's layout rules.
 * Every field is a 32-bit scalar (u32, i32, f32): each sits at the next multiple of 4 bytes,
 * and a uniform binding's size is rounded up to 16 bytes. The WGSL file declares the same
 * struct for its readers; test/ops/uniformLayout.test.ts parses every struct of shaders/ops/
 * and checks it against these declarations, so the two cannot drift.
 */

export type ScalarType = 'u32' | 'i32' | 'f32';

export interface UniformStruct<F extends string = string> {
  /** The WGSL struct's name. */
  name: string;
  /** Fields in declaration order. */
  fields: readonly { name: F; type: ScalarType }[];
}

export type UniformValues<F extends string> = Partial<Record<F, number>>;

/** `defineUniform('LinearParams', { M: 'u32', ... })`: the field order is the object's key order. */
export function defineUniform<F extends string>(name: string, fields: Record<F, ScalarType>): UniformStruct<F> {
  return { name, fields: (Object.keys(fields) as F[]).map((f) => ({ name: f, type: fields[f] })) };
}

/** Byte offset of each field, and the buffer size (a multiple of 16). */
export function uniformLayout<F extends string>(s: UniformStruct<F>): { offsets: Record<F, number>; size: number } {
  const offsets = {} as Record<F, number>;
  s.fields.forEach((f, i) => (offsets[f.name] = 4 * i));
  return { offsets, size: Math.max(16, Math.ceil((4 * s.fields.length) / 16) * 16) };
}

/**
 * The bytes of one uniform buffer. Unset fields are 0; a value must fit its type (a u32 field
 * rejects -1 or 2^32, an f32 field a non-finite number): a silent wrap would be a wrong kernel.
 */
export function packUniform<F extends string>(s: UniformStruct<F>, values: UniformValues<F>): ArrayBuffer {
  const { offsets, size } = uniformLayout(s);
  const data = new ArrayBuffer(size);
  const view = new DataView(data);
  for (const key of Object.keys(values) as F[]) {
    const field = s.fields.find((f) => f.name === key);
    if (!field) throw new Error(`${s.name} has no field ${key}`);
    const v = values[key]!;
    const at = offsets[key];
    if (field.type === 'f32') {
      if (!Number.isFinite(v)) throw new Error(`${s.name}.${key} = ${v}: not a finite f32`);
      view.setFloat32(at, v, true);
    } else if (field.type === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`${s.name}.${key} = ${v}: not a u32`);
      view.setUint32(at, v, true);
    } else {
      if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new Error(`${s.name}.${key} = ${v}: not an i32`);
      view.setInt32(at, v, true);
    }
  }
  return data;
}
