// matmul: out (M, N) = op(A) (M, K) · op(B) (K, N), op = identity or transpose (transA, transB).
// The three products of a linear layer, one kernel:
//   forward          out  = inp · W      transA false, transB false
//   input gradient   dinp = dout · Wᵀ    transB true
//   weight gradient  dW   = inpᵀ · dout  transA true
// Tiled with register blocking: a workgroup of TS×TS threads computes a (4·TS)×(4·TS) tile of
// out, each thread a 4×4 block (rows lid.y + i·TS, columns lid.x + j·TS) held in four vec4
// accumulators. Each round the workgroup loads a (4·TS, KT) slab of op(A) and a (KT, 4·TS)
// slab of op(B) into workgroup memory (zeros past the edges), then every thread adds KT
// products to each of its 16 sums. Every output sums its K products in order k = 0, 1, …:
// deterministic. Few threads per workgroup suit a CPU emulation (SwiftShader: TS = 4); a real
// GPU wants TS = 16. (Written out with vec4s: a 16-element array indexed in loops ran 2× slower
// on SwiftShader.)
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

fn store_row(row: u32, col0: u32, v: vec4<f32>) {
  if (row >= params.M) { return; }
  for (var j = 0u; j < RB; j++) {
    let col = col0 + j * TS;
    if (col < params.N) { out[row * params.N + col] = v[j]; }
  }
}

@compute @workgroup_size(TS, TS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let W = RB * TS;   // tile width and height
  let row0 = wid.y * W;
  let col0 = wid.x * W;
  // acc<i>[j] is out[row0 + lid.y + i·TS, col0 + lid.x + j·TS].
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < params.K; k0 += KT) {
    for (var e = li; e < W * KT; e += TS * TS) {
      let r = e / KT;
      tileA[e] = load_a(row0 + r, k0 + e - r * KT);
      let k = e / W;
      tileB[e] = load_b(k0 + k, col0 + e - k * W);
    }
    workgroupBarrier();
    for (var k = 0u; k < KT; k++) {
      let b = k * W + lid.x;
      let bk = vec4<f32>(tileB[b], tileB[b + TS], tileB[b + 2u * TS], tileB[b + 3u * TS]);
      acc0 += tileA[lid.y * KT + k] * bk;
      acc1 += tileA[(lid.y + TS) * KT + k] * bk;
      acc2 += tileA[(lid.y + 2u * TS) * KT + k] * bk;
      acc3 += tileA[(lid.y + 3u * TS) * KT + k] * bk;
    }
    workgroupBarrier();
  }
  store_row(row0 + lid.y, col0 + lid.x, acc0);
  store_row(row0 + lid.y + TS, col0 + lid.x, acc1);
  store_row(row0 + lid.y + 2u * TS, col0 + lid.x, acc2);
  store_row(row0 + lid.y + 3u * TS, col0 + lid.x, acc3);
}
