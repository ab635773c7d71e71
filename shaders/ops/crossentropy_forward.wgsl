// crossentropy_forward: the NLL of each row, −log softmax(logits)[y] = log Σ_v exp(l_v − m) −
// (l_y − m) with m the row's max (stable: no probability underflows to 0), for the rows whose
// target y is not the ignore index −1. Thread g sums rows g·ROWS … g·ROWS + ROWS − 1 in order
// and writes partial pair g (Σ NLL, count of valid rows): deterministic, no float atomics,
// and no workgroup memory (on SwiftShader that costs a barrier per workgroup). A row with a
// non-finite logit or loss makes its partial sum NaN (NAN_BITS). y is the target of the row's
// example (indexed rows: indices[r]; contiguous rows: first + r). Training closes the pairs with
// loss_record; evaluation reads them back.
// Twin: crossentropyForwardCpu (src/ops/crossentropy.ts).

override WG: u32 = 4;
override ROWS: u32 = 8;   // rows per thread, and per partial pair

struct CrossentropyParams {
  n: u32,              // rows
  first: u32,          // contiguous rows: the example of row 0
  V: u32,              // classes
  partial: u32,        // index of this dispatch's first partial pair
  rowStride: u32,
  P: u32,              // targets per example: 1, or T for sequences (logits row r is position r % P of example r / P)
}

@group(0) @binding(0) var<uniform> params: CrossentropyParams;
@group(0) @binding(1) var<storage, read> targets: array<i32>;       // (N, P), −1 = ignored
#if ${indexed}
@group(0) @binding(2) var<storage, read> indices: array<u32>;       // (n / P,) the examples
#endif
@group(0) @binding(3) var<storage, read> logits: array<f32>;        // (n, V)
@group(0) @binding(4) var<storage, read_write> partials: array<u32>; // (2·(partial + ⌈n / ROWS⌉),) (f32 bits of Σ, count)

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
  let g = flat_id(gid, params.rowStride);
  let r0 = g * ROWS;
  if (r0 >= params.n) { return; }
  var sum = 0.0;
  var c = 0u;
  var bad = false;
  for (var r = r0; r < min(r0 + ROWS, params.n); r++) {
    let y = target_of(r);
    if (y < 0) { continue; }
    let row = r * params.V;
    var m = logits[row];
    var finite = is_finite(m);
    for (var j = 1u; j < params.V; j++) {
      let l = logits[row + j];
      m = max(m, l);
      finite = finite && is_finite(l);
    }
    var s = 0.0;
    for (var j = 0u; j < params.V; j++) { s += exp(logits[row + j] - m); }
    let v = log(s) - (logits[row + u32(y)] - m);
    c += 1u;
    if (!finite || !is_finite(v)) {
      bad = true;
    } else {
      sum += v;
    }
  }
  let p = 2u * (params.partial + g);
  partials[p] = select(bitcast<u32>(sum), NAN_BITS, bad);
  partials[p + 1u] = c;
}
