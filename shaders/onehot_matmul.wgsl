// onehot_matmul: logits = one-hot(x)·W, which is a gather of row x of W for every example.
// One thread per output element.
// Twin: onehotMatmulCpu (src/models/bigramOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;              // (N,)
@group(0) @binding(2) var<storage, read> W: array<f32>;                  // (V, V)
@group(0) @binding(3) var<storage, read_write> logits: array<f32>;       // (N, V)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n * V) { return; }
  let n = i / V;
  let j = i - n * V;
  logits[i] = W[example_x(pairs[n]) * V + j];
}
