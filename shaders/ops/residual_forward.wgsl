// residual_forward: out = a + b elementwise (a residual connection).
// Twin: residualForwardCpu (src/ops/residual.ts).

// E: one element, or four consecutive ones when the count is a multiple of 4 (vec4: on
// SwiftShader a vec4 access costs what one f32 access does; params.count counts E's).
#if ${vec4}
alias E = vec4<f32>;
#else
alias E = f32;
#endif

override WG: u32 = 256;

struct ElementwiseParams {
  count: u32,
  rowStride: u32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> a: array<E>;               // (count,)
@group(0) @binding(2) var<storage, read> b: array<E>;               // (count,)
@group(0) @binding(3) var<storage, read_write> out: array<E>;       // (count,)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  out[i] = a[i] + b[i];
}
