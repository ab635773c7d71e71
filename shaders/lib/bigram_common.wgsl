// Shared by the bigram kernels. Shapes: N examples, B batch, V vocabulary, C chunk.
// An example is packed into one u32: x | y << 16 (V ≤ 1024).
// A chunk is a run of examples with the same x (the data is sorted by x), so the gradient of
// a chunk touches one row of W: chunks[0] = number of chunks, chunks[1 + x] (x ≤ V) = first
// chunk of row x, chunks[CHUNK_RECORDS + 2c .. +1] = (first, end) example of chunk c.

const V: u32 = ${V}u;
const CHUNK_RECORDS: u32 = V + 2u;

struct Params {
  n: u32,              // examples per step: N (full batch) or B
  total: u32,          // examples in the dataset
  chunkSize: u32,      // C: most examples in one chunk
  historyLength: u32,  // length of the loss history ring
  lr: f32,
  reg: f32,
  seedLo: u32,
  seedHi: u32,
  rowStride: u32,      // threads per row of a grid folded into 2-D (65,535 workgroups per dimension)
  maxChunks: u32,
}

fn example_x(e: u32) -> u32 { return e & 0xffffu; }
fn example_y(e: u32) -> u32 { return e >> 16u; }

fn flat_id(gid: vec3<u32>, rowStride: u32) -> u32 {
  return gid.y * rowStride + gid.x;
}

// The step counter lives on the GPU: many steps are recorded in one submit.
struct State {
  step: u32,
}

// WGSL lets implementations assume that no float is NaN or infinite (SwiftShader can turn a
// NaN into a finite number), so a diverging run is detected by testing the bits of W and of
// the loss, and reported by writing NaN's bits into the loss history.
const NAN_BITS: u32 = 0x7fc00000u;

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// The loss as history bits: NaN unless the loss and every weight seen were finite.
fn loss_bits(loss: f32, finite: bool) -> u32 {
  return select(NAN_BITS, bitcast<u32>(loss), finite && is_finite(loss));
}

// A step's loss from its parts, added over one workgroup by a fixed tree (deterministic):
// each thread brings its share of Σ −log p (nll), of Σ W² (sq) and whether it met a
// non-finite weight (bad); every thread gets the loss, as history bits (see loss_bits).
// For the single-workgroup kernels that record the loss; WG is theirs (a power of two).
var<workgroup> lossScratch: array<vec2<f32>, WG>;
var<workgroup> badScratch: array<u32, WG>;

fn workgroup_loss(t: u32, nll: f32, sq: f32, bad: u32, n: u32, reg: f32) -> vec2<u32> {
  lossScratch[t] = vec2<f32>(nll, sq);
  badScratch[t] = bad;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) {
      lossScratch[t] += lossScratch[t + stride];
      badScratch[t] |= badScratch[t + stride];
    }
    workgroupBarrier();
  }
  let meanNll = lossScratch[0].x / f32(n);
  let finite = badScratch[0] == 0u;
  // (loss, nll) as bits
  return vec2<u32>(loss_bits(meanNll + reg * lossScratch[0].y / f32(V * V), finite), loss_bits(meanNll, finite));
}

fn not_finite(x: f32) -> u32 {
  return select(1u, 0u, is_finite(x));
}
