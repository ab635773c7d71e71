// embedding_backward: dtable[v, e] += Σ over rows r, then positions t, with token v there, of
// dout[r, t·E + e]: every use of symbol v adds its gradient. One thread owns one (v, e) and
// scans the n·T tokens in order (a batch's worth: small), so the sum is deterministic without
// float atomics, and nothing has to be sorted first.
// Twin: embeddingBackwardCpu (src/ops/embedding.ts).

override WG: u32 = 64;

struct EmbeddingParams {
  n: u32,
  first: u32,
  T: u32,
  E: u32,
  V: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: EmbeddingParams;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;        // (N, T)
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;       // (n,)
#endif
@group(0) @binding(3) var<storage, read> dout: array<f32>;          // (n, T·E)
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
    let row = example_of(r) * params.T;
    for (var t = 0u; t < params.T; t++) {
      if (tokens[row + t] == v) { s += dout[(r * params.T + t) * params.E + e]; }
    }
  }
  dtable[i] += s;
}
