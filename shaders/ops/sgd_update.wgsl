// sgd_update: P ← P − lr·grad over every parameter (one flat vector, tensors at 256-byte-
// aligned offsets; the padding's gradient stays 0). lr follows the step schedule: lr before
// decayStep, lrFinal from it on, read from the GPU's step counter (already advanced by
// loss_record: this step is state.step − 1). One thread per parameter.
// Twin: sgdUpdateCpu (src/ops/optimizers.ts).

// E: one element, or four consecutive ones when the count is a multiple of 4 (vec4: on
// SwiftShader a vec4 access costs what one f32 access does; params.count counts E's).
#if ${vec4}
alias E = vec4<f32>;
#else
alias E = f32;
#endif

override WG: u32 = 256;

struct SgdParams {
  count: u32,
  rowStride: u32,
  lr: f32,
  lrFinal: f32,
  decayStep: u32,
}

@group(0) @binding(0) var<uniform> params: SgdParams;
@group(0) @binding(1) var<storage, read> grad: array<E>;            // (count,)
@group(0) @binding(2) var<storage, read_write> P: array<E>;         // (count,)
@group(0) @binding(3) var<storage, read> state: StepState;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let lr = select(params.lrFinal, params.lr, state.step - 1u < params.decayStep);
  P[i] -= lr * grad[i];
}
