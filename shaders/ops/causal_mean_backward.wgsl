// causal_mean_backward: dx[b·T + s] (+)= Σ_{t ≥ s} dout[b·T + t] / (t+1): position s is in the
// average of every position from s on. One thread per element, summing the positions in order
// (accumulate: add to a gradient written before, else overwrite it).
// Twin: causalMeanBackwardCpu (src/ops/causalMean.ts).

override WG: u32 = 256;

struct CausalMeanParams {
  n: u32,
  T: u32,
  C: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: CausalMeanParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (B·T, C)
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;      // (B·T, C)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n * params.C) { return; }
  let row = i / params.C;
  let c = i - row * params.C;
  let s = row % params.T;
  let first = row - s;
  var g = 0.0;
  for (var t = s; t < params.T; t++) { g += dout[(first + t) * params.C + c] / f32(t + 1u); }
#if ${accumulate}
  dx[i] += g;
#else
  dx[i] = g;
#endif
}
