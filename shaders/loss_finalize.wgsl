// loss_finalize: one workgroup adds the NLL partials in a fixed order and the L2 term of W:
// loss = Σ partials / n + reg·mean(W²), written to the loss history at the current step.
// Twin: lossFinalizeCpu (src/models/bigramOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;           // (P,)
@group(0) @binding(2) var<storage, read> W: array<f32>;                  // (V, V)
@group(0) @binding(3) var<storage, read_write> history: array<f32>;      // (historyLength,)
@group(0) @binding(4) var<storage, read> state: State;

var<workgroup> nllScratch: array<f32, WG>;
var<workgroup> sqScratch: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
  var nll = 0.0;
  for (var i = t; i < arrayLength(&partials); i += WG) { nll += partials[i]; }
  var sq = 0.0;
  for (var i = t; i < V * V; i += WG) { sq += W[i] * W[i]; }
  nllScratch[t] = nll;
  sqScratch[t] = sq;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) {
      nllScratch[t] += nllScratch[t + stride];
      sqScratch[t] += sqScratch[t + stride];
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    history[state.step % params.historyLength] =
      nllScratch[0] / f32(params.n) + params.reg * sqScratch[0] / f32(V * V);
  }
}
