// softmax_nll_backward: dlogits = (probs − one-hot(y)) / n, the gradient of the mean NLL
// with respect to the logits. One thread per element.
// Twin: softmaxNllBackwardCpu (src/models/bigramOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;              // (N,)
@group(0) @binding(2) var<storage, read> probs: array<f32>;              // (N, V)
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;      // (N, V)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n * V) { return; }
  let n = i / V;
  let j = i - n * V;
  let oneHot = select(0.0, 1.0, j == example_y(pairs[n]));
  dlogits[i] = (probs[i] - oneHot) / f32(params.n);
}
