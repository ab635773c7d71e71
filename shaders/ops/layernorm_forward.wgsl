// layernorm_forward: out[r, :] = (x[r, :] − mean_r) · rstd_r · w + b over rows of C channels,
// rstd_r = 1/√(var_r + 1e-5) with the biased variance (PyTorch's LayerNorm); mean and rstd are
// saved for the backward. One thread per row, its C channels in order (two passes: the mean,
// then the variance about it).
// Twin: layernormForwardCpu (src/ops/layernorm.ts).

override WG: u32 = 64;

struct LayernormParams {
  n: u32,              // rows
  C: u32,              // channels
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: LayernormParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (n, C)
@group(0) @binding(2) var<storage, read> w: array<f32>;             // (C,)
@group(0) @binding(3) var<storage, read> b: array<f32>;             // (C,)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;     // (n, C)
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;    // (n,)
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;    // (n,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = flat_id(gid, params.rowStride);
  if (r >= params.n) { return; }
  let row = r * params.C;
  let inv = 1.0 / f32(params.C);
  var s = 0.0;
  for (var c = 0u; c < params.C; c++) { s += x[row + c]; }
  let m = s * inv;
  var v = 0.0;
  for (var c = 0u; c < params.C; c++) {
    let d = x[row + c] - m;
    v += d * d;
  }
  let rs = 1.0 / sqrt(v * inv + 1e-5);
  for (var c = 0u; c < params.C; c++) { out[row + c] = (x[row + c] - m) * rs * w[c] + b[c]; }
  mean[r] = m;
  rstd[r] = rs;
}
