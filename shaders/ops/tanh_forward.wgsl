// tanh_forward: out = tanh(x) elementwise. The argument is clamped to ±15 (where tanh is 1 in
// float32 already): an implementation through exp(2x) would overflow.
// Twin: tanhForwardCpu (src/ops/tanh.ts).

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (count,)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;     // (count,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  out[i] = tanh(clamp(x[i], -15.0, 15.0));
}
