// loss_finalize: one workgroup adds the NLL partials in a fixed order and the L2 term of W:
// loss = Σ partials / n + reg·mean(W²), written to the loss history at the current step.
// Twin: lossFinalizeCpu (src/models/bigramOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;           // (P,)
@group(0) @binding(2) var<storage, read> W: array<f32>;                  // (V, V)
@group(0) @binding(3) var<storage, read_write> history: array<u32>;      // (historyLength,) f32 bits
@group(0) @binding(4) var<storage, read> state: State;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
  var nll = 0.0;
  for (var i = t; i < arrayLength(&partials); i += WG) { nll += partials[i]; }
  var sq = 0.0;
  var bad = 0u;
  for (var i = t; i < V * V; i += WG) {
    sq += W[i] * W[i];
    bad |= not_finite(W[i]);
  }
  let loss = workgroup_loss(t, nll, sq, bad, params.n, params.reg);
  if (t == 0u) { history[state.step % params.historyLength] = loss.x; }
}
