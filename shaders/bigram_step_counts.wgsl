// bigram_step_counts: a different algorithm, the lecture's punchline in code. Every example
// with input x has the same softmax row, so the full-batch loss and gradient collapse onto the
// count table: dW[x] = (n_x·softmax(W[x]) − counts[x]) / N + 2·reg/V²·W[x], with n_x the
// examples with input x. O(V²) work per step whatever N is: V exponentials per ROW, not per
// example. A cross-check of the per-example kernels, never a stand-in for their timings.
// One workgroup does the whole step: loss into the history ring, update, step counter.
// Twin: bigramCountsLossAndGrad (src/models/bigramOps.ts).

override WG: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> counts: array<u32>;             // (V, V)
@group(0) @binding(2) var<storage, read_write> W: array<f32>;            // (V, V)
@group(0) @binding(3) var<storage, read_write> history: array<u32>;      // (historyLength,) f32 bits
@group(0) @binding(4) var<storage, read_write> state: State;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
  // Each thread owns rows t, t + WG, …: it reads and writes only those.
  var nll = 0.0;
  var sq = 0.0;
  var bad = 0u;
  for (var x = t; x < V; x += WG) {
    let row = x * V;
    var m = W[row];
    for (var j = 1u; j < V; j++) { m = max(m, W[row + j]); }
    var s = 0.0;
    var n = 0u;
    var dot = 0.0;   // Σ_j counts[x, j] · (W[x, j] − m)
    for (var j = 0u; j < V; j++) {
      s += exp(W[row + j] - m);
      n += counts[row + j];
      dot += f32(counts[row + j]) * (W[row + j] - m);
      sq += W[row + j] * W[row + j];
      bad |= not_finite(W[row + j]);
    }
    nll += f32(n) * log(s) - dot;
  }
  let loss = workgroup_loss(t, nll, sq, bad, params.n, params.reg);
  let step = state.step;
  if (t == 0u) { history[step % params.historyLength] = loss.x; }
  let invN = 1.0 / f32(params.n);
  let regScale = 2.0 * params.reg / f32(V * V);
  for (var x = t; x < V; x += WG) {
    let row = x * V;
    var m = W[row];
    for (var j = 1u; j < V; j++) { m = max(m, W[row + j]); }
    var s = 0.0;
    var n = 0u;
    for (var j = 0u; j < V; j++) {
      s += exp(W[row + j] - m);
      n += counts[row + j];
    }
    let scale = f32(n) / s;
    // Each weight is read before it is written, by the thread that owns its row.
    for (var j = 0u; j < V; j++) {
      let g = (scale * exp(W[row + j] - m) - f32(counts[row + j])) * invN + regScale * W[row + j];
      W[row + j] -= params.lr * g;
    }
  }
  storageBarrier();
  workgroupBarrier();
  if (t == 0u) { state.step = step + 1u; }
}
