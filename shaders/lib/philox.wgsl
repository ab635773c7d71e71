// Philox-4x32-10, the twin of src/random/philox.ts: identical integers on every device.
// Key = (seed low, seed high); counter = (block low, block high, stream, 0); position p of a
// stream is word p & 3 of block p >> 2.

const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;

// (high, low) 32 bits of the 64-bit product a·b; WGSL has no 64-bit integers.
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let aLo = a & 0xffffu;
  let aHi = a >> 16u;
  let bLo = b & 0xffffu;
  let bHi = b >> 16u;
  let loLo = aLo * bLo;
  let loHi = aLo * bHi;
  let hiLo = aHi * bLo;
  let cross = (loLo >> 16u) + (loHi & 0xffffu) + (hiLo & 0xffffu);
  let hi = aHi * bHi + (loHi >> 16u) + (hiLo >> 16u) + (cross >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox4x32(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) {
      k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
    }
    let a = mulhilo(PHILOX_M0, c.x);
    let b = mulhilo(PHILOX_M1, c.z);
    c = vec4<u32>(b.x ^ c.y ^ k.x, b.y, a.x ^ c.w ^ k.y, a.y);
  }
  return c;
}

// The u32 at 64-bit position (hi, lo) of `stream`.
fn random_u32(key: vec2<u32>, stream: u32, positionHi: u32, positionLo: u32) -> u32 {
  let blockLo = (positionLo >> 2u) | (positionHi << 30u);
  let blockHi = positionHi >> 2u;
  let words = philox4x32(vec4<u32>(blockLo, blockHi, stream, 0u), key);
  return words[positionLo & 3u];
}

// Integer in [0, n) by multiply-shift, as u32ToIndex on the CPU.
fn random_index(u: u32, n: u32) -> u32 {
  return mulhilo(u, n).x;
}
