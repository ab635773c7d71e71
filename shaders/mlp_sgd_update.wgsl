// mlp_sgd_update: P ← P − lr·grad over the whole flat parameter vector (C, W1, b1, W2, b2 at
// 256-byte-aligned offsets; the padding's gradient stays 0). lr is the step's learning rate,
// set on the GPU by mlp_loss_record. One thread per parameter, (M, N) = (1, count).
// Twin: mlpSgdUpdateCpu (src/models/mlpOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> grad: array<f32>;           // (count,)
@group(0) @binding(2) var<storage, read_write> P: array<f32>;        // (count,)
@group(0) @binding(3) var<storage, read> state: MlpState;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.M * params.N) { return; }
  P[i] -= state.lr * grad[i];
}
