// embedding_forward: emb[r, t·E + e] = C[X[example of r, t], e]: each row's context of T
// symbols looked up in the embedding table C and concatenated. One thread per output element.
// The rows are the minibatch (indexed: the example of row r is indices[r]) or a contiguous
// chunk of a split being evaluated (the example of row r is first + r).
// Twin: embeddingForwardCpu (src/models/mlpOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> contexts: array<u32>;       // (N, T) X
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;        // (B,)
#endif
@group(0) @binding(3) var<storage, read> C: array<f32>;              // (V, E)
@group(0) @binding(4) var<storage, read_write> emb: array<f32>;      // (n, T·E)

fn example_of(r: u32) -> u32 {
#if ${indexed}
  return indices[r];
#else
  return params.first + r;
#endif
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  let TE = params.T * params.E;
  if (i >= params.n * TE) { return; }
  let r = i / TE;
  let k = i - r * TE;
  let t = k / params.E;
  let e = k - t * params.E;
  emb[i] = C[contexts[example_of(r) * params.T + t] * params.E + e];
}
