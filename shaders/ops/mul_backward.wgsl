// mul_backward: da (+)= dout ⊙ b and db (+)= dout ⊙ a (accumulateA, accumulateB: add to a
// gradient written before, else overwrite it).
// Twin: mulBackwardCpu (src/ops/mul.ts).

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (count,)
@group(0) @binding(2) var<storage, read> a: array<f32>;             // (count,)
@group(0) @binding(3) var<storage, read> b: array<f32>;             // (count,)
@group(0) @binding(4) var<storage, read_write> da: array<f32>;      // (count,)
@group(0) @binding(5) var<storage, read_write> db: array<f32>;      // (count,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let d = dout[i];
#if ${accumulateA}
  da[i] += d * b[i];
#else
  da[i] = d * b[i];
#endif
#if ${accumulateB}
  db[i] += d * a[i];
#else
  db[i] = d * a[i];
#endif
}
