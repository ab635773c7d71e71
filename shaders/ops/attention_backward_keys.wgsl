// attention_backward_keys: the second half of attention_forward's backward, for one (b, h, t2):
//   dk_t2 (+)= scale · Σ_{t ≥ t2} dpre[t, t2] · q_t,   dv_t2 (+)= Σ_{t ≥ t2} att[t, t2] · dout[b, t, head h]
// from attention_backward_query's dpre; accumulate adds to dqkv, else overwrites its k and v
// parts. One thread per (b, h, t2), summing t in order: deterministic, no float atomics.
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
@group(0) @binding(4) var<storage, read> dpre: array<f32>;          // (B, nh, T, T)
@group(0) @binding(5) var<storage, read_write> dqkv: array<f32>;    // (B, T, 3C): the k and v parts

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let id = flat_id(gid, params.rowStride);
  let T = params.T;
  let C = params.C;
  if (id >= params.B * params.nh * T) { return; }
  let t2 = id % T;
  let h = (id / T) % params.nh;
  let b = id / (T * params.nh);
  let hs = C / params.nh;
  let base = (b * params.nh + h) * T * T;
  let k = (b * T + t2) * 3u * C + C + h * hs;
  for (var i = 0u; i < hs; i++) {
    var gk = 0.0;
    var gv = 0.0;
    for (var t = t2; t < T; t++) {
      let p = base + t * T + t2;
      gk += dpre[p] * qkv[(b * T + t) * 3u * C + h * hs + i];
      gv += att[p] * dout[(b * T + t) * C + h * hs + i];
    }
    gk *= params.scale;
#if ${accumulate}
    dqkv[k + i] += gk;
    dqkv[k + C + i] += gv;
#else
    dqkv[k + i] = gk;
    dqkv[k + C + i] = gv;
#endif
  }
}
