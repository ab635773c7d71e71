// tanh_forward: out = tanh(x) elementwise over an (M, N) tensor. The argument is clamped to
// ±15 (where tanh is 1 in float32 already): an implementation through exp(2x) would overflow.
// Twin: tanhForwardCpu (src/models/mlpOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;              // (M, N)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;      // (M, N)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.M * params.N) { return; }
  out[i] = tanh(clamp(x[i], -15.0, 15.0));
}
