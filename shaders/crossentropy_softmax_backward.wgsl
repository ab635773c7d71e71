// crossentropy_softmax_backward: dlogits = (probs − one-hot(y_r)) / n, the gradient of the mean
// NLL with respect to the logits, for the minibatch's rows. One thread per element.
// Twin: crossentropySoftmaxBackwardCpu (src/models/mlpOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> targets: array<u32>;        // (N,) Y
@group(0) @binding(2) var<storage, read> indices: array<u32>;        // (B,)
@group(0) @binding(3) var<storage, read> probs: array<f32>;          // (B, V)
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;  // (B, V)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n * params.V) { return; }
  let r = i / params.V;
  let v = i - r * params.V;
  let oneHot = select(0.0, 1.0, v == targets[indices[r]]);
  dlogits[i] = (probs[i] - oneHot) / f32(params.n);
}
