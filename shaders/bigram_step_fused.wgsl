// bigram_step_fused: the forward and backward of a chunk of examples in one kernel, without
// writing any N×V array. One workgroup per chunk (examples with one x, see bigram_common);
// each thread takes every WG-th example of the chunk: gather row x of W, stable softmax, NLL,
// and adds softmax − one-hot(y) into its own accumulator row. The workgroup then sums the
// threads' rows in a fixed order into the chunk's partial row, and its NLL into one number.
// bigram_update_fused turns the partials into the loss and the update. Deterministic.
// Twin: bigramNetLossAndGrad (src/models/bigramNet.ts), and the unfused kernels.

override WG: u32 = 64;
// Columns reduced per round through workgroup memory (WG · COLS floats).
const COLS: u32 = ${cols}u;

// Binding 0 (Params) is not needed here: a chunk carries its own bounds.
@group(0) @binding(1) var<storage, read> chunks: array<u32>;             // chunk table
@group(0) @binding(2) var<storage, read> pairs: array<u32>;              // (N,) sorted by x
@group(0) @binding(3) var<storage, read> W: array<f32>;                  // (V, V)
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;     // (maxChunks, V) Σ softmax − one-hot
@group(0) @binding(5) var<storage, read_write> nllPartials: array<f32>;  // (maxChunks,) Σ −log p[y]

var<workgroup> row: array<f32, V>;                 // W[x, :], shared by the chunk
var<workgroup> scratch: array<f32, WG * COLS>;     // (WG, COLS) rows of accumulators

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let c = wid.y * nwg.x + wid.x;
  // Uniform control flow: every thread of a workgroup takes the same branch.
  if (c >= chunks[0]) { return; }
  let first = chunks[CHUNK_RECORDS + 2u * c];
  let end = chunks[CHUNK_RECORDS + 2u * c + 1u];
  let x = example_x(pairs[first]);
  for (var j = t; j < V; j += WG) { row[j] = W[x * V + j]; }
  workgroupBarrier();

  var acc: array<f32, V>;   // Σ over this thread's examples of softmax − one-hot(y)
  var e: array<f32, V>;     // exp(logit − max) of the current example
  var nll = 0.0;
  for (var n = first + t; n < end; n += WG) {
    let y = example_y(pairs[n]);
    var m = row[0];
    for (var j = 1u; j < V; j++) { m = max(m, row[j]); }
    var s = 0.0;
    for (var j = 0u; j < V; j++) {
      e[j] = exp(row[j] - m);
      s += e[j];
    }
    let inv = 1.0 / s;
    for (var j = 0u; j < V; j++) { acc[j] += e[j] * inv; }
    acc[y] -= 1.0;
    nll += log(s) - (row[y] - m);
  }

  // Sum the threads' accumulator rows, COLS columns at a time, each column in thread order.
  for (var j0 = 0u; j0 < V; j0 += COLS) {
    for (var k = 0u; k < COLS; k++) {
      if (j0 + k < V) { scratch[t * COLS + k] = acc[j0 + k]; }
    }
    workgroupBarrier();
    for (var k = t; k < COLS; k += WG) {
      if (j0 + k < V) {
        var s = 0.0;
        for (var u = 0u; u < WG; u++) { s += scratch[u * COLS + k]; }
        partials[c * V + j0 + k] = s;
      }
    }
    workgroupBarrier();
  }
  scratch[t] = nll;
  workgroupBarrier();
  if (t == 0u) {
    var s = 0.0;
    for (var u = 0u; u < WG; u++) { s += scratch[u]; }
    nllPartials[c] = s;
  }
}
