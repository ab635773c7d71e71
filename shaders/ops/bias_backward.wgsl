// bias_backward: dbias[n] += Σ_m dout[m, n], the gradient of a bias added to every row. One
// thread per column, summing the rows in order: deterministic, no float atomics.
// Twin: biasBackwardCpu (src/ops/bias.ts).

override WG: u32 = 64;

struct BiasParams {
  M: u32,
  N: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: BiasParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (M, N)
@group(0) @binding(2) var<storage, read_write> dbias: array<f32>;   // (N,), accumulated

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = flat_id(gid, params.rowStride);
  if (n >= params.N) { return; }
  var s = 0.0;
  for (var m = 0u; m < params.M; m++) { s += dout[m * params.N + n]; }
  dbias[n] += s;
}
