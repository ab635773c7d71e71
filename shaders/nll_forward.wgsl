// nll_forward: −log probs[n, y_n] summed over each workgroup's examples into one partial sum
// per workgroup, by a fixed tree: deterministic, no float atomics. loss_finalize adds them up.
// Twin: nllForwardCpu (src/models/bigramOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;              // (N,)
@group(0) @binding(2) var<storage, read> probs: array<f32>;              // (N, V)
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;     // (ceil(N / WG),)

var<workgroup> scratch: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) t: u32,
        @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = flat_id(gid, params.rowStride);
  var v = 0.0;
  if (n < params.n) {
    v = -log(probs[n * V + example_y(pairs[n])]);
  }
  scratch[t] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) { scratch[t] += scratch[t + stride]; }
    workgroupBarrier();
  }
  if (t == 0u) { partials[wid.y * nwg.x + wid.x] = scratch[0]; }
}
