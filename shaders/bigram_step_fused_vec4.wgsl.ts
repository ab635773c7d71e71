/**
 * bigram_step_fused_vec4: bigram_step_fused (same bindings, same outputs) for V ≤ 64, written
 * for compilers that neither unroll loops nor keep arrays in registers — SwiftShader's Subzero
 * JIT runs it several times faster than the loop version. The row of W, the exponentials and
 * the accumulators are vec4 values named one by one, and every loop over V is written out.
 * Each example still computes its own max, V exponentials, sum and log; its −one-hot(y) and
 * −logit[y] terms come from the chunk's count of each target (integer atomics: exact), so no
 * value is indexed by y.
 * Twin: bigramStepFusedCpu (src/models/bigramOps.ts); tested against bigram_step_fused too.
 */
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';

export const VEC4_MAX_VOCAB = 64;

const range = (n: number) => Array.from({ length: n }, (_, k) => k);

export function bigramStepFusedVec4(V: number): string {
  if (V > VEC4_MAX_VOCAB) throw new Error(`bigram_step_fused_vec4 takes V ≤ ${VEC4_MAX_VOCAB}, got ${V}`);
  const V4 = Math.ceil(V / 4);
  const ks = range(V4);
  const lines = (f: (k: number) => string, sep = '\n') => ks.map(f).join(sep);
  const fold = (f: (k: number) => string, op: (a: string, b: string) => string) => ks.map(f).reduce(op);
  return wgsl`
override WG: u32 = 64;
const V4: u32 = ${V4}u;
const PAD: f32 = -3.0e38;  // exp(PAD − m) is 0: the padding of the last vec4 adds nothing

// Binding 0 (Params) is not needed here: a chunk carries its own bounds.
@group(0) @binding(1) var<storage, read> chunks: array<u32>;             // chunk table
@group(0) @binding(2) var<storage, read> pairs: array<u32>;              // (N,) sorted by x
@group(0) @binding(3) var<storage, read> W: array<f32>;                  // (V, V)
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;     // (maxChunks, V) Σ softmax − one-hot
@group(0) @binding(5) var<storage, read_write> nllPartials: array<f32>;  // (maxChunks,) Σ −log p[y]

var<workgroup> targetCount: array<atomic<u32>, V>;   // examples of the chunk with each y
var<workgroup> accScratch: array<vec4<f32>, WG * V4>;
var<workgroup> nllScratch: array<f32, WG>;

// W[x, j .. j+3], padded past V.
fn row4(base: u32, j: u32) -> vec4<f32> {
  let last = base + V - 1u;
  return vec4<f32>(select(PAD, W[min(base + j, last)], j < V),
                   select(PAD, W[min(base + j + 1u, last)], j + 1u < V),
                   select(PAD, W[min(base + j + 2u, last)], j + 2u < V),
                   select(PAD, W[min(base + j + 3u, last)], j + 3u < V));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let c = wid.y * nwg.x + wid.x;
  if (c >= chunks[0]) { return; }
  let first = chunks[CHUNK_RECORDS + 2u * c];
  let end = chunks[CHUNK_RECORDS + 2u * c + 1u];
  let base = example_x(pairs[first]) * V;
${lines((k) => `  let w${k} = row4(base, ${4 * k}u);`)}
  for (var j = t; j < V; j += WG) { atomicStore(&targetCount[j], 0u); }
  workgroupBarrier();

${lines((k) => `  var acc${k} = vec4<f32>(0.0);`)}
  var nll = 0.0;  // Σ log(Σ exp(logit − m)) + m; the −logit[y] part is added from targetCount
  for (var n = first + t; n < end; n += WG) {
    atomicAdd(&targetCount[example_y(pairs[n])], 1u);
    let m4 = ${fold((k) => `w${k}`, (a, b) => `max(${a}, ${b})`)};
    let m = max(max(m4.x, m4.y), max(m4.z, m4.w));
${lines((k) => `    let e${k} = exp(w${k} - m);`)}
    let s4 = ${fold((k) => `e${k}`, (a, b) => `${a} + ${b}`)};
    let s = (s4.x + s4.y) + (s4.z + s4.w);
    let inv = 1.0 / s;
${lines((k) => `    acc${k} += e${k} * inv;`)}
    nll += log(s) + m;
  }

${lines((k) => `  accScratch[t * V4 + ${k}u] = acc${k};`)}
  nllScratch[t] = nll;
  workgroupBarrier();
  // Sum the threads' rows in thread order (deterministic), then subtract the one-hot counts.
  for (var k = t; k < V4; k += WG) {
    var s = vec4<f32>(0.0);
    for (var u = 0u; u < WG; u++) { s += accScratch[u * V4 + k]; }
    for (var i = 0u; i < 4u; i++) {
      let j = 4u * k + i;
      if (j < V) { partials[c * V + j] = s[i] - f32(atomicLoad(&targetCount[j])); }
    }
  }
  if (t == 0u) {
    var s = 0.0;
    for (var u = 0u; u < WG; u++) { s += nllScratch[u]; }
    for (var j = 0u; j < V; j++) { s -= f32(atomicLoad(&targetCount[j])) * W[base + j]; }
    nllPartials[c] = s;
  }
}
`;
}
