/**
 * The optimisers, one dispatch over every parameter (the flat vector of the model's
 * TensorLayout; gradients and Adam's m and v share that layout):
 *  - sgd_update: P ← P − lr·grad;
 *  - adamw_update: PyTorch's AdamW — decoupled decay p ← p·(1 − lr·wd) first, then the
 *    bias-corrected Adam step at t = 1, 2, … (see shaders/ops/adamw_update.wgsl).
 * Both follow the step schedule: lr before decayStep, lrFinal from it on.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats } from './op.ts';
import { vec4Units } from './elementwise.ts';

export type OptimizerKind = 'sgd' | 'adamw';
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['sgd', 'adamw'];

export interface OptimizerConfig {
  kind: OptimizerKind;
  lr: number;
  lrFinal: number;
  /** Steps before this one (0-based) run at lr, the rest at lrFinal. */
  decayStep: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const SGD_UNIFORM = defineUniform('SgdParams', { count: 'u32', rowStride: 'u32', lr: 'f32', lrFinal: 'f32', decayStep: 'u32' });
export const sgdUpdateKernel = opKernel('ops/sgd_update', SGD_UNIFORM, ['grad', 'P', 'state'], undefined, { vec4: true });
export const ADAMW_UNIFORM = defineUniform('AdamwParams', {
  count: 'u32', rowStride: 'u32', lr: 'f32', lrFinal: 'f32', decayStep: 'u32', beta1: 'f32', beta2: 'f32', eps: 'f32', weightDecay: 'f32',
  oneMinusBeta1: 'f32', oneMinusBeta2: 'f32', lnBeta1: 'f32', lnBeta2: 'f32',
});
export const adamwUpdateKernel = opKernel('ops/adamw_update', ADAMW_UNIFORM, ['grad', 'P', 'm', 'v', 'state'], undefined, { vec4: true });
export const OPTIMIZER_WG = 256;

/** The learning rate of step `step` (0-based). */
export function scheduledLr(step: number, o: Pick<OptimizerConfig, 'lr' | 'lrFinal' | 'decayStep'>): number {
  return step < o.decayStep ? o.lr : o.lrFinal;
}

/** sgd_update's twin. */
export function sgdUpdateCpu(P: Floats, grad: ArrayLike<number>, lr: number, count = P.length): void {
  for (let i = 0; i < count; i++) P[i] -= lr * grad[i];
}

/** adamw_update's twin at step t (1-based), in float64 arithmetic. */
export function adamwUpdateCpu(P: Floats, grad: ArrayLike<number>, m: Floats, v: Floats, t: number, lr: number, o: Pick<OptimizerConfig, 'beta1' | 'beta2' | 'eps' | 'weightDecay'>, count = P.length): void {
  const { beta1, beta2, eps, weightDecay } = o;
  const c1 = 1 - beta1 ** t;
  const c2 = Math.sqrt(1 - beta2 ** t);
  const decay = 1 - lr * weightDecay;
  for (let i = 0; i < count; i++) {
    const g = grad[i];
    const mi = (m[i] = beta1 * m[i] + (1 - beta1) * g);
    const vi = (v[i] = beta2 * v[i] + (1 - beta2) * g * g);
    P[i] = P[i] * decay - ((lr / c1) * mi) / (Math.sqrt(vi) / c2 + eps);
  }
}

/** The optimiser's values as the GPU holds them (float32). */
function gpuValues(o: OptimizerConfig) {
  return { lr: Math.fround(o.lr), lrFinal: Math.fround(o.lrFinal), decayStep: o.decayStep };
}

export function optimizerDispatch(
  enc: OpEncoder, o: OptimizerConfig, count: number, b: { grad: Binding; P: Binding; m?: Binding; v?: Binding; state: Binding },
): Promise<Dispatch> {
  const { vec4, units } = vec4Units(count, true);
  const grid = enc.grid(units, OPTIMIZER_WG);
  const common = { count: units, rowStride: grid.rowStride, ...gpuValues(o) };
  if (o.kind === 'sgd') {
    return enc.dispatch(sgdUpdateKernel, { defines: { vec4 }, overrides: { WG: OPTIMIZER_WG }, grid, uniform: common, bind: { grad: b.grad, P: b.P, state: b.state } });
  }
  if (!b.m || !b.v) throw new Error('adamw_update needs its m and v buffers');
  return enc.dispatch(adamwUpdateKernel, {
    defines: { vec4 }, overrides: { WG: OPTIMIZER_WG }, grid,
    uniform: {
      ...common, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay,
      // In float64 here: see the kernel. (β = 0 has ln β = −∞: any very negative number does.)
      oneMinusBeta1: 1 - o.beta1, oneMinusBeta2: 1 - o.beta2, lnBeta1: Math.max(Math.log(o.beta1), -1e30), lnBeta2: Math.max(Math.log(o.beta2), -1e30),
    },
    bind: { grad: b.grad, P: b.P, m: b.m, v: b.v, state: b.state },
  });
}
