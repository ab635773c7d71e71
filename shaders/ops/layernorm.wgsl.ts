/**
 * ops/layernorm_forward and ops/layernorm_backward with the row's C channels written out (C a
 * define, at most LAYERNORM_UNROLL_MAX): each thread reads its row of x (and dout, w) once into
 * named values instead of looping over it two or three times. SwiftShader's JIT neither unrolls
 * loops nor keeps arrays in registers, and pays for every loop iteration; wider rows use the
 * loop versions in shaders/ops/layernorm_forward.wgsl and layernorm_backward.wgsl, which these
 * compute exactly as (the same sums, in the same order). Twins: src/ops/layernorm.ts.
 */

/** Rows wider than this use the loop kernels (a generated kernel grows with C). */
export const LAYERNORM_UNROLL_MAX = 128;

const channels = (C: number) => Array.from({ length: C }, (_, c) => c);
const each = (C: number, line: (c: number) => string) => channels(C).map((c) => `  ${line(c)}`).join('\n');
const COMP = ['x', 'y', 'z', 'w'];

/**
 * When C is a multiple of 4 the rows are read and written in vec4 (on SwiftShader one vec4
 * access costs what one f32 access does); the arithmetic stays per channel, in the same order.
 */
const rowVec = (C: number) => C % 4 === 0;
const rowType = (C: number) => (rowVec(C) ? 'vec4<f32>' : 'f32');

/** let <name><c> = <array>[row + c] for every channel c, in vec4 loads when rowVec. */
function loadRow(C: number, array: string, name: string, expr: (v: string, c: number) => string = (v) => v): string {
  if (!rowVec(C)) return each(C, (c) => `let ${name}${c} = ${expr(`${array}[row + ${c}u]`, c)};`);
  const quads = Array.from({ length: C / 4 }, (_, q) => q);
  return quads.map((q) => `  let ${name}q${q} = ${array}[row4 + ${q}u];\n` + [0, 1, 2, 3].map((e) => `  let ${name}${4 * q + e} = ${expr(`${name}q${q}.${COMP[e]}`, 4 * q + e)};`).join('\n')).join('\n');
}

/** <array>[row + c] <op> value(c) for every channel c, in vec4 stores when rowVec. */
function storeRow(C: number, array: string, op: '=' | '+=', value: (c: number) => string): string {
  if (!rowVec(C)) return each(C, (c) => `${array}[row + ${c}u] ${op} ${value(c)};`);
  return Array.from({ length: C / 4 }, (_, q) => `  ${array}[row4 + ${q}u] ${op} vec4<f32>(${[0, 1, 2, 3].map((e) => value(4 * q + e)).join(', ')});`).join('\n');
}

function header(C: number, bindings: string): string {
  if (!Number.isInteger(C) || C < 1 || C > LAYERNORM_UNROLL_MAX) throw new Error(`layernorm: ${C} channels to write out (1 to ${LAYERNORM_UNROLL_MAX})`);
  return `
override WG: u32 = 64;
const C: u32 = ${C}u;   // channels, written out below

struct LayernormParams {
  n: u32,              // rows
  C: u32,              // channels (= C)
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: LayernormParams;
${bindings}`;
}

export function layernormForwardWgsl(C: number): string {
  const R = rowType(C);
  return `${header(C, `@group(0) @binding(1) var<storage, read> x: array<${R}>;             // (n, C)
@group(0) @binding(2) var<storage, read> w: array<f32>;             // (C,)
@group(0) @binding(3) var<storage, read> b: array<f32>;             // (C,)
@group(0) @binding(4) var<storage, read_write> out: array<${R}>;     // (n, C)
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;    // (n,)
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;    // (n,)`)}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = flat_id(gid, params.rowStride);
  if (r >= params.n) { return; }
  let row = r * C;
  let row4 = r * (C / 4u);
  let inv = 1.0 / f32(C);
${loadRow(C, 'x', 'x')}
  var s = 0.0;
${each(C, (c) => `s += x${c};`)}
  let m = s * inv;
  var v = 0.0;
${each(C, (c) => `let d${c} = x${c} - m; v += d${c} * d${c};`)}
  let rs = 1.0 / sqrt(v * inv + 1e-5);
${storeRow(C, 'out', '=', (c) => `d${c} * rs * w[${c}u] + b[${c}u]`)}
  mean[r] = m;
  rstd[r] = rs;
}
`;
}

export function layernormBackwardWgsl(C: number): string {
  const R = rowType(C);
  return `${header(C, `@group(0) @binding(1) var<storage, read> dout: array<${R}>;          // (n, C)
@group(0) @binding(2) var<storage, read> x: array<${R}>;             // (n, C)
@group(0) @binding(3) var<storage, read> w: array<f32>;             // (C,)
@group(0) @binding(4) var<storage, read> mean: array<f32>;          // (n,)
@group(0) @binding(5) var<storage, read> rstd: array<f32>;          // (n,)
@group(0) @binding(6) var<storage, read_write> dx: array<${R}>;      // (n, C)`)}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = flat_id(gid, params.rowStride);
  if (r >= params.n) { return; }
  let row = r * C;
  let row4 = r * (C / 4u);
  let m = mean[r];
  let rs = rstd[r];
  var sg = 0.0;
  var sgx = 0.0;
${loadRow(C, 'x', 'xm', (v) => `${v} - m`)}
${loadRow(C, 'dout', 'g', (v, c) => `${v} * w[${c}u]`)}
${each(C, (c) => `sg += g${c}; sgx += g${c} * xm${c} * rs;`)}
  let inv = 1.0 / f32(C);
  let mg = sg * inv;
  let mgx = sgx * inv;
#if \${accumulate}
${storeRow(C, 'dx', '+=', (c) => `rs * (g${c} - mg - xm${c} * rs * mgx)`)}
#else
${storeRow(C, 'dx', '=', (c) => `rs * (g${c} - mg - xm${c} * rs * mgx)`)}
#endif
}
`;
}
