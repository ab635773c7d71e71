// crossentropy_forward: −log probs[r, y_r] summed over each workgroup's rows into one partial
// sum, by a fixed tree: deterministic, no float atomics. y_r is the target of row r's example:
// the minibatch's (indexed) or a contiguous chunk's. Training adds the partials with
// mlp_loss_record; evaluation reads them back.
// Twin: crossentropyForwardCpu (src/models/mlpOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> targets: array<u32>;        // (N,) Y
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;        // (B,)
#endif
@group(0) @binding(3) var<storage, read> probs: array<f32>;          // (n, V)
@group(0) @binding(4) var<storage, read_write> partials: array<f32>; // (partial + ceil(n / WG),)

var<workgroup> scratch: array<f32, WG>;

fn example_of(r: u32) -> u32 {
#if ${indexed}
  return indices[r];
#else
  return params.first + r;
#endif
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) t: u32,
        @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flat_id(gid, params.rowStride);
  var v = 0.0;
  if (r < params.n) {
    v = -log(probs[r * params.V + targets[example_of(r)]]);
  }
  scratch[t] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) { scratch[t] += scratch[t + stride]; }
    workgroupBarrier();
  }
  if (t == 0u) { partials[params.partial + wid.y * nwg.x + wid.x] = scratch[0]; }
}
