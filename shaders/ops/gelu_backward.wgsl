// gelu_backward: dx (+)= dout · d gelu/dx, with u = √(2/π)·(x + 0.044715·x³):
//   d gelu/dx = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)
// from the forward's input (accumulate adds to dx, else overwrites it). Elementwise.
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

const GELU_SCALE: f32 = 0.7978845608028654;  // √(2/π)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let v = x[i];
  let u = GELU_SCALE * (v + 0.044715 * v * v * v);
  let th = tanh(clamp(u, -15.0, 15.0));
  let slope = 0.5 * (1.0 + th) + 0.5 * v * (1.0 - th * th) * GELU_SCALE * (1.0 + 3.0 * 0.044715 * v * v);
  let d = dout[i] * slope;
#if ${accumulate}
  dx[i] += d;
#else
  dx[i] = d;
#endif
}
