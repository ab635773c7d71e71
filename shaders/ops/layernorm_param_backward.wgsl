// layernorm_param_backward: dw[c] += Σ_r dout[r, c]·x̂[r, c] and db[c] += Σ_r dout[r, c], the
// weight and bias gradients of layernorm_forward. One thread per channel, summing the rows in
// order: deterministic, no float atomics.
// Twin: layernormBackwardCpu (src/ops/layernorm.ts).

// E: one channel, or four under the define vec4 (C a multiple of 4; on SwiftShader one vec4
// access costs what one f32 access does): a thread sums its E over the rows, params.C counts E's.
#if ${vec4}
alias E = vec4<f32>;
#else
alias E = f32;
#endif

override WG: u32 = 64;

struct LayernormParams {
  n: u32,
  C: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: LayernormParams;
@group(0) @binding(1) var<storage, read> dout: array<E>;            // (n, C)
@group(0) @binding(2) var<storage, read> x: array<E>;               // (n, C)
@group(0) @binding(3) var<storage, read> mean: array<f32>;          // (n,)
@group(0) @binding(4) var<storage, read> rstd: array<f32>;          // (n,)
@group(0) @binding(5) var<storage, read_write> dw: array<E>;        // (C,), accumulated
@group(0) @binding(6) var<storage, read_write> db: array<E>;        // (C,), accumulated

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = flat_id(gid, params.rowStride);
  if (c >= params.C) { return; }
  var sw = E(0.0);
  var sb = E(0.0);
  for (var r = 0u; r < params.n; r++) {
    let d = dout[r * params.C + c];
    sw += d * (x[r * params.C + c] - mean[r]) * rstd[r];
    sb += d;
  }
  dw[c] += sw;
  db[c] += sb;
}
