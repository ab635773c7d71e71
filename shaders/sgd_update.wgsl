// sgd_update: W ← W − lr·(dW + 2·reg/V²·W), where row x of dW is the in-order sum of the
// partial rows of x's chunks. One thread per weight. The last kernel of a step: it advances
// the step counter.
// Twin: sgdUpdateFromPartialsCpu (src/models/bigramOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> chunks: array<u32>;             // chunk table
@group(0) @binding(2) var<storage, read> partials: array<f32>;           // (maxChunks, V)
@group(0) @binding(3) var<storage, read_write> W: array<f32>;            // (V, V)
@group(0) @binding(4) var<storage, read_write> state: State;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i == 0u) { state.step += 1u; }
  if (i >= V * V) { return; }
  let x = i / V;
  let j = i - x * V;
  var g = 0.0;
  for (var c = chunks[1u + x]; c < chunks[2u + x]; c++) { g += partials[c * V + j]; }
  g += 2.0 * params.reg / f32(V * V) * W[i];
  W[i] -= params.lr * g;
}
