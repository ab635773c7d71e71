/**
 * linear: out (n, N) = x (n, K) · W (K, N) [+ b (N,)], the matrix product with its bias fused.
 * Backward, each accumulated: dW += xᵀ·dout, db += Σ_rows dout, dx += dout·Wᵀ.
 * Kernel: shaders/ops/matmul.wgsl (every transpose, bias, accumulate and epilogue as #if
 * variants), grid rule in matmulTiling.ts, CPU twin in matmulCpu.ts. The bias gradient rides on
 * the dW product (biasGrad); bias.ts's kernel serves a bias without a weight gradient. The graph
 * program (src/nn/gpuProgram.ts) fuses a tanh or a GELU after a linear layer into the forward's
 * epilogue and its backward into the next linear's dx (linearForwardGpu, linearBackwardGpu).
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import { matmulCpu } from './matmulCpu.ts';
import { matmulGrid, type MatmulConfig } from './matmulTiling.ts';
import { biasBackwardCpu, biasBackwardDispatch } from './bias.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { GpuEnv, Op, OpNode, Tensor } from './op.ts';

export const MATMUL_UNIFORM = defineUniform('MatmulParams', { M: 'u32', K: 'u32', N: 'u32', pad0: 'u32' });
export const matmulKernel = opKernel('ops/matmul', MATMUL_UNIFORM, ['a', 'b', 'bias', 'out', 'aux', 'dbias', 'pre', 'res']);

export interface MatmulDispatch {
  M: number;
  K: number;
  N: number;
  transA?: boolean;
  transB?: boolean;
  accumulate?: boolean;
  a: Binding;
  b: Binding;
  bias?: Binding;
  out: Binding;
  /** Epilogue: out = tanh(result). */
  tanh?: boolean;
  /** Epilogue: the sum times (1 − h²) before accumulate; h (M, N) is tanh's output. */
  tanhGrad?: Binding;
  /** Epilogue: out = gelu(result), the result itself written to this (M, N) binding. */
  geluPre?: Binding;
  /** Epilogue: the sum times gelu'(x) before accumulate; x (M, N) is GELU's input. */
  geluGrad?: Binding;
  /** Epilogue: out = res + result, after the bias (res (M, N)). */
  residual?: Binding;
  /** dbias (N,) += Σ_k op(b)[k, :] (the bias gradient beside dW = aᵀ·b). */
  biasGrad?: Binding;
  label?: string;
}

/**
 * Which operands the direct path reads and writes in vec4 (shaders/ops/matmulVec.wgsl.ts): a
 * along m when transposed and M is a multiple of 4, b along n unless transposed when N is, out
 * along n when N is.
 */
export function matmulVec4(config: MatmulConfig, d: Pick<MatmulDispatch, 'M' | 'N' | 'transA' | 'transB'>): { vecA: boolean; vecB: boolean; vecOut: boolean } {
  const on = config.vec4 && !config.tiled;
  const vecOut = on && d.N % 4 === 0;
  return { vecA: on && !!d.transA && d.M % 4 === 0, vecB: vecOut && !d.transB, vecOut };
}

/** One matmul dispatch: out (M, N) = [out +] op(a)·op(b) [+ bias], with the fused epilogues of MatmulDispatch. */
export function matmulDispatch(enc: OpEncoder, config: MatmulConfig, d: MatmulDispatch): Promise<Dispatch> {
  return enc.dispatch(matmulKernel, {
    label: d.label,
    defines: {
      ...matmulVec4(config, d),
      tiled: config.tiled, transA: !!d.transA, transB: !!d.transB, bias: !!d.bias, accumulate: !!d.accumulate, tanh: !!d.tanh, tanhGrad: !!d.tanhGrad,
      gelu: !!d.geluPre, geluGrad: !!d.geluGrad, aux: !!(d.tanhGrad || d.geluGrad), residual: !!d.residual, biasGrad: !!d.biasGrad,
    },
    overrides: config.overrides,
    uniform: { M: d.M, K: d.K, N: d.N },
    bind: {
      a: d.a, b: d.b, out: d.out, ...(d.bias ? { bias: d.bias } : {}), ...(d.tanhGrad ? { aux: d.tanhGrad } : {}), ...(d.geluGrad ? { aux: d.geluGrad } : {}),
      ...(d.biasGrad ? { dbias: d.biasGrad } : {}), ...(d.geluPre ? { pre: d.geluPre } : {}), ...(d.residual ? { res: d.residual } : {}),
    },
    grid: matmulGrid(d.M, d.N, config, enc.maxPerDim),
  });
}

/** Node: inputs [x (n, K), W (K, N), b (N,)?], output (n, N). */
export const linearOp: Op = {
  name: 'linear',
  forwardCpu({ inputs: [x, W, b], output }, env) {
    const [n, K] = x.shape;
    matmulCpu(env.value(output!), env.value(x), env.value(W), n, K, W.shape[1], { bias: b ? env.value(b) : undefined });
  },
  backwardCpu({ inputs: [x, W, b], output }, env) {
    const [n, K] = x.shape;
    const N = W.shape[1];
    const dout = env.grad(output!)!;
    const dW = env.grad(W);
    if (dW) matmulCpu(dW, env.value(x), dout, K, n, N, { transA: true, accumulate: true });
    const db = b ? env.grad(b) : null;
    if (db) biasBackwardCpu(db, dout, n, N);
    const dx = env.grad(x);
    if (dx) matmulCpu(dx, dout, env.value(W), n, N, K, { transB: true, accumulate: true });
  },
  forwardGpu(node, env) {
    return linearForwardGpu(node, env);
  },
  backwardGpu(node, env) {
    return linearBackwardGpu(node, env);
  },
};

/** An activation after a linear layer that its matmul can do as an epilogue. */
export type FusedActivation = 'tanh' | 'gelu';

/** What the forward's matmul does after the product: an activation, or the add of a residual stream `res`. */
export type ForwardEpilogue = { kind: FusedActivation; out: Tensor } | { kind: 'residual'; out: Tensor; res: Tensor };

/**
 * The forward's one dispatch. `fused`: the node after this one done as the epilogue, written to
 * fused.out (tanh, residual: the linear's own output is never written; gelu: it is, GELU's
 * backward needs it).
 */
export async function linearForwardGpu({ inputs: [x, W, b], output }: OpNode, env: GpuEnv, fused?: ForwardEpilogue): Promise<Dispatch[]> {
  const [n, K] = x.shape;
  return [await matmulDispatch(env.enc, env.matmul, {
    label: `linear ${W.name}${fused ? ` + ${fused.kind}` : ''}`, M: n, K, N: W.shape[1], a: env.value(x), b: env.value(W), bias: b ? env.value(b) : undefined,
    tanh: fused?.kind === 'tanh', geluPre: fused?.kind === 'gelu' ? env.value(output!) : undefined,
    residual: fused?.kind === 'residual' ? env.value(fused.res) : undefined, out: env.value(fused?.out ?? output!),
  })];
}

/**
 * The backward: dW (+ db, fused as matmul's biasGrad when both are needed), then dx.
 * `through`: x = act(pre) and this node is x's only user, so the activation's backward is fused
 * into dx: dpre (+)= (dout·Wᵀ) ⊙ act'(pre), from x (tanh: 1 − x²) or from pre (gelu), and x's
 * own gradient is never written.
 */
export async function linearBackwardGpu({ inputs: [x, W, b], output }: OpNode, env: GpuEnv, through?: { kind: FusedActivation; pre: Tensor }): Promise<Dispatch[]> {
  const [n, K] = x.shape;
  const N = W.shape[1];
  const dout = env.grad(output!)!;
  const out: Dispatch[] = [];
  const dW = env.grad(W);
  const db = b ? env.grad(b) : null;
  if (dW) {
    out.push(await matmulDispatch(env.enc, env.matmul, {
      label: `linear ${W.name} dW${db ? ` + ${b!.name} db` : ''}`, M: K, K: n, N, transA: true, accumulate: true, a: env.value(x), b: dout, out: dW, biasGrad: db ?? undefined,
    }));
  } else if (db) {
    out.push(await biasBackwardDispatch(env.enc, { M: n, N, dout, dbias: db, label: `linear ${b!.name} db` }));
  }
  const target = through?.pre ?? x;
  const dx = env.grad(target);
  if (dx) {
    out.push(await matmulDispatch(env.enc, env.matmul, {
      label: `linear ${W.name} dx${through ? ` + ${through.kind}` : ''}`, M: n, K: N, N: K, transB: true, accumulate: env.accumulate(target), a: dout, b: env.value(W), out: dx,
      tanhGrad: through?.kind === 'tanh' ? env.value(x) : undefined, geluGrad: through?.kind === 'gelu' ? env.value(through.pre) : undefined,
    }));
  }
  return out;
}
