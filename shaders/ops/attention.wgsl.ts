/**
 * ops/attention_forward, attention_backward_query, attention_backward_keys: causal multi-head
 * self-attention and its backward, generated for one head size HS (a define, C / nh), so that
 * each thread keeps its query (or its dout) and its HS output sums in named registers and
 * every loop over a head's channels is written out. SwiftShader's JIT neither unrolls loops
 * nor keeps arrays in registers, and does every storage load as a per-lane gather: this way a
 * key or a value row is read once per (query, key) pair and nothing else is re-read.
 *
 * qkv holds, for each position, q | k | v (C channels each); head h reads channels
 * h·HS … (h+1)·HS − 1 of each. For one (b, h, t), scale = 1/√HS:
 *   forward:  s[t2] = (q_t · k_t2)·scale for t2 ≤ t; att[t2] = softmax(s) (0 for t2 > t: causal);
 *             out[b, t, head h] = Σ_t2 att[t2]·v_t2; att (B, nh, T, T) is saved for the backward
 *   query:    datt[t2] = dout_t · v_t2; dpre[t2] = att[t2]·(datt[t2] − Σ_j att[j]·datt[j]);
 *             dq_t (+)= scale·Σ_t2 dpre[t2]·k_t2; dpre (B, nh, T, T; 0 above the diagonal) is kept
 *   keys (one thread per (b, h, t2)): dk_t2 (+)= scale·Σ_{t ≥ t2} dpre[t, t2]·q_t,
 *             dv_t2 (+)= Σ_{t ≥ t2} att[t, t2]·dout_t
 * Every sum runs in order in float32; accumulate adds to dqkv, else overwrites its part. One
 * thread per (b, h, position), deterministic. Twins: src/ops/attention.ts.
 * When HS is a multiple of 4, rows of qkv, out, dout and dqkv are read and written in vec4 (on
 * SwiftShader one vec4 access costs what one f32 access does) and the per-channel sums are
 * vec4s; every channel's arithmetic, and the order of every dot product, stay as they are.
 * The text keeps `#if ${accumulate}` for the shader assembler's preprocessor (src/gpu/shaders.ts).
 */
const channels = (HS: number) => Array.from({ length: HS }, (_, i) => i);

/** Σ_i term(i), written left to right (WGSL's + is left-associative: the twin's order). */
const sum = (HS: number, term: (i: number) => string) => channels(HS).map(term).join(' + ');
const each = (HS: number, line: (i: number) => string, indent = '  ') => channels(HS).map((i) => indent + line(i)).join('\n');
const COMP = ['x', 'y', 'z', 'w'];
const vec = (HS: number) => HS % 4 === 0;
const quads = (HS: number) => Array.from({ length: HS / 4 }, (_, q) => q);
const rowType = (HS: number) => (vec(HS) ? 'vec4<f32>' : 'f32');

/** let <name><i> = <array>[<base> + i] for the head's channels (vec4 loads, then their components). */
function loadHead(HS: number, array: string, base: string, name: string, indent = '  '): string {
  if (!vec(HS)) return each(HS, (i) => `let ${name}${i} = ${array}[${base} + ${i}u];`, indent);
  return quads(HS).map((q) => `${indent}let ${name}q${q} = ${array}[${base} / 4u + ${q}u];\n` + [0, 1, 2, 3].map((e) => `${indent}let ${name}${4 * q + e} = ${name}q${q}.${COMP[e]};`).join('\n')).join('\n');
}

/** var <name>… = 0: HS sums, or HS / 4 vec4 sums. */
function zeros(HS: number, name: string): string {
  return vec(HS) ? quads(HS).map((q) => `  var ${name}${q} = vec4<f32>(0.0);`).join('\n') : each(HS, (i) => `var ${name}${i} = 0.0;`);
}

/** <name>… += coef · <array>[<base> + i] over the head's channels. */
function accumulateHead(HS: number, name: string, coef: string, array: string, base: string, indent = '    '): string {
  return vec(HS) ? quads(HS).map((q) => `${indent}${name}${q} += ${coef} * ${array}[${base} / 4u + ${q}u];`).join('\n') : each(HS, (i) => `${name}${i} += ${coef} * ${array}[${base} + ${i}u];`, indent);
}

/** <array>[<base> + i] <op> <name>… <suffix> over the head's channels. */
function storeHead(HS: number, array: string, base: string, op: '=' | '+=', name: string, suffix = ''): string {
  return vec(HS) ? quads(HS).map((q) => `  ${array}[${base} / 4u + ${q}u] ${op} ${name}${q}${suffix};`).join('\n') : each(HS, (i) => `${array}[${base} + ${i}u] ${op} ${name}${i}${suffix};`);
}

function header(HS: number, bindings: string): string {
  if (!Number.isInteger(HS) || HS < 1) throw new Error(`attention: a head size of ${HS} channels`);
  return `
override WG: u32 = 64;
const HS: u32 = ${HS}u;   // channels per head

struct AttentionParams {
  B: u32,
  T: u32,
  C: u32,
  nh: u32,             // heads
  scale: f32,          // 1/√HS
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: AttentionParams;
${bindings}`;
}

/** The forward: scores and their maximum, then the exponentials and Σ e·v, then att normalised. */
export function attentionForwardWgsl(HS: number): string {
  const R = rowType(HS);
  return `${header(HS, `@group(0) @binding(1) var<storage, read> qkv: array<${R}>;           // (B, T, 3C)
@group(0) @binding(2) var<storage, read_write> out: array<${R}>;     // (B, T, C)
@group(0) @binding(3) var<storage, read_write> att: array<f32>;     // (B, nh, T, T)`)}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = flat_id(gid, params.rowStride);
  let T = params.T;
  let C = params.C;
  if (id >= params.B * params.nh * T) { return; }
  let t = id % T;
  let h = (id / T) % params.nh;
  let b = id / (T * params.nh);
  let seq = b * T * 3u * C + h * HS;   // q of (b, 0, head h); position t2 adds t2·3C
  let row = ((b * params.nh + h) * T + t) * T;
  let qb = seq + t * 3u * C;
${loadHead(HS, 'qkv', 'qb', 'q')}
  var m = -3.0e38;
  for (var t2 = 0u; t2 <= t; t2++) {
    let kb = seq + t2 * 3u * C + C;
${loadHead(HS, 'qkv', 'kb', 'k', '    ')}
    let s = (${sum(HS, (i) => `q${i} * k${i}`)}) * params.scale;
    att[row + t2] = s;
    m = max(m, s);
  }
  var total = 0.0;
${zeros(HS, 'o')}
  for (var t2 = 0u; t2 <= t; t2++) {
    let e = exp(att[row + t2] - m);
    att[row + t2] = e;
    total += e;
    let vb = seq + t2 * 3u * C + 2u * C;
${accumulateHead(HS, 'o', 'e', 'qkv', 'vb')}
  }
  let inv = 1.0 / total;
  let ob = (b * T + t) * C + h * HS;
${storeHead(HS, 'out', 'ob', '=', 'o', ' * inv')}
  for (var t2 = 0u; t2 < T; t2++) { att[row + t2] = select(0.0, att[row + t2] * inv, t2 <= t); }
}
`;
}

/** dq, and dpre for the keys' pass. */
export function attentionBackwardQueryWgsl(HS: number): string {
  const R = rowType(HS);
  return `${header(HS, `@group(0) @binding(1) var<storage, read> dout: array<${R}>;          // (B, T, C)
@group(0) @binding(2) var<storage, read> qkv: array<${R}>;           // (B, T, 3C)
@group(0) @binding(3) var<storage, read> att: array<f32>;           // (B, nh, T, T)
@group(0) @binding(4) var<storage, read_write> dpre: array<f32>;    // (B, nh, T, T)
@group(0) @binding(5) var<storage, read_write> dqkv: array<${R}>;    // (B, T, 3C): the q part`)}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = flat_id(gid, params.rowStride);
  let T = params.T;
  let C = params.C;
  if (id >= params.B * params.nh * T) { return; }
  let t = id % T;
  let h = (id / T) % params.nh;
  let b = id / (T * params.nh);
  let seq = b * T * 3u * C + h * HS;
  let row = ((b * params.nh + h) * T + t) * T;
  let ob = (b * T + t) * C + h * HS;
${loadHead(HS, 'dout', 'ob', 'd')}
  var dot = 0.0;
  for (var t2 = 0u; t2 <= t; t2++) {
    let vb = seq + t2 * 3u * C + 2u * C;
${loadHead(HS, 'qkv', 'vb', 'v', '    ')}
    let d = ${sum(HS, (i) => `d${i} * v${i}`)};
    dpre[row + t2] = d;
    dot += att[row + t2] * d;
  }
${zeros(HS, 'g')}
  for (var t2 = 0u; t2 <= t; t2++) {
    let dp = att[row + t2] * (dpre[row + t2] - dot);
    dpre[row + t2] = dp;
    let kb = seq + t2 * 3u * C + C;
${accumulateHead(HS, 'g', 'dp', 'qkv', 'kb')}
  }
  for (var t2 = t + 1u; t2 < T; t2++) { dpre[row + t2] = 0.0; }
  let qb = seq + t * 3u * C;
#if \${accumulate}
${storeHead(HS, 'dqkv', 'qb', '+=', 'g', ' * params.scale')}
#else
${storeHead(HS, 'dqkv', 'qb', '=', 'g', ' * params.scale')}
#endif
}
`;
}

/** dk and dv of one key position, over the queries t ≥ t2 that see it. */
export function attentionBackwardKeysWgsl(HS: number): string {
  const R = rowType(HS);
  return `${header(HS, `@group(0) @binding(1) var<storage, read> dout: array<${R}>;          // (B, T, C)
@group(0) @binding(2) var<storage, read> qkv: array<${R}>;           // (B, T, 3C)
@group(0) @binding(3) var<storage, read> att: array<f32>;           // (B, nh, T, T)
@group(0) @binding(4) var<storage, read> dpre: array<f32>;          // (B, nh, T, T)
@group(0) @binding(5) var<storage, read_write> dqkv: array<${R}>;    // (B, T, 3C): the k and v parts`)}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = flat_id(gid, params.rowStride);
  let T = params.T;
  let C = params.C;
  if (id >= params.B * params.nh * T) { return; }
  let t2 = id % T;
  let h = (id / T) % params.nh;
  let b = id / (T * params.nh);
  let seq = b * T * 3u * C + h * HS;
  let base = (b * params.nh + h) * T * T;
${zeros(HS, 'gk')}
${zeros(HS, 'gv')}
  for (var t = t2; t < T; t++) {
    let p = base + t * T + t2;
    let dp = dpre[p];
    let a = att[p];
    let qb = seq + t * 3u * C;
    let ob = (b * T + t) * C + h * HS;
${accumulateHead(HS, 'gk', 'dp', 'qkv', 'qb')}
${accumulateHead(HS, 'gv', 'a', 'dout', 'ob')}
  }
  let kb = seq + t2 * 3u * C + C;
#if \${accumulate}
${storeHead(HS, 'dqkv', 'kb', '+=', 'gk', ' * params.scale')}
${storeHead(HS, 'dqkv', '(kb + C)', '+=', 'gv')}
#else
${storeHead(HS, 'dqkv', 'kb', '=', 'gk', ' * params.scale')}
${storeHead(HS, 'dqkv', '(kb + C)', '=', 'gv')}
#endif
}
`;
}
