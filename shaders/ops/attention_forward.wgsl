// attention_forward: causal multi-head self-attention, the readable version. qkv holds, for
// each position, q | k | v (C channels each); head h reads channels h·hs … (h+1)·hs − 1 of each,
// hs = C / nh. For one (b, h, t):
//   att[t2] = softmax over t2 ≤ t of (q_t · k_t2) · scale   (0 for t2 > t: causal)
//   out[b, t, head h] = Σ_t2 att[t2] · v_t2
// The probabilities are saved (B, nh, T, T) for the backward. One thread per (b, h, t), its
// sums in order.
// Twin: attentionForwardCpu (src/ops/attention.ts).

override WG: u32 = 64;

struct AttentionParams {
  B: u32,
  T: u32,
  C: u32,
  nh: u32,             // heads
  scale: f32,          // 1/√hs
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: AttentionParams;
@group(0) @binding(1) var<storage, read> qkv: array<f32>;           // (B, T, 3C)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;     // (B, T, C)
@group(0) @binding(3) var<storage, read_write> att: array<f32>;     // (B, nh, T, T)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = flat_id(gid, params.rowStride);
  let T = params.T;
  let C = params.C;
  if (id >= params.B * params.nh * T) { return; }
  let t = id % T;
  let h = (id / T) % params.nh;
  let b = id / (T * params.nh);
  let hs = C / params.nh;
  let q = (b * T + t) * 3u * C + h * hs;
  let row = ((b * params.nh + h) * T + t) * T;
  var m = -3.0e38;
  for (var t2 = 0u; t2 <= t; t2++) {
    let k = (b * T + t2) * 3u * C + C + h * hs;
    var s = 0.0;
    for (var i = 0u; i < hs; i++) { s += qkv[q + i] * qkv[k + i]; }
    s *= params.scale;
    att[row + t2] = s;
    m = max(m, s);
  }
  var sum = 0.0;
  for (var t2 = 0u; t2 <= t; t2++) {
    let e = exp(att[row + t2] - m);
    att[row + t2] = e;
    sum += e;
  }
  let inv = 1.0 / sum;
  for (var t2 = 0u; t2 < T; t2++) { att[row + t2] = select(0.0, att[row + t2] * inv, t2 <= t); }
  let o = (b * T + t) * C + h * hs;
  for (var i = 0u; i < hs; i++) {
    var s = 0.0;
    for (var t2 = 0u; t2 <= t; t2++) { s += att[row + t2] * qkv[(b * T + t2) * 3u * C + 2u * C + h * hs + i]; }
    out[o + i] = s;
  }
}
