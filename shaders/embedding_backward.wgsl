// embedding_backward: dC[v, e] = Σ over rows r, then positions t, with X[indices[r], t] = v, of
// demb[r, t·E + e]: every use of symbol v in the minibatch's contexts adds its gradient. One
// thread owns one (v, e) and scans the batch in order (B·T lookups: B is small), so the sum is
// deterministic without float atomics.
// Twin: embeddingBackwardCpu (src/models/mlpOps.ts).

override WG: u32 = 64;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> contexts: array<u32>;       // (N, T) X
@group(0) @binding(2) var<storage, read> indices: array<u32>;        // (B,)
@group(0) @binding(3) var<storage, read> demb: array<f32>;           // (B, T·E)
@group(0) @binding(4) var<storage, read_write> dC: array<f32>;       // (V, E)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.V * params.E) { return; }
  let v = i / params.E;
  let e = i - v * params.E;
  var s = 0.0;
  for (var r = 0u; r < params.n; r++) {
    let context = indices[r] * params.T;
    for (var t = 0u; t < params.T; t++) {
      if (contexts[context + t] == v) { s += demb[(r * params.T + t) * params.E + e]; }
    }
  }
  dC[i] = s;
}
