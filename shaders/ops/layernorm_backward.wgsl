// layernorm_backward: the input gradient of layernorm_forward, row by row:
//   x̂ = (x − mean)·rstd,  g = dout ⊙ w,  dx (+)= rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂))
// (accumulate adds to dx, a gradient written before; else overwrites it). One thread per row.
// The weight and bias gradients, column sums over the rows, are layernorm_param_backward's.
// Twin: layernormBackwardCpu (src/ops/layernorm.ts).

override WG: u32 = 64;

struct LayernormParams {
  n: u32,
  C: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: LayernormParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (n, C)
@group(0) @binding(2) var<storage, read> x: array<f32>;             // (n, C)
@group(0) @binding(3) var<storage, read> w: array<f32>;             // (C,)
@group(0) @binding(4) var<storage, read> mean: array<f32>;          // (n,)
@group(0) @binding(5) var<storage, read> rstd: array<f32>;          // (n,)
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;      // (n, C)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = flat_id(gid, params.rowStride);
  if (r >= params.n) { return; }
  let row = r * params.C;
  let m = mean[r];
  let rs = rstd[r];
  var sg = 0.0;
  var sgx = 0.0;
  for (var c = 0u; c < params.C; c++) {
    let g = dout[row + c] * w[c];
    sg += g;
    sgx += g * (x[row + c] - m) * rs;
  }
  let inv = 1.0 / f32(params.C);
  let mg = sg * inv;
  let mgx = sgx * inv;
  for (var c = 0u; c < params.C; c++) {
    let xhat = (x[row + c] - m) * rs;
    let d = rs * (dout[row + c] * w[c] - mg - xhat * mgx);
#if ${accumulate}
    dx[row + c] += d;
#else
    dx[row + c] = d;
#endif
  }
}
