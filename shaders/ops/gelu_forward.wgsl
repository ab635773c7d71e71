// gelu_forward: out = gelu_tanh(x) (shaders/lib/ops_common.wgsl), GELU in its tanh form (as
// makemore's NewGELU), elementwise. (A linear layer before it has it as an epilogue instead.)
// Twin: geluForwardCpu (src/ops/gelu.ts).

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
  out[i] = gelu_tanh(x[i]);
}
