// crossentropy_backward: dlogits[r, :] (+)= (softmax(logits[r, :]) − one-hot(y_r)) / valid, the
// gradient of the mean NLL over the valid targets, fused with the softmax (the probabilities
// are never stored). Rows whose target is the ignore index −1 get nothing. valid is the step's
// count of valid targets (StepState, from loss_record). accumulate adds to dlogits, else
// overwrites it (zeros for the ignored rows). One thread per row.
// Twin: crossentropyBackwardCpu (src/ops/crossentropy.ts).

override WG: u32 = 64;

struct CrossentropyParams {
  n: u32,
  first: u32,
  V: u32,
  partial: u32,
  rowStride: u32,
  P: u32,              // targets per example: 1, or T for sequences (logits row r is position r % P of example r / P)
}

@group(0) @binding(0) var<uniform> params: CrossentropyParams;
@group(0) @binding(1) var<storage, read> targets: array<i32>;       // (N, P), −1 = ignored
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;       // (n / P,) the examples
#endif
@group(0) @binding(3) var<storage, read> logits: array<f32>;        // (n, V)
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>; // (n, V)
@group(0) @binding(5) var<storage, read> state: StepState;

fn example_of(e: u32) -> u32 {
#if ${indexed}
  return indices[e];
#else
  return params.first + e;
#endif
}

// The target of logits row r: position r % P of example r / P.
fn target_of(r: u32) -> i32 {
  return targets[example_of(r / params.P) * params.P + r % params.P];
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = flat_id(gid, params.rowStride);
  if (r >= params.n) { return; }
  let y = target_of(r);
  let row = r * params.V;
  if (y < 0) {
#if ${accumulate}
#else
    for (var j = 0u; j < params.V; j++) { dlogits[row + j] = 0.0; }
#endif
    return;
  }
  var m = logits[row];
  for (var j = 1u; j < params.V; j++) { m = max(m, logits[row + j]); }
  var s = 0.0;
  for (var j = 0u; j < params.V; j++) { s += exp(logits[row + j] - m); }
  let scale = 1.0 / (s * f32(state.valid));
  let inv = 1.0 / f32(state.valid);
  for (var j = 0u; j < params.V; j++) {
    let p = exp(logits[row + j] - m) * scale;
    let d = select(p, p - inv, j == u32(y));
#if ${accumulate}
    dlogits[row + j] += d;
#else
    dlogits[row + j] = d;
#endif
  }
}
