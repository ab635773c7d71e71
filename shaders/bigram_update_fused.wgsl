// bigram_update_fused: one workgroup finishes a step. It adds the chunks' NLL partials and
// the L2 term into the loss (written to the history ring at the current step), then, unless
// only evaluating, updates W ← W − lr·(Σ row partials / n + 2·reg/V²·W) and advances the
// step counter. Single workgroup: the loss reads W before any thread writes it.
// Twin: bigramNetLossAndGrad + sgdUpdateCpu (src/models/bigramNet.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> chunks: array<u32>;             // chunk table
@group(0) @binding(2) var<storage, read> partials: array<f32>;           // (maxChunks, V)
@group(0) @binding(3) var<storage, read> nllPartials: array<f32>;        // (maxChunks,)
@group(0) @binding(4) var<storage, read_write> W: array<f32>;            // (V, V)
@group(0) @binding(5) var<storage, read_write> history: array<u32>;      // (historyLength,) f32 bits
@group(0) @binding(6) var<storage, read_write> state: State;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
  let numChunks = chunks[0];
  var nll = 0.0;
  for (var c = t; c < numChunks; c += WG) { nll += nllPartials[c]; }
  var sq = 0.0;
  var bad = 0u;
  for (var i = t; i < V * V; i += WG) {
    sq += W[i] * W[i];
    bad |= not_finite(W[i]);
  }
  let loss = workgroup_loss(t, nll, sq, bad, params.n, params.reg);
  let step = state.step;
  if (t == 0u) {
#if ${update}
    history[step % params.historyLength] = loss.x;
#else
    history[0] = loss.x;   // evaluation: history is a 2-float output (loss, nll)
    history[1] = loss.y;
#endif
  }
#if ${update}
  let invN = 1.0 / f32(params.n);
  let regScale = 2.0 * params.reg / f32(V * V);
  for (var i = t; i < V * V; i += WG) {
    let x = i / V;
    let j = i - x * V;
    var g = 0.0;
    for (var c = chunks[1u + x]; c < chunks[2u + x]; c++) { g += partials[c * V + j]; }
    W[i] -= params.lr * (g * invN + regScale * W[i]);
  }
  // Every thread has read state.step above; only then may it advance.
  storageBarrier();
  workgroupBarrier();
  if (t == 0u) { state.step = step + 1u; }
#endif
}
