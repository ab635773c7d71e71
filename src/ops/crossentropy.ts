/**
 * crossentropy: the mean NLL, −log softmax(logits[r])[y_r], over the rows whose target is not
 * the ignore index −1. Forward: per-workgroup partial pairs (Σ NLL, valid count), closed by
 * loss_record (training: into the loss history and the step's valid count) or read back
 * (evaluation); each pair holds CROSSENTROPY_ROWS consecutive rows. Backward, fused with the softmax: dlogits += (softmax − one-hot(y)) / valid.
 * Kernels: shaders/ops/crossentropy_forward.wgsl, crossentropy_backward.wgsl, loss_record.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Grid } from '../gpu/kernels.ts';
import type { Floats, Op } from './op.ts';

export const CROSSENTROPY_UNIFORM = defineUniform('CrossentropyParams', { n: 'u32', first: 'u32', V: 'u32', partial: 'u32', rowStride: 'u32', P: 'u32' });
export const crossentropyForwardKernel = opKernel('ops/crossentropy_forward', CROSSENTROPY_UNIFORM, ['targets', 'indices', 'logits', 'partials']);
export const crossentropyBackwardKernel = opKernel('ops/crossentropy_backward', CROSSENTROPY_UNIFORM, ['targets', 'indices', 'logits', 'dlogits', 'state']);
export const LOSS_RECORD_UNIFORM = defineUniform('LossRecordParams', { partials: 'u32', historyLength: 'u32' });
export const lossRecordKernel = opKernel('ops/loss_record', LOSS_RECORD_UNIFORM, ['partials', 'history', 'state']);
/** Few threads per workgroup: SwiftShader's cost is per workgroup and per thread, and more workgroups spread the rows over its cores. */
export const CROSSENTROPY_WG = { forward: 4, backward: 16 };
/** Rows one thread of crossentropy_forward sums into its partial pair. */
export const CROSSENTROPY_ROWS = 4;

export const IGNORE_INDEX = -1;

/** The target of logits row r: position r % P of example rows[r / P] (P targets per example: 1, or T for sequences). */
function targetOf(targets: ArrayLike<number>, rows: Uint32Array, r: number, P: number): number {
  return targets[rows[Math.floor(r / P)] * P + (r % P)];
}

/** NLL of one row by log-sum-exp, in float64. */
function rowNll(logits: ArrayLike<number>, row: number, V: number, y: number): number {
  let m = -Infinity;
  for (let v = 0; v < V; v++) m = Math.max(m, logits[row + v]);
  let s = 0;
  for (let v = 0; v < V; v++) s += Math.exp(logits[row + v] - m);
  return Math.log(s) - (logits[row + y] - m);
}

/**
 * crossentropy_forward's twin: (Σ NLL, count) over each group of `group` consecutive rows
 * with a valid target (NaN for a group with a non-finite logit); rows[r] is the example of row r.
 */
export function crossentropyForwardCpu(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: Uint32Array, V: number, group = Infinity, P = 1): { sums: Float64Array; counts: Uint32Array } {
  const n = rows.length * P;
  const groups = group === Infinity ? 1 : Math.max(1, Math.ceil(n / group));
  const sums = new Float64Array(groups);
  const counts = new Uint32Array(groups);
  for (let r = 0; r < n; r++) {
    const y = targetOf(targets, rows, r, P);
    if (y < 0) continue;
    const g = group === Infinity ? 0 : Math.floor(r / group);
    const nll = rowNll(logits, r * V, V, y);
    sums[g] += Number.isFinite(nll) ? nll : NaN;
    counts[g]++;
  }
  return { sums, counts };
}

/** loss_record's twin: Σ sums / Σ counts (NaN when nothing is valid). */
export function lossRecordCpu(sums: ArrayLike<number>, counts: ArrayLike<number>): { loss: number; valid: number } {
  let s = 0;
  let c = 0;
  for (let i = 0; i < sums.length; i++) {
    s += sums[i];
    c += counts[i];
  }
  return { loss: c > 0 ? s / c : NaN, valid: c };
}

/** crossentropy_backward's twin: dlogits[r] += (softmax(logits[r]) − one-hot(y_r)) / valid for the valid rows. */
export function crossentropyBackwardCpu(dlogits: Floats, logits: ArrayLike<number>, targets: ArrayLike<number>, rows: Uint32Array, V: number, valid: number, P = 1): void {
  for (let r = 0; r < rows.length * P; r++) {
    const y = targetOf(targets, rows, r, P);
    if (y < 0) continue;
    const row = r * V;
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[row + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(logits[row + v] - m);
    for (let v = 0; v < V; v++) dlogits[row + v] += (Math.exp(logits[row + v] - m) / s - (v === y ? 1 : 0)) / valid;
  }
}

/** Partial pairs crossentropy_forward writes for n rows (ROWS rows each). */
export function crossentropyPartials(n: number, rows = CROSSENTROPY_ROWS): number {
  return Math.max(1, Math.ceil(n / rows));
}

/** crossentropy_forward's grid (a thread per partial pair) and overrides. */
export function crossentropyForwardLaunch(enc: OpEncoder, n: number, o: { WG?: number; ROWS?: number } = {}): { grid: Grid; overrides: Record<string, number>; pairs: number } {
  const WG = o.WG ?? CROSSENTROPY_WG.forward;
  const ROWS = o.ROWS ?? CROSSENTROPY_ROWS;
  const pairs = crossentropyPartials(n, ROWS);
  return { grid: enc.grid(pairs, WG), overrides: { WG, ROWS }, pairs };
}

export function lossRecordDispatch(enc: OpEncoder, d: { partials: number; historyLength: number; partialBuffer: Binding; history: Binding; state: Binding }): Promise<Dispatch> {
  return enc.dispatch(lossRecordKernel, {
    grid: { x: 1, y: 1 },
    uniform: { partials: d.partials, historyLength: d.historyLength },
    bind: { partials: d.partialBuffer, history: d.history, state: d.state },
  });
}

/** Node: inputs [logits (n·P, V)], no output (the loss goes to the environment); attrs P, targets per example. */
export const crossentropyOp: Op = {
  name: 'crossentropy',
  forwardCpu({ inputs: [logits], attrs }, env) {
    const [, V] = logits.shape;
    const { sums, counts } = crossentropyForwardCpu(env.value(logits), env.data.targets, env.data.rows, V, Infinity, attrs.P as number);
    env.loss = { sum: sums[0], count: counts[0] };
  },
  backwardCpu({ inputs: [logits], attrs }, env) {
    const [, V] = logits.shape;
    crossentropyBackwardCpu(env.grad(logits)!, env.value(logits), env.data.targets, env.data.rows, V, env.loss.count, attrs.P as number);
  },
  async forwardGpu({ inputs: [logits], attrs }, env) {
    const [n, V] = logits.shape;
    const { grid, overrides } = crossentropyForwardLaunch(env.enc, n);
    const { targets, indices, first } = env.data;
    return [await env.enc.dispatch(crossentropyForwardKernel, {
      defines: { indexed: indices !== null }, overrides, grid,
      uniform: { n, first, V, partial: env.partials.first, rowStride: grid.rowStride, P: attrs.P as number },
      bind: { targets, ...(indices ? { indices } : {}), logits: env.value(logits), partials: env.partials.buffer },
    })];
  },
  async backwardGpu({ inputs: [logits], attrs }, env) {
    const [n, V] = logits.shape;
    const grid = env.enc.grid(n, CROSSENTROPY_WG.backward);
    const { targets, indices, first } = env.data;
    return [await env.enc.dispatch(crossentropyBackwardKernel, {
      defines: { indexed: indices !== null, accumulate: env.accumulate(logits) }, overrides: { WG: CROSSENTROPY_WG.backward }, grid,
      uniform: { n, first, V, rowStride: grid.rowStride, P: attrs.P as number },
      bind: { targets, ...(indices ? { indices } : {}), logits: env.value(logits), dlogits: env.grad(logits)!, state: env.state },
    })];
  },
};
