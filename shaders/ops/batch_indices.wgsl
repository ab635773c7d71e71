// batch_indices: the minibatch of the current step, drawn on the GPU. indices[b] is the example
// of slot b: the u32 at the 64-bit position step·B + b of the seed's batch stream, mapped into
// [0, total) by multiply-shift (as batch_sort does for the bigram). One thread per slot.
// Twin: batchIndicesCpu (src/train/cpuTrainer.ts).

override WG: u32 = 64;
const STREAM_BATCH: u32 = 2u;

struct BatchParams {
  n: u32,              // B
  total: u32,          // examples the minibatches are drawn from
  seedLo: u32,
  seedHi: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: BatchParams;
@group(0) @binding(1) var<storage, read_write> indices: array<u32>; // (B,)
@group(0) @binding(2) var<storage, read> state: StepState;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = flat_id(gid, params.rowStride);
  if (b >= params.n) { return; }
  let base = mulhilo(state.step, params.n);   // (high, low) words of step · B
  let lo = base.y + b;
  let hi = base.x + select(0u, 1u, lo < base.y);
  let key = vec2<u32>(params.seedLo, params.seedHi);
  indices[b] = random_index(random_u32(key, STREAM_BATCH, hi, lo), params.total);
}
