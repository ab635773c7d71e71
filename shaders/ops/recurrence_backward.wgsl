// recurrence_backward: backpropagation through time of recurrence_forward, one workgroup per
// four sequences walking t = T−1 … 0, its threads over groups of four of the state's columns. carry (B, H) holds
// d h_t's part from step t + 1; each step writes its pre-activation gradients to scratch
// (the weight and input gradients are products over all B·T rows afterwards: recurrence.ts),
// and at the end carry is d h_{−1}, the start state's gradient of sequence b.
//   rnn: dpre = (dout_t + carry) ⊙ (1 − h_t²);  carry = dpre·W[C:K]ᵀ
//   gru: dh = dout_t + carry;  dh̄pre = dh ⊙ z ⊙ (1 − h̄²);  dzpre = dh ⊙ (h̄ − h_{t−1}) ⊙ z(1 − z)
//        d(r ⊙ h) = dh̄pre·Wh̄[C:K]ᵀ;  drpre = d(r ⊙ h) ⊙ h_{t−1} ⊙ r(1 − r)
//        carry = dh ⊙ (1 − z) + d(r ⊙ h) ⊙ r + dzpre·Wz[C:K]ᵀ + drpre·Wr[C:K]ᵀ
// A thread reads and writes only its own columns of carry, so only the reads of another
// thread's dpre need a barrier. Shapes: B sequences, T steps, C inputs, H state, K = C + H.
// Twin: recurrenceBackwardCpu (src/ops/recurrence.ts).

override WG: u32 = 4;

struct RecurrenceParams {
  B: u32,
  T: u32,
  C: u32,
  H: u32,
  w0: u32,             // offsets in weights (floats): rnn W, b; gru Wz, bz, Wr, br, Wh̄, bh̄
  b0: u32,
  w1: u32,
  b1: u32,
  w2: u32,
  b2: u32,
  xh: u32,             // offsets in saved: [x_t, h_(t−1)] (B·T, K)
  xhr: u32,            // gru: [x_t, r ⊙ h_(t−1)] (B·T, K)
  z: u32,              // gru: (B·T, H) each
  r: u32,
  hbar: u32,
  p0: u32,             // x·W[0:C] + b per gate (B·T, H): the input's part, a product before the walk
  p1: u32,
  p2: u32,
  dpre: u32,           // offsets in scratch: rnn d(pre-tanh), gru d(pre-σ) of z (B·T, H)
  dr: u32,             // gru: d(pre-σ) of r (B·T, H)
  dhbar: u32,          // gru: d(pre-tanh) of h̄ (B·T, H)
  carry: u32,          // (B, H)
}

@group(0) @binding(0) var<uniform> params: RecurrenceParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (B·T, H)
#if ${rnn}
@group(0) @binding(2) var<storage, read> out: array<f32>;           // (B·T, H) the states h_t
#endif
@group(0) @binding(3) var<storage, read> weights: array<f32>;       // as recurrence_forward
@group(0) @binding(4) var<storage, read> saved: array<f32>;         // recurrence_forward's
@group(0) @binding(5) var<storage, read_write> scratch: array<f32>; // recurrenceBlocks

// Four sequences' sums, four rows each.
struct Rows4 {
  r0: vec4<f32>,
  r1: vec4<f32>,
  r2: vec4<f32>,
  r3: vec4<f32>,
}

fn pick(o: Rows4, r: u32) -> vec4<f32> {
  return select(select(select(o.r3, o.r2, r == 2u), o.r1, r == 1u), o.r0, r == 0u);
}

// Σ_j scratch[s_r + j]·weights[w + rows_i + j] for four sequences' vectors s_r and four rows of
// a matrix of width H (rows_i: their offsets): the product with Wᵀ, each load feeding four products.
fn product4x4T(s: vec4<u32>, w: u32, H: u32, rows: vec4<u32>) -> Rows4 {
  var o = Rows4(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var j = 0u; j < H; j++) {
    let q = w + j;
    let v = vec4<f32>(weights[q + rows.x], weights[q + rows.y], weights[q + rows.z], weights[q + rows.w]);
    o.r0 += scratch[s.x + j] * v;
    o.r1 += scratch[s.y + j] * v;
    o.r2 += scratch[s.z + j] * v;
    o.r3 += scratch[s.w + j] * v;
  }
  return o;
}

// The offsets of rows C + 4g … C + 4g + 3 of a (K, H) matrix (the h_{t−1} part), the ones past
// H clamped to the last (computed, never written).
fn hrows(g: u32, C: u32, H: u32) -> vec4<u32> {
  return (vec4<u32>(C) + min(vec4<u32>(4u * g) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(H - 1u))) * H;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b0 = 4u * (wid.y * nwg.x + wid.x);  // sequences b0 … b0 + 3
  if (b0 >= params.B) { return; }  // the whole workgroup: the barriers below stay uniform
  let nb = min(4u, params.B - b0);
  let C = params.C;
  let H = params.H;
  let K = C + H;
  let G = (H + 3u) / 4u;  // groups of four columns: a thread owns groups lid, lid + WG, … in every phase
  // Rows past the batch read the last sequence's (computed, never written).
  let seqs = min(vec4<u32>(b0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(params.B - 1u));
  for (var s = 0u; s < params.T; s++) {
    let t = params.T - 1u - s;
    let rh = (seqs * params.T + vec4<u32>(t)) * H;  // each sequence's row of step t, times H
    for (var g = lid; g < G; g += WG) {
      for (var r = 0u; r < nb; r++) {
        let row = (b0 + r) * params.T + t;
        let carry = params.carry + (b0 + r) * H;
        for (var i = 0u; i < 4u; i++) {
          let j = 4u * g + i;
          if (j >= H) { break; }
          var dh = dout[row * H + j];
          if (s > 0u) { dh += scratch[carry + j]; }
#if ${gru}
          let z = saved[params.z + row * H + j];
          let hb = saved[params.hbar + row * H + j];
          scratch[params.dhbar + row * H + j] = dh * z * (1.0 - hb * hb);
          scratch[params.dpre + row * H + j] = dh * (hb - saved[params.xh + row * K + C + j]) * z * (1.0 - z);
          scratch[carry + j] = dh * (1.0 - z);
#else
          let h = out[row * H + j];
          scratch[params.dpre + row * H + j] = dh * (1.0 - h * h);
#endif
        }
      }
    }
    storageBarrier();
#if ${gru}
    for (var g = lid; g < G; g += WG) {
      let o = product4x4T(vec4<u32>(params.dhbar) + rh, params.w2, H, hrows(g, C, H));
      for (var r = 0u; r < nb; r++) {
        let acc = pick(o, r);
        let row = (b0 + r) * params.T + t;
        let carry = params.carry + (b0 + r) * H;
        for (var i = 0u; i < 4u; i++) {
          let k = 4u * g + i;
          if (k >= H) { break; }
          let rg = saved[params.r + row * H + k];
          scratch[params.dr + row * H + k] = acc[i] * saved[params.xh + row * K + C + k] * rg * (1.0 - rg);
          scratch[carry + k] += acc[i] * rg;
        }
      }
    }
    storageBarrier();
    for (var g = lid; g < G; g += WG) {
      let rows = hrows(g, C, H);
      let oz = product4x4T(vec4<u32>(params.dpre) + rh, params.w0, H, rows);
      let o2 = product4x4T(vec4<u32>(params.dr) + rh, params.w1, H, rows);
      for (var r = 0u; r < nb; r++) {
        let acc = pick(oz, r) + pick(o2, r);
        let carry = params.carry + (b0 + r) * H;
        for (var i = 0u; i < 4u; i++) {
          let k = 4u * g + i;
          if (k >= H) { break; }
          scratch[carry + k] += acc[i];
        }
      }
    }
    // No barrier: the next step's first phase writes only its own rows of dpre and dh̄ and its own columns of carry.
#else
    for (var g = lid; g < G; g += WG) {
      let o = product4x4T(vec4<u32>(params.dpre) + rh, params.w0, H, hrows(g, C, H));
      for (var r = 0u; r < nb; r++) {
        let acc = pick(o, r);
        let carry = params.carry + (b0 + r) * H;
        for (var i = 0u; i < 4u; i++) {
          let k = 4u * g + i;
          if (k >= H) { break; }
          scratch[carry + k] = acc[i];
        }
      }
    }
    // No barrier: the next step's first phase writes only its own row of dpre and its own columns of carry.
#endif
  }
}
