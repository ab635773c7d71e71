// stack_forward: out[b·T + t] = x[b], one time step's (B, C) rows put in place among the
// (B·T, C) rows of a batch of sequences (torch.stack(hiddens, 1)); one dispatch per step, each
// writing its own rows. One thread per element of x: a copy.
// Twin: stackForwardCpu (src/ops/stack.ts).

override WG: u32 = 256;

struct StackParams {
  n: u32,              // B: rows of x
  T: u32,              // positions per sequence
  t: u32,              // this step's position
  C: u32,              // channels
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: StackParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;             // (B, C)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;     // (B·T, C)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.n * params.C) { return; }
  let b = i / params.C;
  let c = i - b * params.C;
  out[(b * params.T + params.t) * params.C + c] = x[i];
}
