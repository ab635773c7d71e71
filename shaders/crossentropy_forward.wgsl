// crossentropy_forward: the NLL of each row, −log softmax(logits)[y] = log Σ_v exp(l_v − m) −
// (l_y − m) with m the row's max (stable: no probability underflows to 0), summed over each
// workgroup's rows into one partial sum by a fixed tree: deterministic, no float atomics. y is
// the target of the row's example: the minibatch's (indexed) or a contiguous chunk's. A row
// with a non-finite logit or loss makes its partial sum NaN (NAN_BITS). Training adds the
// partials with mlp_loss_record; evaluation reads them back. One thread per row (V is small).
// Twin: crossentropyForwardCpu (src/models/mlpOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> targets: array<u32>;        // (N,) Y
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;        // (B,)
#endif
@group(0) @binding(3) var<storage, read> logits: array<f32>;         // (n, V)
@group(0) @binding(4) var<storage, read_write> partials: array<u32>; // (partial + ceil(n / WG),) f32 bits

var<workgroup> scratch: array<f32, WG>;
var<workgroup> nonFinite: atomic<u32>;

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
  if (t == 0u) { atomicStore(&nonFinite, 0u); }
  workgroupBarrier();
  let r = flat_id(gid, params.rowStride);
  var v = 0.0;
  if (r < params.n) {
    let row = r * params.V;
    var m = logits[row];
    var finite = is_finite(m);
    for (var j = 1u; j < params.V; j++) {
      let l = logits[row + j];
      m = max(m, l);
      finite = finite && is_finite(l);
    }
    var s = 0.0;
    for (var j = 0u; j < params.V; j++) { s += exp(logits[row + j] - m); }
    v = log(s) - (logits[row + targets[example_of(r)]] - m);
    if (!finite || !is_finite(v)) {
      atomicOr(&nonFinite, 1u);
      v = 0.0;
    }
  }
  scratch[t] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) { scratch[t] += scratch[t + stride]; }
    workgroupBarrier();
  }
  let bad = atomicLoad(&nonFinite) != 0u;
  if (t == 0u) { partials[params.partial + wid.y * nwg.x + wid.x] = select(bitcast<u32>(scratch[0]), NAN_BITS, bad); }
}
