// position_backward: dwpe[t, c] += Σ_b dout[b·T + t, c], the position embedding's gradient.
// One thread per (t, c), summing the sequences in order: deterministic, no float atomics.
// Twin: positionBackwardCpu (src/ops/position.ts).

override WG: u32 = 64;

struct PositionParams {
  n: u32,
  T: u32,
  C: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: PositionParams;
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (n, C)
@group(0) @binding(2) var<storage, read_write> dwpe: array<f32>;    // (T, C), accumulated

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.T * params.C) { return; }
  let t = i / params.C;
  let c = i - t * params.C;
  var s = 0.0;
  for (var r = t; r < params.n; r += params.T) { s += dout[r * params.C + c]; }
  dwpe[i] += s;
}
