// matmul: out (M, N) = op(A) (M, K) · op(B) (K, N), op = identity or transpose (transA, transB).
// The three products of a linear layer, one kernel:
//   forward          out  = inp · W      transA false, transB false
//   input gradient   dinp = dout · Wᵀ    transB true
//   weight gradient  dW   = inpᵀ · dout  transA true
// Tiled with register blocking: a workgroup of TS×TS threads computes a (4·TS)×(4·TS) tile of
// out, each thread a 4×4 block (rows lid.y + i·TS, columns lid.x + j·TS). Each round the
// workgroup loads a (4·TS, KT) slab of op(A) and a (KT, 4·TS) slab of op(B) into workgroup
// memory (zeros past the edges), then every thread adds KT products to each of its 16 sums.
// Every output sums its K products in order k = 0, 1, …: deterministic. Few threads per
// workgroup suit a CPU emulation (SwiftShader: TS = 4); a real GPU wants TS = 16.
// Twin: matmulCpu (src/models/mlpOps.ts).

override TS: u32 = 16;
override KT: u32 = 16;
const RB: u32 = 4u;

@group(0) @binding(0) var<uniform> params: MlpParams;
@group(0) @binding(1) var<storage, read> lhs: array<f32>;            // A: (M, K), or (K, M) when transA
@group(0) @binding(2) var<storage, read> rhs: array<f32>;            // B: (K, N), or (N, K) when transB
@group(0) @binding(3) var<storage, read_write> out: array<f32>;      // (M, N)

var<workgroup> tileA: array<f32, RB * TS * KT>;   // (4·TS, KT): op(A)[tile rows, k0 .. k0+KT)
var<workgroup> tileB: array<f32, KT * RB * TS>;   // (KT, 4·TS): op(B)[k0 .. k0+KT, tile columns]

fn load_a(m: u32, k: u32) -> f32 {
  if (m >= params.M || k >= params.K) { return 0.0; }
#if ${transA}
  return lhs[k * params.M + m];
#else
  return lhs[m * params.K + k];
#endif
}

fn load_b(k: u32, n: u32) -> f32 {
  if (k >= params.K || n >= params.N) { return 0.0; }
#if ${transB}
  return rhs[n * params.K + k];
#else
  return rhs[k * params.N + n];
#endif
}

@compute @workgroup_size(TS, TS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let W = RB * TS;   // tile width and height
  let row0 = wid.y * W;
  let col0 = wid.x * W;
  var acc: array<f32, 16>;   // (RB, RB): acc[i·RB + j] is out[row0 + lid.y + i·TS, col0 + lid.x + j·TS]
  for (var k0 = 0u; k0 < params.K; k0 += KT) {
    for (var e = li; e < W * KT; e += TS * TS) {
      let r = e / KT;
      tileA[e] = load_a(row0 + r, k0 + e - r * KT);
      let k = e / W;
      tileB[e] = load_b(k0 + k, col0 + e - k * W);
    }
    workgroupBarrier();
    for (var k = 0u; k < KT; k++) {
      for (var i = 0u; i < RB; i++) {
        let a = tileA[(lid.y + i * TS) * KT + k];
        for (var j = 0u; j < RB; j++) {
          acc[i * RB + j] += a * tileB[k * W + lid.x + j * TS];
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < RB; i++) {
    let row = row0 + lid.y + i * TS;
    for (var j = 0u; j < RB; j++) {
      let col = col0 + lid.x + j * TS;
      if (row < params.M && col < params.N) { out[row * params.N + col] = acc[i * RB + j]; }
    }
  }
}
