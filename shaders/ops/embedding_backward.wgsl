// embedding_backward: dtable[v, e] += Σ over rows r, then positions t, with token v there, of
// dout[r, t·E + e]: every use of symbol v adds its gradient. One thread per table row v scans
// the n·T tokens in order into E sums in registers: deterministic without float atomics, and
// each token is read V times rather than V·E times. No workgroup memory: on SwiftShader a
// kernel with any costs a barrier (Tint's zero-initialisation) per workgroup, ~45 µs each.
// E is a compile-time size (${E}: the private array).
// Twin: embeddingBackwardCpu (src/ops/embedding.ts).

override WG: u32 = 4;

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

const E: u32 = ${E}u;

fn example_of(r: u32) -> u32 {
#if ${indexed}
  return indices[r];
#else
  return params.first + r;
#endif
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let v = flat_id(gid, params.rowStride);
  if (v >= params.V) { return; }
  let T = params.T;
  var acc: array<f32, E>;
  for (var r = 0u; r < params.n; r++) {
    let row = example_of(r) * T;
    for (var t = 0u; t < T; t++) {
      if (tokens[row + t] == v) {
        let src = (r * T + t) * E;
        for (var e = 0u; e < E; e++) { acc[e] += dout[src + e]; }
      }
    }
  }
  for (var e = 0u; e < E; e++) { dtable[v * E + e] += acc[e]; }
}
