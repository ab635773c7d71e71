// gelu_backward: dx (+)= dout · d gelu/dx, with u = √(2/π)·(x + 0.044715·x³):
//   d gelu/dx = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)
// from the forward's input (gelu_tanh_slope, shaders/lib/ops_common.wgsl; accumulate adds to
// dx, else overwrites it). Elementwise.
// Twin: geluBackwardCpu (src/ops/gelu.ts).

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (count,)
@group(0) @binding(2) var<storage, read> x: array<f32>;             // (count,) gelu_forward's input
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;      // (count,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let d = dout[i] * gelu_tanh_slope(x[i]);
#if ${accumulate}
  dx[i] += d;
#else
  dx[i] = d;
#endif
}
