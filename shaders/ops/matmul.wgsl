// matmul: out (M, N) = [out +] op(a) (M, K) · op(b) (K, N) [+ bias], op = identity or
// transpose (transA, transB): the three products of a linear layer in one kernel,
//   forward          out  = inp · W + b     (bias)
//   input gradient   dinp += dout · Wᵀ      (transB, accumulate)
//   weight gradient  dW   += inpᵀ · dout    (transA, accumulate)
// The product's K terms are summed first, then the old value (accumulate) and the bias added.
// Tiled with register blocking: a workgroup of TS×TS threads computes a (4·TS)×(4·TS) tile of
// out, each thread a 4×4 block (rows lid.y + i·TS, columns lid.x + j·TS) held in four vec4
// accumulators. Each round the workgroup loads a (4·TS, KT) slab of op(a) and a (KT, 4·TS)
// slab of op(b) into workgroup memory (zeros past the edges), then every thread adds KT
// products to each of its 16 sums. Every output sums its K products in order k = 0, 1, …:
// deterministic. The grid: one workgroup per output tile, tiles of rows along y.
// Twin: matmulCpu (src/ops/matmulCpu.ts); grid rule: src/ops/matmulTiling.ts.

override TS: u32 = 16;
override KT: u32 = 16;
const RB: u32 = 4u;

struct MatmulParams {
  M: u32,
  K: u32,
  N: u32,
  pad0: u32,
}

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;            // (M, K), or (K, M) when transA
@group(0) @binding(2) var<storage, read> b: array<f32>;            // (K, N), or (N, K) when transB
#if ${bias}
@group(0) @binding(3) var<storage, read> bias: array<f32>;         // (N,)
#endif
@group(0) @binding(4) var<storage, read_write> out: array<f32>;    // (M, N)

var<workgroup> tileA: array<f32, RB * TS * KT>;   // (4·TS, KT): op(A)[tile rows, k0 .. k0+KT)
var<workgroup> tileB: array<f32, KT * RB * TS>;   // (KT, 4·TS): op(B)[k0 .. k0+KT, tile columns]

fn load_a(m: u32, k: u32) -> f32 {
  if (m >= params.M || k >= params.K) { return 0.0; }
#if ${transA}
  return a[k * params.M + m];
#else
  return a[m * params.K + k];
#endif
}

fn load_b(k: u32, n: u32) -> f32 {
  if (k >= params.K || n >= params.N) { return 0.0; }
#if ${transB}
  return b[n * params.K + k];
#else
  return b[k * params.N + n];
#endif
}

fn store_row(row: u32, col0: u32, v: vec4<f32>) {
  if (row >= params.M) { return; }
  for (var j = 0u; j < RB; j++) {
    let col = col0 + j * TS;
    if (col < params.N) {
      var x = v[j];
#if ${accumulate}
      x = out[row * params.N + col] + x;
#endif
#if ${bias}
      x = x + bias[col];
#endif
      out[row * params.N + col] = x;
    }
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
      let j = k * W + lid.x;
      let bv = vec4<f32>(tileB[j], tileB[j + TS], tileB[j + 2u * TS], tileB[j + 3u * TS]);
      acc0 += tileA[lid.y * KT + k] * bv;
      acc1 += tileA[(lid.y + TS) * KT + k] * bv;
      acc2 += tileA[(lid.y + 2u * TS) * KT + k] * bv;
      acc3 += tileA[(lid.y + 3u * TS) * KT + k] * bv;
    }
    workgroupBarrier();
  }
  store_row(row0 + lid.y, col0 + lid.x, acc0);
  store_row(row0 + lid.y + TS, col0 + lid.x, acc1);
  store_row(row0 + lid.y + 2u * TS, col0 + lid.x, acc2);
  store_row(row0 + lid.y + 3u * TS, col0 + lid.x, acc3);
}
