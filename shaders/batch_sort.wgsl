// batch_sort: draws the minibatch of the current step on the GPU and lays it out for the
// chunked kernels. One workgroup:
//  1. indices[b] = the example drawn for slot b, from the shared counter-based generator:
//     identical to batchIndicesCpu (src/train/cpuTrainer.ts);
//  2. counts the batch's examples per input x, and writes the chunk table (bigram_common);
//  3. places the examples sorted by x, stable (ties keep slot order), into batchPairs.
// Twins: batchIndicesCpu, sortBatchCpu (src/models/bigramOps.ts).

override WG: u32 = 256;
const STREAM_BATCH: u32 = 2u;
const NO_KEY: u32 = 0xffffffffu;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<u32>;              // (N,) the whole dataset
@group(0) @binding(2) var<storage, read_write> indices: array<u32>;      // (B,) drawn examples, slot order
@group(0) @binding(3) var<storage, read_write> batchPairs: array<u32>;   // (B,) the batch sorted by x
@group(0) @binding(4) var<storage, read_write> chunks: array<u32>;       // chunk table of the batch
@group(0) @binding(5) var<storage, read> state: State;

var<workgroup> histogram: array<atomic<u32>, V>;
var<workgroup> cursor: array<u32, V>;   // next free place of each x in batchPairs
var<workgroup> keys: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
  let B = params.n;
  let key = vec2<u32>(params.seedLo, params.seedHi);
  let base = mulhilo(state.step, B);   // 64-bit position of slot 0: step · B
  for (var x = t; x < V; x += WG) { atomicStore(&histogram[x], 0u); }
  workgroupBarrier();

  for (var b = t; b < B; b += WG) {
    let lo = base.y + b;
    let hi = base.x + select(0u, 1u, lo < base.y);
    let idx = random_index(random_u32(key, STREAM_BATCH, hi, lo), params.total);
    indices[b] = idx;
    atomicAdd(&histogram[example_x(pairs[idx])], 1u);
  }
  workgroupBarrier();

  if (t == 0u) {
    var start = 0u;
    var c = 0u;
    for (var x = 0u; x < V; x++) {
      let count = atomicLoad(&histogram[x]);
      cursor[x] = start;
      chunks[1u + x] = c;
      let end = start + count;
      for (var s = start; s < end; s += params.chunkSize) {
        chunks[CHUNK_RECORDS + 2u * c] = s;
        chunks[CHUNK_RECORDS + 2u * c + 1u] = min(s + params.chunkSize, end);
        c++;
      }
      start = end;
    }
    chunks[1u + V] = c;
    chunks[0] = c;
  }
  workgroupBarrier();

  // Stable placement, WG slots per round: a slot's rank among equal keys of its round is the
  // number of equal keys before it; the last of each key then advances that key's cursor.
  for (var r = 0u; r < B; r += WG) {
    let b = r + t;
    var x = NO_KEY;
    var e = 0u;
    if (b < B) {
      e = pairs[indices[b]];
      x = example_x(e);
    }
    keys[t] = x;
    workgroupBarrier();
    var rank = 0u;
    var last = true;
    if (b < B) {
      for (var u = 0u; u < WG; u++) {
        if (keys[u] == x) {
          if (u < t) { rank++; } else if (u > t) { last = false; }
        }
      }
      batchPairs[cursor[x] + rank] = e;
    }
    workgroupBarrier();
    if (b < B && last) { cursor[x] += rank + 1u; }
    workgroupBarrier();
  }
}
