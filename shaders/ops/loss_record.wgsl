// loss_record: one thread closes the forward of a training step. It adds the partial pairs
// of crossentropy_forward in a fixed order into the step's loss (Σ NLL / valid targets), writes
// it to the history ring at the current step (NaN if any partial or the loss is not finite:
// see is_finite), keeps the count of valid targets for the backward, and advances the step
// counter: nothing has to be written between the steps of one submit.
// Twin: lossRecordCpu (src/ops/crossentropy.ts).

struct LossRecordParams {
  partials: u32,       // partial pairs that make up the loss
  historyLength: u32,  // length of the loss history ring
}

@group(0) @binding(0) var<uniform> params: LossRecordParams;
@group(0) @binding(1) var<storage, read> partials: array<u32>;      // (2·partials,) (f32 bits of Σ, count)
@group(0) @binding(2) var<storage, read_write> history: array<u32>; // (historyLength,) f32 bits
@group(0) @binding(3) var<storage, read_write> state: StepState;

// One thread adds the pairs in order: no workgroup memory (a barrier per workgroup on
// SwiftShader costs more than the few dozen pairs of a step).
@compute @workgroup_size(1)
fn main() {
  var s = 0.0;
  var c = 0u;
  var bad = false;
  for (var i = 0u; i < params.partials; i++) {
    let p = bitcast<f32>(partials[2u * i]);
    bad = bad || !is_finite(p);
    s += p;
    c += partials[2u * i + 1u];
  }
  let step = state.step;
  let loss = s / f32(c);
  history[step % params.historyLength] = select(bitcast<u32>(loss), NAN_BITS, bad || c == 0u || !is_finite(loss));
  state.valid = c;
  state.step = step + 1u;
}
