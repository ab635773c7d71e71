// sigmoid_backward: dx (+)= dout·out·(1 − out), with out = sigmoid(x) from the forward.
// Elementwise; accumulate adds to dx (a gradient written before), else overwrites it.
// Twin: sigmoidBackwardCpu (src/ops/sigmoid.ts).

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (count,)
@group(0) @binding(2) var<storage, read> out: array<f32>;           // (count,) sigmoid_forward's output
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;      // (count,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let o = out[i];
  let d = dout[i] * o * (1.0 - o);
#if ${accumulate}
  dx[i] += d;
#else
  dx[i] = d;
#endif
}
