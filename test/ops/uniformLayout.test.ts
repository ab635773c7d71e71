/**
 * Every WGSL struct of the op library's kernels against its TypeScript declaration: the same
 * fields, types and byte offsets (WGSL's layout rules, computed here independently of the
 * packer), so a field added to one side only fails here rather than as a wrong kernel.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_UNIFORM } from '../../src/ops/embedding.ts';
import { MATMUL_UNIFORM } from '../../src/ops/linear.ts';
import { BIAS_UNIFORM } from '../../src/ops/bias.ts';
import { ELEMENTWISE_UNIFORM } from '../../src/ops/elementwise.ts';
import { SOFTMAX_UNIFORM } from '../../src/ops/softmax.ts';
import { CROSSENTROPY_UNIFORM, LOSS_RECORD_UNIFORM } from '../../src/ops/crossentropy.ts';
import { ADAMW_UNIFORM, SGD_UNIFORM } from '../../src/ops/optimizers.ts';
import { BATCH_UNIFORM } from '../../src/ops/batch.ts';
import { LAYERNORM_UNIFORM } from '../../src/ops/layernorm.ts';
import { POSITION_UNIFORM } from '../../src/ops/position.ts';
import { ATTENTION_UNIFORM } from '../../src/ops/attention.ts';
import { CONCAT_UNIFORM } from '../../src/ops/concat.ts';
import { STEP_EMBEDDING_UNIFORM } from '../../src/ops/stepEmbedding.ts';
import { STACK_UNIFORM } from '../../src/ops/stack.ts';
import { CAUSAL_MEAN_UNIFORM } from '../../src/ops/causalMean.ts';
import { WINDOW_EMBEDDING_UNIFORM } from '../../src/ops/windowEmbedding.ts';
import { RECURRENCE_UNIFORM } from '../../src/ops/recurrence.ts';
import { packUniform, uniformLayout, type UniformStruct } from '../../src/ops/uniform.ts';
import { attentionBackwardKeysWgsl, attentionBackwardQueryWgsl, attentionForwardWgsl } from '../../shaders/ops/attention.wgsl.ts';
import { layernormBackwardWgsl, layernormForwardWgsl } from '../../shaders/ops/layernorm.wgsl.ts';

const DECLARED: UniformStruct[] = [
  EMBEDDING_UNIFORM, MATMUL_UNIFORM, BIAS_UNIFORM, ELEMENTWISE_UNIFORM, SOFTMAX_UNIFORM, CROSSENTROPY_UNIFORM, LOSS_RECORD_UNIFORM,
  SGD_UNIFORM, ADAMW_UNIFORM, BATCH_UNIFORM, LAYERNORM_UNIFORM, POSITION_UNIFORM, ATTENTION_UNIFORM,
  CONCAT_UNIFORM, STEP_EMBEDDING_UNIFORM, STACK_UNIFORM, CAUSAL_MEAN_UNIFORM, WINDOW_EMBEDDING_UNIFORM, RECURRENCE_UNIFORM,
];

/** WGSL's size and alignment of the types a uniform may hold. */
const TYPES: Record<string, { size: number; align: number }> = {
  u32: { size: 4, align: 4 }, i32: { size: 4, align: 4 }, f32: { size: 4, align: 4 },
  'vec2<u32>': { size: 8, align: 8 }, 'vec2<f32>': { size: 8, align: 8 }, 'vec4<u32>': { size: 16, align: 16 }, 'vec4<f32>': { size: 16, align: 16 },
};

function parseStructs(source: string): Map<string, { name: string; type: string; offset: number }[]> {
  const out = new Map<string, { name: string; type: string; offset: number }[]>();
  for (const m of source.matchAll(/struct\s+(\w+)\s*\{([^}]*)\}/g)) {
    let offset = 0;
    const fields = [];
    for (const line of m[2].split('\n')) {
      const f = /^\s*(\w+)\s*:\s*([\w<>]+)\s*,/.exec(line.replace(/\/\/.*$/, ''));
      if (!f) continue;
      const t = TYPES[f[2]];
      if (!t) throw new Error(`struct ${m[1]}: type ${f[2]} not in the table`);
      offset = Math.ceil(offset / t.align) * t.align;
      fields.push({ name: f[1], type: f[2], offset });
      offset += t.size;
    }
    out.set(m[1], fields);
  }
  return out;
}

const dir = new URL('../../shaders/ops/', import.meta.url);
/** The kernels' sources: the .wgsl files, and those generated per head size (at two sizes). */
const sources = new Map<string, string>(readdirSync(dir).filter((f) => f.endsWith('.wgsl')).map((f) => [f, readFileSync(new URL(f, dir), 'utf8')]));
for (const HS of [5, 16]) {
  sources.set(`attention_forward (generated, HS ${HS})`, attentionForwardWgsl(HS));
  sources.set(`attention_backward_query (generated, HS ${HS})`, attentionBackwardQueryWgsl(HS));
  sources.set(`attention_backward_keys (generated, HS ${HS})`, attentionBackwardKeysWgsl(HS));
  sources.set(`layernorm_forward (generated, C ${HS})`, layernormForwardWgsl(HS));
  sources.set(`layernorm_backward (generated, C ${HS})`, layernormBackwardWgsl(HS));
}

describe('uniform structs', () => {
  it.each([...sources.keys()])('%s: every uniform struct matches its declaration in src/ops/', (file) => {
    const source = sources.get(file)!;
    const structs = parseStructs(source);
    const uniformType = /var<uniform>\s+\w+\s*:\s*(\w+)/.exec(source)?.[1];
    expect(uniformType, `${file} binds a uniform`).toBeDefined();
    const wgsl = structs.get(uniformType!);
    expect(wgsl, `${file} declares struct ${uniformType}`).toBeDefined();
    const ts = DECLARED.find((d) => d.name === uniformType);
    expect(ts, `struct ${uniformType} is declared in src/ops/`).toBeDefined();
    const { offsets } = uniformLayout(ts!);
    expect(wgsl!.map((f) => [f.name, f.type, f.offset])).toEqual(ts!.fields.map((f) => [f.name, f.type, offsets[f.name]]));
  });

  it('the shared StepState is two u32s (the trainers allocate 8 bytes for it)', () => {
    const lib = parseStructs(readFileSync(new URL('../lib/ops_common.wgsl', dir), 'utf8'));
    expect(lib.get('StepState')).toEqual([{ name: 'step', type: 'u32', offset: 0 }, { name: 'valid', type: 'u32', offset: 4 }]);
  });

  it('packs by the layout, 16-byte multiples, refusing values that do not fit their type', () => {
    const bytes = packUniform(ADAMW_UNIFORM, { count: 7, lr: 0.5, weightDecay: 0.25 });
    expect(bytes.byteLength).toBe(64); // 13 fields: 52 bytes, rounded up to 16
    const view = new DataView(bytes);
    expect(view.getUint32(0, true)).toBe(7);
    expect(view.getFloat32(uniformLayout(ADAMW_UNIFORM).offsets.weightDecay, true)).toBe(0.25);
    expect(() => packUniform(ADAMW_UNIFORM, { count: -1 })).toThrow(/AdamwParams.count = -1: not a u32/);
    expect(() => packUniform(ADAMW_UNIFORM, { lr: NaN })).toThrow(/not a finite f32/);
    expect(() => packUniform(ADAMW_UNIFORM, { nope: 1 } as never)).toThrow(/has no field nope/);
  });
});
