// stack_backward: dx[b] (+)= dout[b·T + t], one time step's share of the stacked gradient
// (accumulate: add to a gradient written before, else overwrite it).
// Twin: stackBackwardCpu (src/ops/stack.ts).

override WG: u32 = 256;

struct StackParams {
  n: u32,
  T: u32,
  t: u32,
  C: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: StackParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (B·T, C)
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;      // (B, C)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n * params.C) { return; }
  let b = i / params.C;
  let c = i - b * params.C;
  let d = dout[(b * params.T + params.t) * params.C + c];
#if ${accumulate}
  dx[i] += d;
#else
  dx[i] = d;
#endif
}
