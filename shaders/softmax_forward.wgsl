// softmax_forward: probs = softmax(logits) row by row, made stable by subtracting the row max.
// One thread per row (V is small: a character vocabulary).
// Twin: softmaxForwardCpu (src/models/bigramOps.ts).

override WG: u32 = 64;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;             // (N, V)
@group(0) @binding(2) var<storage, read_write> probs: array<f32>;        // (N, V)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = flat_id(gid, params.rowStride);
  if (n >= params.n) { return; }
  let row = n * V;
  var m = logits[row];
  for (var j = 1u; j < V; j++) { m = max(m, logits[row + j]); }
  var s = 0.0;
  for (var j = 0u; j < V; j++) {
    let e = exp(logits[row + j] - m);
    probs[row + j] = e;
    s += e;
  }
  let inv = 1.0 / s;
  for (var j = 0u; j < V; j++) { probs[row + j] *= inv; }
}
