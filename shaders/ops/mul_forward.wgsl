// mul_forward: out = a ⊙ b elementwise (the GRU's reset gate on the previous state).
// Twin: mulForwardCpu (src/ops/mul.ts).

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;             // (count,)
@group(0) @binding(2) var<storage, read> b: array<f32>;             // (count,)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;     // (count,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  out[i] = a[i] * b[i];
}
