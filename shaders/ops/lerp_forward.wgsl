// lerp_forward: out = (1 − z) ⊙ a + z ⊙ b elementwise, the GRU's update: z weighs the new
// candidate b against the previous state a.
// Twin: lerpForwardCpu (src/ops/lerp.ts).

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;             // (count,)
@group(0) @binding(2) var<storage, read> b: array<f32>;             // (count,)
@group(0) @binding(3) var<storage, read> z: array<f32>;             // (count,)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;     // (count,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let w = z[i];
  out[i] = (1.0 - w) * a[i] + w * b[i];
}
