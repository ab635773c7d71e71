// attention_backward_query: the first half of attention_forward's backward, for one (b, h, t):
//   datt[t2] = dout[b, t, head h] · v_t2,   dpre[t2] = att[t2] · (datt[t2] − Σ_j att[j]·datt[j])
//   dq_t (+)= scale · Σ_t2 dpre[t2] · k_t2
// dpre (the gradient of the pre-softmax scores, B·nh·T·T) is kept for attention_backward_keys;
// accumulate adds to dqkv, else overwrites its q part. One thread per (b, h, t).
// Twin: attentionBackwardCpu (src/ops/attention.ts).

override WG: u32 = 64;

struct AttentionParams {
  B: u32,
  T: u32,
  C: u32,
  nh: u32,
  scale: f32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: AttentionParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (B, T, C)
@group(0) @binding(2) var<storage, read> qkv: array<f32>;           // (B, T, 3C)
@group(0) @binding(3) var<storage, read> att: array<f32>;           // (B, nh, T, T)
@group(0) @binding(4) var<storage, read_write> dpre: array<f32>;    // (B, nh, T, T)
@group(0) @binding(5) var<storage, read_write> dqkv: array<f32>;    // (B, T, 3C): the q part

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
  let row = ((b * params.nh + h) * T + t) * T;
  let o = (b * T + t) * C + h * hs;
  var s = 0.0;
  for (var t2 = 0u; t2 <= t; t2++) {
    let v = (b * T + t2) * 3u * C + 2u * C + h * hs;
    var d = 0.0;
    for (var i = 0u; i < hs; i++) { d += dout[o + i] * qkv[v + i]; }
    dpre[row + t2] = d;
    s += att[row + t2] * d;
  }
  for (var t2 = 0u; t2 < T; t2++) { dpre[row + t2] = select(0.0, att[row + t2] * (dpre[row + t2] - s), t2 <= t); }
  let q = (b * T + t) * 3u * C + h * hs;
  for (var i = 0u; i < hs; i++) {
    var g = 0.0;
    for (var t2 = 0u; t2 <= t; t2++) { g += dpre[row + t2] * qkv[(b * T + t2) * 3u * C + C + h * hs + i]; }
    g *= params.scale;
#if ${accumulate}
    dqkv[q + i] += g;
#else
    dqkv[q + i] = g;
#endif
  }
}
