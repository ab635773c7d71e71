// position_forward: x[b·T + t, c] += wpe[t, c], the position embedding added to each row of a
// batch of sequences (rows b·T + t, for T positions), in place. One thread per element.
// Twin: positionForwardCpu (src/ops/position.ts).

override WG: u32 = 256;

struct PositionParams {
  n: u32,              // rows (B·T)
  T: u32,              // positions per sequence
  C: u32,              // channels
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: PositionParams;
@group(0) @binding(1) var<storage, read> wpe: array<f32>;           // (T, C)
@group(0) @binding(2) var<storage, read_write> x: array<f32>;       // (n, C)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n * params.C) { return; }
  let r = i / params.C;
  let c = i - r * params.C;
  x[i] += wpe[(r % params.T) * params.C + c];
}
