// Shared by the context model's kernels (src/gpu/mlpTrainer.ts; CPU twins in
// src/models/mlpOps.ts). Shapes: N examples, B batch (n rows), V vocabulary, T context,
// E embedding, H hidden; matmul: (M, K)·(K, N) → (M, N). One uniform layout for all of them:
// every dispatch has its own uniform buffer, written once (mlpParamsBuffer).

struct MlpParams {
  n: u32,              // rows of this dispatch: B (a training step) or one evaluation chunk
  first: u32,          // contiguous rows (evaluation): the example of row 0
  total: u32,          // examples the minibatches are drawn from (the train split)
  historyLength: u32,  // length of the loss history ring
  seedLo: u32,
  seedHi: u32,
  lr: f32,             // learning rate of the steps before decayStep
  lrFinal: f32,        // learning rate from decayStep on
  decayStep: u32,
  rowStride: u32,      // threads per row of a grid folded into 2-D (65,535 workgroups per dimension)
  T: u32,
  E: u32,
  V: u32,
  M: u32,              // matmul and elementwise ops: an (M, N) output; matmul sums over K
  K: u32,
  N: u32,
  partial: u32,        // crossentropy_forward: index of this dispatch's first partial sum
  partials: u32,       // mlp_loss_record: partial sums that make up the loss
  pad0: u32,
  pad1: u32,
}

// The step counter and the step's learning rate live on the GPU: many steps go in one submit.
struct MlpState {
  step: u32,
  lr: f32,             // written by mlp_loss_record, read by mlp_sgd_update
}

fn flat_id(gid: vec3<u32>, rowStride: u32) -> u32 {
  return gid.y * rowStride + gid.x;
}

// WGSL lets implementations assume that no float is NaN or infinite (SwiftShader's log of a
// NaN is a finite number), so a diverging run is caught with integer tests of the bits, and
// reported with this bit pattern (a quiet NaN) where a loss would be.
const NAN_BITS: u32 = 0x7fc00000u;

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}
