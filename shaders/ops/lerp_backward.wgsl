// lerp_backward: da (+)= dout ⊙ (1 − z), db (+)= dout ⊙ z, dz (+)= dout ⊙ (b − a)
// (accumulateA, accumulateB, accumulateZ: add to a gradient written before, else overwrite it).
// Twin: lerpBackwardCpu (src/ops/lerp.ts).

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (count,)
@group(0) @binding(2) var<storage, read> a: array<f32>;             // (count,)
@group(0) @binding(3) var<storage, read> b: array<f32>;             // (count,)
@group(0) @binding(4) var<storage, read> z: array<f32>;             // (count,)
@group(0) @binding(5) var<storage, read_write> da: array<f32>;      // (count,)
@group(0) @binding(6) var<storage, read_write> db: array<f32>;      // (count,)
@group(0) @binding(7) var<storage, read_write> dz: array<f32>;      // (count,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let d = dout[i];
  let w = z[i];
  let ga = d * (1.0 - w);
  let gb = d * w;
  let gz = d * (b[i] - a[i]);
#if ${accumulateA}
  da[i] += ga;
#else
  da[i] = ga;
#endif
#if ${accumulateB}
  db[i] += gb;
#else
  db[i] = gb;
#endif
#if ${accumulateZ}
  dz[i] += gz;
#else
  dz[i] = gz;
#endif
}
