/**
 * layernorm: out = (x − mean)·rstd·w + b over rows of C channels (PyTorch's LayerNorm, eps
 * 1e-5, biased variance), mean and rstd saved. Backward: dx (row by row), dw and db (column
 * sums over the rows, accumulated). Shapes: n rows, C channels.
 * Kernels: shaders/ops/layernorm_forward.wgsl, layernorm_backward.wgsl, layernorm_param_backward.wgsl;
 * for rows of up to LAYERNORM_UNROLL_MAX channels the first two are generated with the row
 * written out (shaders/ops/layernorm.wgsl.ts, the same arithmetic).
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats, Op } from './op.ts';
import { LAYERNORM_UNROLL_MAX } from '../../shaders/ops/layernorm.wgsl.ts';
import { vec4Units } from './elementwise.ts';

/** The define that picks the written-out kernels (0: the loop kernels); `loops` forces the loops (tests). */
const unroll = (C: number, loops = false) => ({ unrollC: !loops && C <= LAYERNORM_UNROLL_MAX ? C : 0 });

export const LAYERNORM_UNIFORM = defineUniform('LayernormParams', { n: 'u32', C: 'u32', rowStride: 'u32' });
export const layernormForwardKernel = opKernel('ops/layernorm_forward', LAYERNORM_UNIFORM, ['x', 'w', 'b', 'out', 'mean', 'rstd']);
export const layernormBackwardKernel = opKernel('ops/layernorm_backward', LAYERNORM_UNIFORM, ['dout', 'x', 'w', 'mean', 'rstd', 'dx']);
export const layernormParamBackwardKernel = opKernel('ops/layernorm_param_backward', LAYERNORM_UNIFORM, ['dout', 'x', 'mean', 'rstd', 'dw', 'db'], undefined, { vec4: true });
export const LAYERNORM_WG = 64;
/**
 * layernorm_param_backward has one thread per channel, each summing over every row: with 64
 * threads a workgroup, C = 64 would be one workgroup, which a CPU adapter runs on one core.
 */
export const LAYERNORM_PARAM_WG = 16;
export const LAYERNORM_EPS = 1e-5;

/** layernorm_forward's twin, in float64 sums. */
export function layernormForwardCpu(out: Floats, mean: Floats, rstd: Floats, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, n: number, C: number): void {
  for (let r = 0; r < n; r++) {
    const row = r * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += x[row + c];
    const m = s / C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x[row + c] - m) ** 2;
    const rs = 1 / Math.sqrt(v / C + LAYERNORM_EPS);
    for (let c = 0; c < C; c++) out[row + c] = (x[row + c] - m) * rs * w[c] + b[c];
    mean[r] = m;
    rstd[r] = rs;
  }
}

/** The backward's twin: dx, dw, db each accumulated (null: not needed). */
export function layernormBackwardCpu(
  dx: Floats | null, dw: Floats | null, db: Floats | null,
  dout: ArrayLike<number>, x: ArrayLike<number>, w: ArrayLike<number>, mean: ArrayLike<number>, rstd: ArrayLike<number>, n: number, C: number,
): void {
  const sw = new Float64Array(C);
  const sb = new Float64Array(C);
  for (let r = 0; r < n; r++) {
    const row = r * C;
    const m = mean[r];
    const rs = rstd[r];
    let sg = 0;
    let sgx = 0;
    for (let c = 0; c < C; c++) {
      const xhat = (x[row + c] - m) * rs;
      const g = dout[row + c] * w[c];
      sg += g;
      sgx += g * xhat;
      sw[c] += dout[row + c] * xhat;
      sb[c] += dout[row + c];
    }
    if (dx) for (let c = 0; c < C; c++) dx[row + c] += rs * (dout[row + c] * w[c] - sg / C - (x[row + c] - m) * rs * (sgx / C));
  }
  if (dw) for (let c = 0; c < C; c++) dw[c] += sw[c];
  if (db) for (let c = 0; c < C; c++) db[c] += sb[c];
}

export function layernormForwardDispatch(enc: OpEncoder, d: { n: number; C: number; x: Binding; w: Binding; b: Binding; out: Binding; mean: Binding; rstd: Binding; loops?: boolean }, WG = LAYERNORM_WG): Promise<Dispatch> {
  const grid = enc.grid(d.n, WG);
  return enc.dispatch(layernormForwardKernel, { defines: unroll(d.C, d.loops), overrides: { WG }, grid, uniform: { n: d.n, C: d.C, rowStride: grid.rowStride }, bind: { x: d.x, w: d.w, b: d.b, out: d.out, mean: d.mean, rstd: d.rstd } });
}

export function layernormBackwardDispatches(
  enc: OpEncoder,
  d: { n: number; C: number; dout: Binding; x: Binding; w: Binding; mean: Binding; rstd: Binding; dx: Binding | null; accumulate: boolean; dw: Binding; db: Binding; loops?: boolean },
  WG = LAYERNORM_WG,
  paramWG = LAYERNORM_PARAM_WG,
): Promise<Dispatch[]> {
  const rows = enc.grid(d.n, WG);
  // Channels in fours when C allows (the kernel's vec4), in workgroups a quarter the size: as many workgroups.
  const { vec4, units } = vec4Units(d.C, true);
  const colWG = vec4 ? Math.max(1, Math.floor(paramWG / 4)) : paramWG;
  const cols = enc.grid(units, colWG);
  return Promise.all([
    ...(d.dx ? [enc.dispatch(layernormBackwardKernel, {
      defines: { accumulate: d.accumulate, ...unroll(d.C, d.loops) }, overrides: { WG }, grid: rows, uniform: { n: d.n, C: d.C, rowStride: rows.rowStride },
      bind: { dout: d.dout, x: d.x, w: d.w, mean: d.mean, rstd: d.rstd, dx: d.dx },
    })] : []),
    enc.dispatch(layernormParamBackwardKernel, {
      defines: { vec4 }, overrides: { WG: colWG }, grid: cols, uniform: { n: d.n, C: units, rowStride: cols.rowStride },
      bind: { dout: d.dout, x: d.x, mean: d.mean, rstd: d.rstd, dw: d.dw, db: d.db },
    }),
  ]);
}

/** Node: inputs [x (n, C), w (C,), b (C,)], output (n, C), saved [mean (n,), rstd (n,)]. */
export const layernormOp: Op = {
  name: 'layernorm',
  forwardCpu({ inputs: [x, w, b], output, saved }, env) {
    const [n, C] = x.shape;
    layernormForwardCpu(env.value(output!), env.value(saved![0]), env.value(saved![1]), env.value(x), env.value(w), env.value(b), n, C);
  },
  backwardCpu({ inputs: [x, w, b], output, saved }, env) {
    const [n, C] = x.shape;
    layernormBackwardCpu(env.grad(x), env.grad(w), env.grad(b), env.grad(output!)!, env.value(x), env.value(w), env.value(saved![0]), env.value(saved![1]), n, C);
  },
  async forwardGpu({ inputs: [x, w, b], output, saved }, env) {
    const [n, C] = x.shape;
    return [await layernormForwardDispatch(env.enc, {
      n, C, x: env.value(x), w: env.value(w), b: env.value(b), out: env.value(output!), mean: env.value(saved![0]), rstd: env.value(saved![1]),
    })];
  },
  async backwardGpu({ inputs: [x, w, b], output, saved }, env) {
    const [n, C] = x.shape;
    return layernormBackwardDispatches(env.enc, {
      n, C, dout: env.grad(output!)!, x: env.value(x), w: env.value(w), mean: env.value(saved![0]), rstd: env.value(saved![1]),
      dx: env.grad(x), accumulate: env.accumulate(x), dw: env.grad(w)!, db: env.grad(b)!,
    });
  },
};
