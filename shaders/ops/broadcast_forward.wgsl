// broadcast_forward: out[m, n] = x[n], one row repeated M times (a learned start state for
// every sequence of a batch). One thread per element. Its backward is bias_backward's column sum.
// Twin: broadcastForwardCpu (src/ops/broadcast.ts).

override WG: u32 = 256;

struct BiasParams {
  M: u32,
  N: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: BiasParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (1, N)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;     // (M, N)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.M * params.N) { return; }
  out[i] = x[i % params.N];
}
