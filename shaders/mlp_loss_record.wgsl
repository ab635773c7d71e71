// mlp_loss_record: one workgroup closes the forward of a training step. It adds the partial
// sums of crossentropy_forward in a fixed order into the step's loss (Σ / B), writes it to the
// history ring at the current step (NaN if any partial or the loss is not finite: see
// is_finite), sets the step's learning rate from the schedule (lr before decayStep, lrFinal
// from it on) for mlp_sgd_update, and advances the step counter: the schedule needs no
// writeBuffer between the steps of one submit.
// Twin: mlpLossRecordCpu (src/models/mlpOps.ts).

override WG: u32 = 64;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> partials: array<u32>;       // (partials,) f32 bits
@group(0) @binding(2) var<storage, read_write> history: array<u32>;  // (historyLength,) f32 bits
@group(0) @binding(3) var<storage, read_write> state: MlpState;

var<workgroup> scratch: array<f32, WG>;
var<workgroup> nonFinite: atomic<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
  if (t == 0u) { atomicStore(&nonFinite, 0u); }
  workgroupBarrier();
  var s = 0.0;
  for (var i = t; i < params.partials; i += WG) {
    let p = bitcast<f32>(partials[i]);
    if (!is_finite(p)) { atomicOr(&nonFinite, 1u); }
    s += p;
  }
  scratch[t] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) { scratch[t] += scratch[t + stride]; }
    workgroupBarrier();
  }
  let bad = atomicLoad(&nonFinite) != 0u;
  // Only this thread touches the state: no other reads it in this dispatch.
  if (t == 0u) {
    let step = state.step;
    let loss = scratch[0] / f32(params.n);
    history[step % params.historyLength] = select(bitcast<u32>(loss), NAN_BITS, bad || !is_finite(loss));
    state.lr = select(params.lrFinal, params.lr, step < params.decayStep);
    state.step = step + 1u;
  }
}
