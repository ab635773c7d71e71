// sigmoid_forward: out = 1 / (1 + exp(−x)) elementwise, written through exp(−|x|) so that no
// exp overflows: for x < 0, e^x / (1 + e^x).
// Twin: sigmoidForwardCpu (src/ops/sigmoid.ts).

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
  let v = x[i];
  let e = exp(-abs(v));
  out[i] = select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}
