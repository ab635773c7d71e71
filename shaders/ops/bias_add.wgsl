// bias_add: x[m, n] += bias[n] for an (M, N) x, in place. One thread per element. (The linear
// layer fuses its bias into matmul; this is the op on its own.)
// Twin: biasAddCpu (src/ops/bias.ts).

override WG: u32 = 256;

struct BiasParams {
  M: u32,
  N: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: BiasParams;
@group(0) @binding(1) var<storage, read> bias: array<f32>;          // (N,)
@group(0) @binding(2) var<storage, read_write> x: array<f32>;       // (M, N)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.M * params.N) { return; }
  x[i] += bias[i % params.N];
}
