// step_embedding_backward: dtable[v, e] += Σ over the rows r whose token at position t is v of
// dout[r, e]. One thread per table element scans the n rows' tokens in order: deterministic,
// no float atomics.
// Twin: stepEmbeddingBackwardCpu (src/ops/stepEmbedding.ts).

override WG: u32 = 64;

struct StepEmbeddingParams {
  n: u32,
  first: u32,
  T: u32,
  t: u32,
  E: u32,
  V: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: StepEmbeddingParams;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;        // (N, T)
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;       // (n,)
#endif
@group(0) @binding(3) var<storage, read> dout: array<f32>;          // (n, E)
@group(0) @binding(4) var<storage, read_write> dtable: array<f32>;  // (V, E), accumulated

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
  if (i >= params.V * params.E) { return; }
  let v = i / params.E;
  let e = i - v * params.E;
  var s = 0.0;
  for (var r = 0u; r < params.n; r++) {
    if (tokens[example_of(r) * params.T + params.t] == v) { s += dout[r * params.E + e]; }
  }
  dtable[i] += s;
}
