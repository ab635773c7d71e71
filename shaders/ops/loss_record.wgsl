// loss_record: one workgroup closes the forward of a training step. It adds the partial pairs
// of crossentropy_forward in a fixed order into the step's loss (Σ NLL / valid targets), writes
// it to the history ring at the current step (NaN if any partial or the loss is not finite:
// see is_finite), keeps the count of valid targets for the backward, and advances the step
// counter: nothing has to be written between the steps of one submit.
// Twin: lossRecordCpu (src/ops/crossentropy.ts).

override WG: u32 = 64;

struct LossRecordParams {
  partials: u32,       // partial pairs that make up the loss
  historyLength: u32,  // length of the loss history ring
}

@group(0) @binding(0) var<uniform> params: LossRecordParams;
@group(0) @binding(1) var<storage, read> partials: array<u32>;      // (2·partials,) (f32 bits of Σ, count)
@group(0) @binding(2) var<storage, read_write> history: array<u32>; // (historyLength,) f32 bits
@group(0) @binding(3) var<storage, read_write> state: StepState;

var<workgroup> sums: array<f32, WG>;
var<workgroup> counts: array<u32, WG>;
var<workgroup> nonFinite: atomic<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
  if (t == 0u) { atomicStore(&nonFinite, 0u); }
  workgroupBarrier();
  var s = 0.0;
  var c = 0u;
  for (var i = t; i < params.partials; i += WG) {
    let p = bitcast<f32>(partials[2u * i]);
    if (!is_finite(p)) { atomicOr(&nonFinite, 1u); }
    s += p;
    c += partials[2u * i + 1u];
  }
  sums[t] = s;
  counts[t] = c;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) {
      sums[t] += sums[t + stride];
      counts[t] += counts[t + stride];
    }
    workgroupBarrier();
  }
  let bad = atomicLoad(&nonFinite) != 0u;
  // Only this thread touches the state: no other reads it in this dispatch.
  if (t == 0u) {
    let step = state.step;
    let loss = sums[0] / f32(counts[0]);
    history[step % params.historyLength] = select(bitcast<u32>(loss), NAN_BITS, bad || counts[0] == 0u || !is_finite(loss));
    state.valid = counts[0];
    state.step = step + 1u;
  }
}
