// window_embedding_backward: dtable[v, e] += the gradient of every slot that read row v. One
// thread per table element: over the rows r, then the positions p whose token is v, it adds
// the W positions t = p … p + W − 1 that saw it (slot t − p); the blank row then adds the slots
// before the start (r, t, k > t). Deterministic, no float atomics.
// Twin: windowEmbeddingBackwardCpu (src/ops/windowEmbedding.ts).

override WG: u32 = 64;

struct WindowEmbeddingParams {
  n: u32,
  first: u32,
  T: u32,
  W: u32,
  E: u32,
  R: u32,
  blank: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: WindowEmbeddingParams;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;        // (N, T)
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;       // (n,)
#endif
@group(0) @binding(3) var<storage, read> dout: array<f32>;          // (n·T, W·E)
@group(0) @binding(4) var<storage, read_write> dtable: array<f32>;  // (R, E), accumulated

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
  let E = params.E;
  if (i >= params.R * E) { return; }
  let v = i / E;
  let e = i - v * E;
  let T = params.T;
  let W = params.W;
  let WE = W * E;
  var s = 0.0;
  for (var r = 0u; r < params.n; r++) {
    let row = example_of(r) * T;
    for (var p = 0u; p < T; p++) {
      if (tokens[row + p] == v) {
        let last = min(T, p + W);
        for (var t = p; t < last; t++) { s += dout[(r * T + t) * WE + (t - p) * E + e]; }
      }
    }
  }
  if (v == params.blank) {
    for (var r = 0u; r < params.n; r++) {
      for (var t = 0u; t + 1u < W && t < T; t++) {
        for (var k = t + 1u; k < W; k++) { s += dout[(r * T + t) * WE + k * E + e]; }
      }
    }
  }
  dtable[i] += s;
}
