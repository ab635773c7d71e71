// step_embedding_forward: out[r, e] = table[tokens[example of r, t], e], the embedding of each
// row's token at one position t of its sequence: (n, E), one time step of a recurrent model.
// One thread per element: a copy. The rows are a minibatch (indexed: the example of row r is
// indices[r]) or a contiguous run of examples (first + r).
// Twin: stepEmbeddingForwardCpu (src/ops/stepEmbedding.ts).

override WG: u32 = 256;

struct StepEmbeddingParams {
  n: u32,              // rows
  first: u32,          // contiguous rows: the example of row 0
  T: u32,              // tokens per example
  t: u32,              // the position embedded
  E: u32,              // embedding dimensions
  V: u32,              // table rows
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: StepEmbeddingParams;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;        // (N, T)
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;       // (n,)
#endif
@group(0) @binding(3) var<storage, read> table: array<f32>;         // (V, E)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;     // (n, E)

fn example_of(r: u32) -> u32 {
#if ${indexed}
  return indices[r];
#else
  return params.first + r;
#endif
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n * params.E) { return; }
  let r = i / params.E;
  let e = i - r * params.E;
  out[i] = table[tokens[example_of(r) * params.T + params.t] * params.E + e];
}
