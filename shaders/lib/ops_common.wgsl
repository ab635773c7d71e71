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

// GELU in its tanh form (makemore's NewGELU): ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), and
// its slope. The tanh's argument is clamped to ±15, where tanh is ±1 in float32 already: an
// implementation through exp(2u) would overflow. Used by gelu_forward, gelu_backward and the
// matmul's gelu epilogues. Twins: src/ops/gelu.ts.
const GELU_SCALE: f32 = 0.7978845608028654;  // √(2/π)

fn gelu_tanh(x: f32) -> f32 {
  let u = GELU_SCALE * (x + 0.044715 * x * x * x);
  return 0.5 * x * (1.0 + tanh(clamp(u, -15.0, 15.0)));
}

fn gelu_tanh_slope(x: f32) -> f32 {
  let th = tanh(clamp(GELU_SCALE * (x + 0.044715 * x * x * x), -15.0, 15.0));
  return 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * GELU_SCALE * (1.0 + 3.0 * 0.044715 * x * x);
}

// The same, on four values at once (the matmul's vec4 epilogues).
fn gelu_tanh4(x: vec4<f32>) -> vec4<f32> {
  let u = GELU_SCALE * (x + 0.044715 * x * x * x);
  return 0.5 * x * (1.0 + tanh(clamp(u, vec4<f32>(-15.0), vec4<f32>(15.0))));
}

fn gelu_tanh_slope4(x: vec4<f32>) -> vec4<f32> {
  let th = tanh(clamp(GELU_SCALE * (x + 0.044715 * x * x * x), vec4<f32>(-15.0), vec4<f32>(15.0)));
  return 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * GELU_SCALE * (1.0 + 3.0 * 0.044715 * x * x);
}
