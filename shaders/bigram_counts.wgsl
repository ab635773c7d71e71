// bigram_counts: the counting model's V×V table. One thread per example; integer atomics
// make the result exact and independent of order.
// Twin: bigramCountsCpu (src/models/bigramCounts.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;                  // (N,) x | y << 16
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;   // (V, V)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n) { return; }
  let e = pairs[i];
  atomicAdd(&counts[example_x(e) * V + example_y(e)], 1u);
}
