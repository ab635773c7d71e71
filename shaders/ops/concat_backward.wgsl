// concat_backward: da (+)= dout[:, :Ka], db (+)= dout[:, Ka:], the gradient of each side of a
// concatenation (accumulateA, accumulateB: add to a gradient written before, else overwrite it).
// One thread per element of dout.
// Twin: concatBackwardCpu (src/ops/concat.ts).

override WG: u32 = 256;

struct ConcatParams {
  n: u32,
  Ka: u32,
  Kb: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ConcatParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (n, Ka + Kb)
@group(0) @binding(2) var<storage, read_write> da: array<f32>;      // (n, Ka)
@group(0) @binding(3) var<storage, read_write> db: array<f32>;      // (n, Kb)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  let K = params.Ka + params.Kb;
  if (i >= params.n * K) { return; }
  let r = i / K;
  let c = i - r * K;
  let d = dout[i];
  if (c < params.Ka) {
    let j = r * params.Ka + c;
#if ${accumulateA}
    da[j] += d;
#else
    da[j] = d;
#endif
  } else {
    let j = r * params.Kb + c - params.Ka;
#if ${accumulateB}
    db[j] += d;
#else
    db[j] = d;
#endif
  }
}
