// tanh_backward: dx (+)= dout·(1 − out²), with out = tanh(x) from the forward. Elementwise;
// accumulate adds to dx (a gradient written before), else overwrites it.
// Twin: tanhBackwardCpu (src/ops/tanh.ts).

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (count,)
@group(0) @binding(2) var<storage, read> out: array<f32>;           // (count,) tanh_forward's output
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;      // (count,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let o = out[i];
  let d = dout[i] * (1.0 - o * o);
#if ${accumulate}
  dx[i] += d;
#else
  dx[i] = d;
#endif
}
