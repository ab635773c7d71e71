// recurrence_forward: makemore's rnn or gru cell (gru) walked over the T steps of a sequence
// (after the products p = x·W[0:C] + b, the input's part of every step: only h_{t−1}'s is summed here),
// one workgroup per four sequences, its threads over groups of four of the state's columns; each step's
// [x_t, h_{t−1}] goes to `saved` (the backward's products read it there), and the state h_t
// to out, row b·T + t, from where step t + 1 reads it. A barrier between the phases of a step
// makes each thread's writes visible to the others (storage: the workgroup needs no memory of its own).
// Shapes: B sequences, T steps, C inputs, H state, K = C + H.
//   rnn: h_t = tanh([x_t, h_{t−1}]·W + b)
//   gru: z, r = σ([x_t, h_{t−1}]·[Wz | Wr] + [bz | br])      one pass over the 2H gate columns
//        h̄ = tanh([x_t, r ⊙ h_{t−1}]·Wh̄ + bh̄),  h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̄
// Twin: recurrenceForwardCpu (src/ops/recurrence.ts).

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
  dpre: u32,           // offsets in the backward's scratch
  dr: u32,
  dhbar: u32,
  carry: u32,
}

@group(0) @binding(0) var<uniform> params: RecurrenceParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (B·T, C)
@group(0) @binding(2) var<storage, read> start: array<f32>;         // (H,)
@group(0) @binding(3) var<storage, read> weights: array<f32>;       // the cell's W (K, H) and b (H) of each gate
@group(0) @binding(4) var<storage, read_write> out: array<f32>;     // (B·T, H)
@group(0) @binding(5) var<storage, read_write> saved: array<f32>;   // recurrenceBlocks

fn sigmoid(v: f32) -> f32 {
  let e = exp(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}

// Four sequences' sums, four columns each.
struct Rows4 {
  r0: vec4<f32>,
  r1: vec4<f32>,
  r2: vec4<f32>,
  r3: vec4<f32>,
}

fn pick(o: Rows4, r: u32) -> vec4<f32> {
  return select(select(select(o.r3, o.r2, r == 2u), o.r1, r == 1u), o.r0, r == 0u);
}

// Σ_k saved[a_r + k]·weights[w + k·H + c_i] for four sequences' vectors a_r and four columns c
// of a (K, H) matrix: each load of W feeds four products, each load of a vector four more
// (SwiftShader gathers every load lane by lane).
fn product4x4(a: vec4<u32>, w: u32, K: u32, H: u32, c: vec4<u32>) -> Rows4 {
  var o = Rows4(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  var row = w;
  for (var k = 0u; k < K; k++) {
    let v = vec4<f32>(weights[row + c.x], weights[row + c.y], weights[row + c.z], weights[row + c.w]);
    o.r0 += saved[a.x + k] * v;
    o.r1 += saved[a.y + k] * v;
    o.r2 += saved[a.z + k] * v;
    o.r3 += saved[a.w + k] * v;
    row += H;
  }
  return o;
}

// Columns 4g … 4g + 3, the ones past H clamped to H − 1 (computed, never written).
fn columns(g: u32, H: u32) -> vec4<u32> {
  return min(vec4<u32>(4u * g) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(H - 1u));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b0 = 4u * (wid.y * nwg.x + wid.x);  // sequences b0 … b0 + 3
  if (b0 >= params.B) { return; }  // the whole workgroup: the barriers below stay uniform
  let nb = min(4u, params.B - b0);
  let C = params.C;
  let H = params.H;
  let K = C + H;
  let G = (H + 3u) / 4u;  // groups of four columns: a thread owns groups lid, lid + WG, …
  // Rows past the batch read the last sequence's (computed, never written).
  let seqs = min(vec4<u32>(b0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(params.B - 1u));
  for (var t = 0u; t < params.T; t++) {
    let rows = seqs * params.T + vec4<u32>(t);
    for (var q = lid; q < nb * K; q += WG) {
      let r = q / K;
      let k = q - r * K;
      let row = (b0 + r) * params.T + t;
      var v: f32;
      if (k < C) {
        v = x[row * C + k];
      } else if (t == 0u) {
        v = start[k - C];
      } else {
        v = out[(row - 1u) * H + k - C];
      }
      saved[params.xh + row * K + k] = v;
#if ${gru}
      if (k < C) { saved[params.xhr + row * K + k] = v; }
#endif
    }
    storageBarrier();
    let xh = vec4<u32>(params.xh + C) + rows * K;  // each sequence's h_{t−1} in [x_t, h_{t−1}]
#if ${gru}
    let xhr = vec4<u32>(params.xhr + C) + rows * K;
    // z (groups 0 … G − 1) and r (G … 2G − 1): one product of h_{t−1} with [Wz | Wr][C:K].
    for (var q = lid; q < 2u * G; q += WG) {
      let isR = q >= G;
      let g = select(q, q - G, isR);
      let o = product4x4(xh, select(params.w0, params.w1, isR) + C * H, H, H, columns(g, H));
      let p = select(params.p0, params.p1, isR);
      for (var r = 0u; r < nb; r++) {
        let acc = pick(o, r);
        let row = (b0 + r) * params.T + t;
        for (var i = 0u; i < 4u; i++) {
          let j = 4u * g + i;
          if (j >= H) { break; }
          let gate = sigmoid(saved[p + row * H + j] + acc[i]);
          if (isR) {
            saved[params.r + row * H + j] = gate;
            saved[params.xhr + row * K + C + j] = gate * saved[params.xh + row * K + C + j];
          } else {
            saved[params.z + row * H + j] = gate;
          }
        }
      }
    }
    storageBarrier();
    for (var g = lid; g < G; g += WG) {
      let o = product4x4(xhr, params.w2 + C * H, H, H, columns(g, H));
      for (var r = 0u; r < nb; r++) {
        let acc = pick(o, r);
        let row = (b0 + r) * params.T + t;
        for (var i = 0u; i < 4u; i++) {
          let j = 4u * g + i;
          if (j >= H) { break; }
          let hb = tanh(clamp(saved[params.p2 + row * H + j] + acc[i], -15.0, 15.0));
          saved[params.hbar + row * H + j] = hb;
          let z = saved[params.z + row * H + j];
          out[row * H + j] = (1.0 - z) * saved[params.xh + row * K + C + j] + z * hb;
        }
      }
    }
#else
    for (var g = lid; g < G; g += WG) {
      let o = product4x4(xh, params.w0 + C * H, H, H, columns(g, H));
      for (var r = 0u; r < nb; r++) {
        let acc = pick(o, r);
        let row = (b0 + r) * params.T + t;
        for (var i = 0u; i < 4u; i++) {
          let j = 4u * g + i;
          if (j >= H) { break; }
          out[row * H + j] = tanh(clamp(saved[params.p0 + row * H + j] + acc[i], -15.0, 15.0));
        }
      }
    }
#endif
    // Step t + 1 reads every column of h_t.
    storageBarrier();
  }
}
