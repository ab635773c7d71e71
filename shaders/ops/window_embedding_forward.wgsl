// window_embedding_forward: out[(r·T + t), k·E + e] = table[src, e], src the token at position
// t − k of row r's example, or the blank row when t − k < 0: each position's W tokens, newest
// first, concatenated (makemore's MLP; W = 1: a per-position lookup). One thread per (row,
// position, slot) copies its E values. The rows are a minibatch (indexed: the example of row r
// is indices[r]) or a contiguous run of examples (first + r).
// Twin: windowEmbeddingForwardCpu (src/ops/windowEmbedding.ts).

override WG: u32 = 64;

struct WindowEmbeddingParams {
  n: u32,              // rows (examples)
  first: u32,          // contiguous rows: the example of row 0
  T: u32,              // positions per example
  W: u32,              // tokens per window
  E: u32,              // embedding dimensions
  R: u32,              // table rows
  blank: u32,          // the row read before the start
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: WindowEmbeddingParams;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;        // (N, T)
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;       // (n,)
#endif
@group(0) @binding(3) var<storage, read> table: array<f32>;         // (R, E)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;     // (n·T, W·E)

fn example_of(r: u32) -> u32 {
#if ${indexed}
  return indices[r];
#else
  return params.first + r;
#endif
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let slot = flat_id(gid, params.rowStride);
  let W = params.W;
  let T = params.T;
  if (slot >= params.n * T * W) { return; }
  let pos = slot / W;             // r·T + t
  let k = slot - pos * W;
  let r = pos / T;
  let t = pos - r * T;
  var src = params.blank;
  if (t >= k) { src = tokens[example_of(r) * T + t - k]; }
  let E = params.E;
  let base = src * E;
  let dst = slot * E;
  for (var e = 0u; e < E; e++) { out[dst + e] = table[base + e]; }
}
