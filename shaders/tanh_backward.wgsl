// tanh_backward: dx = dout·(1 − out²), with out = tanh(x) from the forward. Elementwise over
// an (M, N) tensor.
// Twin: tanhBackwardCpu (src/models/mlpOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;           // (M, N)
@group(0) @binding(2) var<storage, read> out: array<f32>;            // (M, N) tanh_forward's output
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;       // (M, N)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.M * params.N) { return; }
  let o = out[i];
  dx[i] = dout[i] * (1.0 - o * o);
}
