// concat_forward: out[r] = [a[r] | b[r]], the rows of a (n, Ka) and b (n, Kb) side by side:
// (n, Ka + Kb). One thread per output element: a copy.
// Twin: concatForwardCpu (src/ops/concat.ts).

override WG: u32 = 256;

struct ConcatParams {
  n: u32,
  Ka: u32,
  Kb: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ConcatParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;             // (n, Ka)
@group(0) @binding(2) var<storage, read> b: array<f32>;             // (n, Kb)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;     // (n, Ka + Kb)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  let K = params.Ka + params.Kb;
  if (i >= params.n * K) { return; }
  let r = i / K;
  let c = i - r * K;
  if (c < params.Ka) {
    out[i] = a[r * params.Ka + c];
  } else {
    out[i] = b[r * params.Kb + c - params.Ka];
  }
}
