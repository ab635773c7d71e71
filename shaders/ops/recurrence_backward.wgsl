// recurrence_backward: backpropagation through time of recurrence_forward, one workgroup per
// sequence b walking t = T−1 … 0, its threads over the state's columns. carry (B, H) holds
// d h_t's part from step t + 1; each step writes its pre-activation gradients to scratch
// (the weight and input gradients are products over all B·T rows afterwards: recurrence.ts),
// and at the end carry is d h_{−1}, the start state's gradient of sequence b.
//   rnn: dpre = (dout_t + carry) ⊙ (1 − h_t²);  carry = dpre·W[C:K]ᵀ
//   gru: dh = dout_t + carry;  dh̄pre = dh ⊙ z ⊙ (1 − h̄²);  dzpre = dh ⊙ (h̄ − h_{t−1}) ⊙ z(1 − z)
//        d(r ⊙ h) = dh̄pre·Wh̄[C:K]ᵀ;  drpre = d(r ⊙ h) ⊙ h_{t−1} ⊙ r(1 − r)
//        carry = dh ⊙ (1 − z) + d(r ⊙ h) ⊙ r + dzpre·Wz[C:K]ᵀ + drpre·Wr[C:K]ᵀ
// Thread j reads and writes only column j of carry, so only the reads of another thread's
// dpre need a barrier. Shapes: B sequences, T steps, C inputs, H state, K = C + H.
// Twin: recurrenceBackwardCpu (src/ops/recurrence.ts).

override WG: u32 = 64;

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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.y * nwg.x + wid.x;
  if (b >= params.B) { return; }  // the whole workgroup: the barriers below stay uniform
  let C = params.C;
  let H = params.H;
  let K = C + H;
  let carry = params.carry + b * H;
  for (var s = 0u; s < params.T; s++) {
    let t = params.T - 1u - s;
    let row = b * params.T + t;
    let xh = params.xh + row * K;
    for (var j = lid; j < H; j += WG) {
      var dh = dout[row * H + j];
      if (s > 0u) { dh += scratch[carry + j]; }
#if ${gru}
      let z = saved[params.z + row * H + j];
      let hb = saved[params.hbar + row * H + j];
      scratch[params.dhbar + row * H + j] = dh * z * (1.0 - hb * hb);
      scratch[params.dpre + row * H + j] = dh * (hb - saved[xh + C + j]) * z * (1.0 - z);
      scratch[carry + j] = dh * (1.0 - z);
#else
      let h = out[row * H + j];
      scratch[params.dpre + row * H + j] = dh * (1.0 - h * h);
#endif
    }
    storageBarrier();
#if ${gru}
    for (var k = lid; k < H; k += WG) {
      var acc = 0.0;
      let w = params.w2 + (C + k) * H;
      for (var j = 0u; j < H; j++) { acc += scratch[params.dhbar + row * H + j] * weights[w + j]; }
      let r = saved[params.r + row * H + k];
      scratch[params.dr + row * H + k] = acc * saved[xh + C + k] * r * (1.0 - r);
      scratch[carry + k] += acc * r;
    }
    storageBarrier();
    for (var k = lid; k < H; k += WG) {
      var acc = 0.0;
      let wz = params.w0 + (C + k) * H;
      let wr = params.w1 + (C + k) * H;
      for (var j = 0u; j < H; j++) { acc += scratch[params.dpre + row * H + j] * weights[wz + j]; }
      for (var j = 0u; j < H; j++) { acc += scratch[params.dr + row * H + j] * weights[wr + j]; }
      scratch[carry + k] += acc;
    }
    // No barrier: the next step's first phase writes only its own rows of dpre and dh̄ and its own column of carry.
#else
    for (var k = lid; k < H; k += WG) {
      var acc = 0.0;
      let w = params.w0 + (C + k) * H;
      for (var j = 0u; j < H; j++) { acc += scratch[params.dpre + row * H + j] * weights[w + j]; }
      scratch[carry + k] = acc;
    }
    // No barrier: the next step's first phase writes only its own row of dpre and its own column of carry.
#endif
  }
}
