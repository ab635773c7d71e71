// gelu_forward: out = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), GELU in its tanh form (as
// makemore's NewGELU), elementwise. The tanh's argument is clamped to ±15, where tanh is ±1 in
// float32 already: an implementation through exp(2u) would overflow.
// Twin: geluForwardCpu (src/ops/gelu.ts).

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (count,)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;     // (count,)

const GELU_SCALE: f32 = 0.7978845608028654;  // √(2/π)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let v = x[i];
  let u = GELU_SCALE * (v + 0.044715 * v * v * v);
  out[i] = 0.5 * v * (1.0 + tanh(clamp(u, -15.0, 15.0)));
}
