/**
 * stack: out[b·T + t] = x_t[b], T tensors of (B, C), one per time step, as the (B·T, C) rows of
 * a batch of sequences (torch.stack(hiddens, 1): a recurrent model's states, for its head and
 * its loss). Backward: dx_t[b] += dout[b·T + t]. One dispatch per step each way (T bindings
 * would pass the per-stage limit of storage buffers).
 * Kernels: shaders/ops/stack_forward.wgsl, shaders/ops/stack_backward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats, Op } from './op.ts';

export const STACK_UNIFORM = defineUniform('StackParams', { n: 'u32', T: 'u32', t: 'u32', C: 'u32', rowStride: 'u32' });
export const stackForwardKernel = opKernel('ops/stack_forward', STACK_UNIFORM, ['x', 'out']);
export const stackBackwardKernel = opKernel('ops/stack_backward', STACK_UNIFORM, ['dout', 'dx']);
export const STACK_WG = 256;

/** Step t's rows: out[b·T + t] = x[b]. */
export function stackForwardCpu(out: Floats, x: ArrayLike<number>, B: number, T: number, t: number, C: number): void {
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) out[(b * T + t) * C + c] = x[b * C + c];
}

export function stackBackwardCpu(dx: Floats, dout: ArrayLike<number>, B: number, T: number, t: number, C: number): void {
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) dx[b * C + c] += dout[(b * T + t) * C + c];
}

export interface StackDispatch {
  B: number;
  T: number;
  t: number;
  C: number;
  label?: string;
  WG?: number;
}

export function stackForwardDispatch(enc: OpEncoder, d: StackDispatch & { x: Binding; out: Binding }): Promise<Dispatch> {
  const WG = d.WG ?? STACK_WG;
  const grid = enc.grid(d.B * d.C, WG);
  return enc.dispatch(stackForwardKernel, { label: d.label, overrides: { WG }, grid, uniform: { n: d.B, T: d.T, t: d.t, C: d.C, rowStride: grid.rowStride }, bind: { x: d.x, out: d.out } });
}

export function stackBackwardDispatch(enc: OpEncoder, d: StackDispatch & { dout: Binding; dx: Binding; accumulate: boolean }): Promise<Dispatch> {
  const WG = d.WG ?? STACK_WG;
  const grid = enc.grid(d.B * d.C, WG);
  return enc.dispatch(stackBackwardKernel, {
    label: d.label, defines: { accumulate: d.accumulate }, overrides: { WG }, grid, uniform: { n: d.B, T: d.T, t: d.t, C: d.C, rowStride: grid.rowStride }, bind: { dout: d.dout, dx: d.dx },
  });
}

/** Node: inputs [x_0 … x_{T−1}] (B, C) each, all different tensors; output (B·T, C). */
export const stackOp: Op = {
  name: 'stack',
  forwardCpu({ inputs, output }, env) {
    const [B, C] = inputs[0].shape;
    const out = env.value(output!);
    inputs.forEach((x, t) => stackForwardCpu(out, env.value(x), B, inputs.length, t, C));
  },
  backwardCpu({ inputs, output }, env) {
    const [B, C] = inputs[0].shape;
    const dout = env.grad(output!)!;
    inputs.forEach((x, t) => {
      const dx = env.grad(x);
      if (dx) stackBackwardCpu(dx, dout, B, inputs.length, t, C);
    });
  },
  async forwardGpu({ inputs, output }, env) {
    const [B, C] = inputs[0].shape;
    const out = env.value(output!);
    return Promise.all(inputs.map((x, t) => stackForwardDispatch(env.enc, { B, T: inputs.length, t, C, x: env.value(x), out, label: `stack ${output!.name} ${t}` })));
  },
  async backwardGpu({ inputs, output }, env) {
    const [B, C] = inputs[0].shape;
    const dout = env.grad(output!)!;
    const out: Dispatch[] = [];
    for (const [t, x] of inputs.entries()) {
      const dx = env.grad(x);
      if (dx) out.push(await stackBackwardDispatch(env.enc, { B, T: inputs.length, t, C, dout, dx, accumulate: env.accumulate(x), label: `stack ${output!.name} ${t} backward` }));
    }
    return out;
  },
};
