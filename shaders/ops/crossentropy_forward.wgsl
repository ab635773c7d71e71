// crossentropy_forward: the NLL of each row, −log softmax(logits)[y] = log Σ_v exp(l_v − m) −
// (l_y − m) with m the row's max (stable: no probability underflows to 0), for the rows whose
// target y is not the ignore index −1. Each workgroup writes one partial pair (Σ NLL, count
// of valid rows), reduced by a fixed tree: deterministic, no float atomics. A row with a
// non-finite logit or loss makes its partial sum NaN (NAN_BITS). y is the target of the row's
// example (indexed rows: indices[r]; contiguous rows: first + r). Training closes the pairs with
// loss_record; evaluation reads them back. One thread per row.
// Twin: crossentropyForwardCpu (src/ops/crossentropy.ts).

override WG: u32 = 256;

struct CrossentropyParams {
  n: u32,              // rows
  first: u32,          // contiguous rows: the example of row 0
  V: u32,              // classes
  partial: u32,        // index of this dispatch's first partial pair
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: CrossentropyParams;
@group(0) @binding(1) var<storage, read> targets: array<i32>;       // (N,), −1 = ignored
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;       // (n,)
#endif
@group(0) @binding(3) var<storage, read> logits: array<f32>;        // (n, V)
@group(0) @binding(4) var<storage, read_write> partials: array<u32>; // (2·(partial + groups),) (f32 bits of Σ, count)

var<workgroup> sums: array<f32, WG>;
var<workgroup> counts: array<u32, WG>;
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
  var c = 0u;
  if (r < params.n) {
    let y = targets[example_of(r)];
    if (y >= 0) {
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
      v = log(s) - (logits[row + u32(y)] - m);
      c = 1u;
      if (!finite || !is_finite(v)) {
        atomicOr(&nonFinite, 1u);
        v = 0.0;
      }
    }
  }
  sums[t] = v;
  counts[t] = c;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) {
      sums[t] += sums[t + stride];
      counts[t] += counts[t + stride];
    }
    workgroupBarrier();
  }
  let bad = atomicLoad(&nonFinite) != 0u;
  if (t == 0u) {
    let p = 2u * (params.partial + wid.y * nwg.x + wid.x);
    partials[p] = select(bitcast<u32>(sums[0]), NAN_BITS, bad);
    partials[p + 1u] = counts[0];
  }
}
