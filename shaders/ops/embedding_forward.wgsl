// embedding_forward: out[r, t·E + e] = table[tokens[example of r, t], e]: each row's T tokens
// looked up in the (V, E) table and concatenated. One thread per (row, position) slot copies its
// E values (one integer division per slot, not two per element: SwiftShader's are scalar). The rows
// are a minibatch (indexed: the example of row r is indices[r]) or a contiguous run of
// examples (the example of row r is first + r).
// Twin: embeddingForwardCpu (src/ops/embedding.ts).

override WG: u32 = 256;

struct EmbeddingParams {
  n: u32,              // rows
  first: u32,          // contiguous rows: the example of row 0
  T: u32,              // tokens per row
  E: u32,              // embedding dimensions
  V: u32,              // table rows
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: EmbeddingParams;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;        // (N, T)
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;       // (n,)
#endif
@group(0) @binding(3) var<storage, read> table: array<f32>;         // (V, E)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;     // (n, T·E)

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
  if (slot >= params.n * params.T) { return; }
  let r = slot / params.T;
  let t = slot - r * params.T;
  let E = params.E;
  let src = tokens[example_of(r) * params.T + t] * E;
  let dst = slot * E;
  for (var e = 0u; e < E; e++) { out[dst + e] = table[src + e]; }
}
