// Shared by the op library's kernels (shaders/ops/; their TypeScript halves and CPU twins in
// src/ops/). Each kernel declares its own uniform struct, packed from its declaration in
// src/ops/ (checked by test/ops/uniformLayout.test.ts).

// The training step's counter lives on the GPU, so that many steps go in one submit.
// loss_record advances it after the forward: batch_indices (before) reads the 0-based step,
// the optimisers (after) read t = step + 1, Adam's 1-based step.
struct StepState {
  step: u32,
  valid: u32,          // targets that are not the ignore index (−1) in this step's batch
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
