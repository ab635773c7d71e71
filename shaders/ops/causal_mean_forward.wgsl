// causal_mean_forward: out[b·T + t] = (1/(t+1))·Σ_{s ≤ t} x[b·T + s], each position's uniform
// average of itself and the positions before it (makemore's CausalBoW: a softmax of zeros
// under the causal mask). One thread per element, summing the positions in order.
// Twin: causalMeanForwardCpu (src/ops/causalMean.ts).

override WG: u32 = 256;

struct CausalMeanParams {
  n: u32,              // B·T rows
  T: u32,              // positions per sequence
  C: u32,              // channels
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: CausalMeanParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (B·T, C)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;     // (B·T, C)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n * params.C) { return; }
  let row = i / params.C;
  let c = i - row * params.C;
  let t = row % params.T;
  let first = row - t;
  var s = 0.0;
  for (var p = 0u; p <= t; p++) { s += x[(first + p) * params.C + c]; }
  out[i] = s / f32(t + 1u);
}
