// softmax_forward: probs[r, :] = softmax(x[r, :]) over rows of V, shifted by the row's max
// (no overflow). One thread per row, its V elements in order.
// Twin: softmaxForwardCpu (src/ops/softmax.ts).

override WG: u32 = 64;

struct SoftmaxParams {
  n: u32,              // rows
  V: u32,              // row length
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: SoftmaxParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (n, V)
@group(0) @binding(2) var<storage, read_write> probs: array<f32>;   // (n, V)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = flat_id(gid, params.rowStride);
  if (r >= params.n) { return; }
  let row = r * params.V;
  var m = x[row];
  for (var j = 1u; j < params.V; j++) { m = max(m, x[row + j]); }
  var s = 0.0;
  for (var j = 0u; j < params.V; j++) {
    let e = exp(x[row + j] - m);
    probs[row + j] = e;
    s += e;
  }
  let inv = 1.0 / s;
  for (var j = 0u; j < params.V; j++) { probs[row + j] *= inv; }
}
