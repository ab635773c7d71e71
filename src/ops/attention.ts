/**
 * attention: causal multi-head self-attention over sequences of T positions, from one fused
 * q | k | v projection per position (3C channels; head h uses channels h·hs … of each, hs = C/nh),
 * scale 1/√hs. Forward saves the probabilities att (B, nh, T, T); the backward needs a scratch
 * dpre of the same shape (the pre-softmax scores' gradient) and is two dispatches, both
 * deterministic: one per (b, h, t) for dq, one per (b, h, t2) for dk and dv.
 * Kernels: generated per head size by shaders/ops/attention.wgsl.ts (the define HS).
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats, Op, OpNode } from './op.ts';

export const ATTENTION_UNIFORM = defineUniform('AttentionParams', { B: 'u32', T: 'u32', C: 'u32', nh: 'u32', scale: 'f32', rowStride: 'u32' });
export const attentionForwardKernel = opKernel('ops/attention_forward', ATTENTION_UNIFORM, ['qkv', 'out', 'att']);
export const attentionBackwardQueryKernel = opKernel('ops/attention_backward_query', ATTENTION_UNIFORM, ['dout', 'qkv', 'att', 'dpre', 'dqkv']);
export const attentionBackwardKeysKernel = opKernel('ops/attention_backward_keys', ATTENTION_UNIFORM, ['dout', 'qkv', 'att', 'dpre', 'dqkv']);
export const ATTENTION_WG = 64;

export interface AttentionShape {
  B: number;
  T: number;
  C: number;
  nh: number;
}

export function attentionScale(s: AttentionShape): number {
  return 1 / Math.sqrt(s.C / s.nh);
}

/** attention_forward's twin: out (B, T, C) and att (B, nh, T, T), in float64 sums. */
export function attentionForwardCpu(out: Floats, att: Floats, qkv: ArrayLike<number>, s: AttentionShape): void {
  const { B, T, C, nh } = s;
  const hs = C / nh;
  const scale = attentionScale(s);
  const scores = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      for (let t = 0; t < T; t++) {
        const q = (b * T + t) * 3 * C + h * hs;
        let m = -Infinity;
        for (let t2 = 0; t2 <= t; t2++) {
          const k = (b * T + t2) * 3 * C + C + h * hs;
          let d = 0;
          for (let i = 0; i < hs; i++) d += qkv[q + i] * qkv[k + i];
          scores[t2] = d * scale;
          m = Math.max(m, scores[t2]);
        }
        let sum = 0;
        for (let t2 = 0; t2 <= t; t2++) sum += scores[t2] = Math.exp(scores[t2] - m);
        const row = ((b * nh + h) * T + t) * T;
        for (let t2 = 0; t2 < T; t2++) att[row + t2] = t2 <= t ? scores[t2] / sum : 0;
        const o = (b * T + t) * C + h * hs;
        for (let i = 0; i < hs; i++) {
          let acc = 0;
          for (let t2 = 0; t2 <= t; t2++) acc += (scores[t2] / sum) * qkv[(b * T + t2) * 3 * C + 2 * C + h * hs + i];
          out[o + i] = acc;
        }
      }
    }
  }
}

/** The backward's twin: dqkv (B, T, 3C) accumulated, from dout (B, T, C), the forward's qkv and att. */
export function attentionBackwardCpu(dqkv: Floats, dout: ArrayLike<number>, qkv: ArrayLike<number>, att: ArrayLike<number>, s: AttentionShape): void {
  const { B, T, C, nh } = s;
  const hs = C / nh;
  const scale = attentionScale(s);
  const dpre = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      for (let t = 0; t < T; t++) {
        const row = ((b * nh + h) * T + t) * T;
        const o = (b * T + t) * C + h * hs;
        let dot = 0;
        for (let t2 = 0; t2 <= t; t2++) {
          const v = (b * T + t2) * 3 * C + 2 * C + h * hs;
          let d = 0;
          for (let i = 0; i < hs; i++) d += dout[o + i] * qkv[v + i];
          dpre[t2] = d;
          dot += att[row + t2] * d;
        }
        for (let t2 = 0; t2 <= t; t2++) dpre[t2] = att[row + t2] * (dpre[t2] - dot);
        const q = (b * T + t) * 3 * C + h * hs;
        for (let t2 = 0; t2 <= t; t2++) {
          const k = (b * T + t2) * 3 * C + C + h * hs;
          for (let i = 0; i < hs; i++) {
            dqkv[q + i] += scale * dpre[t2] * qkv[k + i];
            dqkv[k + i] += scale * dpre[t2] * qkv[q + i];
            dqkv[k + C + i] += att[row + t2] * dout[o + i];
          }
        }
      }
    }
  }
}

/** The forward: one thread per (b, h, t). */
export function attentionForwardDispatch(enc: OpEncoder, s: AttentionShape, b: { qkv: Binding; out: Binding; att: Binding }, WG = ATTENTION_WG): Promise<Dispatch> {
  const grid = enc.grid(s.B * s.nh * s.T, WG);
  return enc.dispatch(attentionForwardKernel, { defines: { HS: s.C / s.nh }, overrides: { WG }, grid, uniform: { ...s, scale: attentionScale(s), rowStride: grid.rowStride }, bind: b });
}

/** The backward: dq, then dk and dv (accumulate: add to dqkv, else overwrite it). */
export function attentionBackwardDispatches(
  enc: OpEncoder, s: AttentionShape, b: { dout: Binding; qkv: Binding; att: Binding; dpre: Binding; dqkv: Binding }, accumulate: boolean, WG = ATTENTION_WG,
): Promise<Dispatch[]> {
  const grid = enc.grid(s.B * s.nh * s.T, WG);
  const spec = { defines: { accumulate, HS: s.C / s.nh }, overrides: { WG }, grid, uniform: { ...s, scale: attentionScale(s), rowStride: grid.rowStride }, bind: b };
  return Promise.all([enc.dispatch(attentionBackwardQueryKernel, spec), enc.dispatch(attentionBackwardKeysKernel, spec)]);
}

const shapeOf = (node: OpNode): AttentionShape => ({ B: node.attrs.B as number, T: node.attrs.T as number, C: node.output!.shape[1], nh: node.attrs.nh as number });

/** Node: inputs [qkv (B·T, 3C)], output (B·T, C), saved [att (B, nh, T, T), dpre (B, nh, T, T): the backward's scratch]; attrs B, T, nh. */
export const attentionOp: Op = {
  name: 'attention',
  forwardCpu(node, env) {
    attentionForwardCpu(env.value(node.output!), env.value(node.saved![0]), env.value(node.inputs[0]), shapeOf(node));
  },
  backwardCpu(node, env) {
    const dqkv = env.grad(node.inputs[0]);
    if (dqkv) attentionBackwardCpu(dqkv, env.grad(node.output!)!, env.value(node.inputs[0]), env.value(node.saved![0]), shapeOf(node));
  },
  async forwardGpu(node, env) {
    return [await attentionForwardDispatch(env.enc, shapeOf(node), { qkv: env.value(node.inputs[0]), out: env.value(node.output!), att: env.value(node.saved![0]) })];
  },
  async backwardGpu(node, env) {
    const [qkv] = node.inputs;
    const dqkv = env.grad(qkv);
    if (!dqkv) return [];
    return attentionBackwardDispatches(env.enc, shapeOf(node), {
      dout: env.grad(node.output!)!, qkv: env.value(qkv), att: env.value(node.saved![0]), dpre: env.value(node.saved![1]), dqkv,
    }, env.accumulate(qkv));
  },
};
