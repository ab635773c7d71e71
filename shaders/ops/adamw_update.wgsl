// adamw_update: PyTorch's AdamW over every parameter, at step t = state.step (1-based, advanced
// by loss_record): decoupled weight decay first, then the bias-corrected Adam step,
//   p ← p·(1 − lr·wd);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
// lr follows the step schedule (lr before decayStep, lrFinal from it on). m and v share the
// parameters' layout. The bias corrections 1 − β^t are −expm1(t·ln β), ln β and 1 − β given
// in float64 by the CPU: 1 − pow(β, t) in float32 loses digits to cancellation (1 − 0.99 keeps
// only 5 of them), and PyTorch computes them in double precision. One thread per parameter.
// Twin: adamwUpdateCpu (src/ops/optimizers.ts).

// E: one element, or four consecutive ones when the count is a multiple of 4 (vec4: on
// SwiftShader a vec4 access costs what one f32 access does; params.count counts E's).
#if ${vec4}
alias E = vec4<f32>;
#else
alias E = f32;
#endif

override WG: u32 = 256;

struct AdamwParams {
  count: u32,
  rowStride: u32,
  lr: f32,
  lrFinal: f32,
  decayStep: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weightDecay: f32,
  oneMinusBeta1: f32,
  oneMinusBeta2: f32,
  lnBeta1: f32,
  lnBeta2: f32,
}

// expm1(x) for x ≤ 0 to float32 accuracy: a series where exp(x) − 1 would cancel.
fn expm1_neg(x: f32) -> f32 {
  if (x < -0.5) { return exp(x) - 1.0; }
  var term = x;
  var sum = x;
  for (var k = 2.0; k <= 10.0; k += 1.0) {
    term = term * x / k;
    sum += term;
  }
  return sum;
}

@group(0) @binding(0) var<uniform> params: AdamwParams;
@group(0) @binding(1) var<storage, read> grad: array<E>;            // (count,)
@group(0) @binding(2) var<storage, read_write> P: array<E>;         // (count,)
@group(0) @binding(3) var<storage, read_write> m: array<E>;         // (count,) first moment
@group(0) @binding(4) var<storage, read_write> v: array<E>;         // (count,) second moment
@group(0) @binding(5) var<storage, read> state: StepState;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = flat_id(gid, params.rowStride);
  if (i >= params.count) { return; }
  let t = state.step;
  let lr = select(params.lrFinal, params.lr, t - 1u < params.decayStep);
  let g = grad[i];
  let p = P[i] * (1.0 - lr * params.weightDecay);
  let mi = params.beta1 * m[i] + params.oneMinusBeta1 * g;
  let vi = params.beta2 * v[i] + params.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  let tf = f32(t);
  let c1 = -expm1_neg(tf * params.lnBeta1);
  let c2 = -expm1_neg(tf * params.lnBeta2);
  P[i] = p - (lr / c1) * mi / (sqrt(vi) / sqrt(c2) + params.eps);
}
