// onehot_matmul_backward: dW = one-hot(x)ᵀ·dlogits, i.e. row x of dW is the sum of the dlogits
// rows of the examples with input x. The examples are sorted by x and cut into chunks of one x
// (llm.c's buckets): one workgroup per chunk sums its rows in order into a partial row, and
// sgd_update adds a row's partials in order. Deterministic: no float atomics.
// Twin: onehotMatmulBackwardCpu (src/models/bigramOps.ts).

override WG: u32 = 64;

// Binding 0 (Params) is not needed here: a chunk carries its own bounds.
@group(0) @binding(1) var<storage, read> chunks: array<u32>;             // chunk table (see bigram_common)
@group(0) @binding(2) var<storage, read> dlogits: array<f32>;            // (N, V)
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;     // (maxChunks, V)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let c = wid.y * nwg.x + wid.x;
  if (c >= chunks[0]) { return; }
  let first = chunks[CHUNK_RECORDS + 2u * c];
  let end = chunks[CHUNK_RECORDS + 2u * c + 1u];
  for (var j = t; j < V; j += WG) {
    var s = 0.0;
    for (var n = first; n < end; n++) { s += dlogits[n * V + j]; }
    partials[c * V + j] = s;
  }
}
