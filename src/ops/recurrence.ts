/**
 * recurrence: makemore's rnn or gru cell walked over the T time steps of B sequences in one
 * kernel (the unrolled composition of concat, linear, tanh, sigmoid, mul and lerp, T times, is
 * its reference: src/models/rnn/net.ts). Shapes: B sequences, T steps, C input width (n_embd),
 * H state (n_embd2), K = C + H.
 *   x (B·T, C)  (row b·T + t: the input of step t; an embedding's (B, T·C) is the same memory)
 *   h_{−1} = start (H,)
 *   rnn: h_t = tanh([x_t, h_{t−1}]·W + b)                                   W (K, H), b (H)
 *   gru: z = σ([x_t, h_{t−1}]·Wz + bz), r = σ([x_t, h_{t−1}]·Wr + br)  (one pass: 2H columns)
 *        h̄ = tanh([x_t, r ⊙ h_{t−1}]·Wh̄ + bh̄),  h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̄
 *   out (B·T, H): h_t at row b·T + t (the stack of the states, as the head reads them).
 * The input's part of every step, x·W[0:C] + b, is one product over all B·T rows before the
 * walk, which then sums only h_{t−1}'s part. The forward keeps [x_t, h_{t−1}] (and the gru's
 * [x_t, r ⊙ h_{t−1}], z, r, h̄) for the backward.
 * Backward through time: one kernel walks t = T−1 … 0 carrying dh_{t−1} per sequence and writes
 * each step's pre-activation gradients; the weight gradients are then one product over all B·T
 * rows each (dW += [x, h]ᵀ·dpre, the bias beside it), the input's gradient one product per
 * weight (dx (+)= dpre·W[0:C]ᵀ), and dstart the column sums of the last carry. No float atomics:
 * a workgroup owns four sequences, and every sum has one order.
 * Kernels: shaders/ops/recurrence_forward.wgsl, shaders/ops/recurrence_backward.wgsl.
 */
import { defineUniform } from './uniform.ts';
import { opKernel, type Binding, type OpEncoder } from './kernel.ts';
import { matmulCpu } from './matmulCpu.ts';
import { matmulDispatch } from './linear.ts';
import { biasBackwardCpu, biasBackwardDispatch } from './bias.ts';
import type { MatmulConfig } from './matmulTiling.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Floats, GpuEnv, Op, Tensor } from './op.ts';

export const RECURRENCE_UNIFORM = defineUniform('RecurrenceParams', {
  B: 'u32', T: 'u32', C: 'u32', H: 'u32',
  w0: 'u32', b0: 'u32', w1: 'u32', b1: 'u32', w2: 'u32', b2: 'u32',
  xh: 'u32', xhr: 'u32', z: 'u32', r: 'u32', hbar: 'u32', p0: 'u32', p1: 'u32', p2: 'u32',
  dpre: 'u32', dr: 'u32', dhbar: 'u32', carry: 'u32',
});
export const recurrenceForwardKernel = opKernel('ops/recurrence_forward', RECURRENCE_UNIFORM, ['x', 'start', 'weights', 'out', 'saved']);
export const recurrenceBackwardKernel = opKernel('ops/recurrence_backward', RECURRENCE_UNIFORM, ['dout', 'out', 'weights', 'saved', 'scratch']);
/**
 * Threads of the workgroup that owns four sequences, each over groups of four state columns: 4 (one
 * SIMD group of SwiftShader's 4 lanes, so a barrier switches no coroutines there).
 */
export const RECURRENCE_WG = 4;

export type Cell = 'rnn' | 'gru';

export interface RecurrenceShape {
  cell: Cell;
  B: number;
  T: number;
  C: number;
  H: number;
}

const align64 = (n: number) => Math.ceil(n / 64) * 64;

/**
 * Where each block lives in the forward's saved tensor and the backward's scratch tensor (in
 * floats; every block starts at a multiple of 64 floats, so that a product binds it as a range).
 *   saved:   xh (B·T, K), for the gru xhr (B·T, K), z, r, h̄ (B·T, H); then per gate
 *            p = x·W[0:C] + b (B·T, H), the input's part of every step, one product before the walk
 *   scratch: dpre (B·T, H) (rnn: d(pre-tanh); gru: d(pre-σ) of z), gru dr, dh̄ (B·T, H); carry (B, H)
 */
export function recurrenceBlocks({ cell, B, T, C, H }: RecurrenceShape) {
  const BT = B * T;
  const gru = cell === 'gru';
  const xhSize = align64(BT * (C + H));
  const hSize = align64(BT * H);
  const xh = 0;
  const xhr = xh + xhSize;
  const z = gru ? xhr + xhSize : xhr;
  const r = gru ? z + hSize : z;
  const hbar = gru ? r + hSize : r;
  const p0 = gru ? hbar + hSize : xhSize;
  const p1 = gru ? p0 + hSize : p0;
  const p2 = gru ? p1 + hSize : p1;
  const saved = (gru ? p2 : p0) + hSize;
  const dpre = 0;
  const dr = hSize;
  const dhbar = gru ? dr + hSize : dr;
  const carry = gru ? dhbar + hSize : dr;
  return { xh, xhr, z, r, hbar, p: gru ? [p0, p1, p2] : [p0], saved, dpre, dr, dhbar, carry, scratch: carry + align64(B * H) };
}

/** The cell's weights and biases in order: rnn [W, b]; gru [Wz, bz, Wr, br, Wh̄, bh̄]. */
export interface CellWeights<A = ArrayLike<number>> {
  w: A[];
  b: A[];
}

const zeros = <A extends Floats>(like: A, n: number): A => new (like.constructor as new (n: number) => A)(n);

/** recurrence_forward's twin: each step as the unrolled composition computes it (a product of all B rows, then the activation). */
export function recurrenceForwardCpu<A extends Floats>(s: RecurrenceShape, out: A, saved: A, x: ArrayLike<number>, start: ArrayLike<number>, p: CellWeights): void {
  const { B, T, C, H } = s;
  const K = C + H;
  const blk = recurrenceBlocks(s);
  const xh = zeros(out, B * K);
  const xhr = zeros(out, B * K);
  const [g0, g1, g2] = [zeros(out, B * H), zeros(out, B * H), zeros(out, B * H)];
  // The kernel's first products (the twin's steps below sum [x_t, h_{t−1}] whole, as the unrolled graph).
  blk.p.forEach((o, i) => matmulCpu(saved.subarray(o, o + B * T * H) as A, x, (p.w[i] as Floats).subarray(0, C * H), B * T, C, H, { bias: p.b[i] as Floats }));
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) xh[b * K + c] = x[(b * T + t) * C + c];
      for (let k = 0; k < H; k++) xh[b * K + C + k] = t === 0 ? start[k] : out[(b * T + t - 1) * H + k];
    }
    const keep = (block: number, src: Floats, width: number) => {
      for (let b = 0; b < B; b++) for (let k = 0; k < width; k++) saved[block + (b * T + t) * width + k] = src[b * width + k];
    };
    keep(blk.xh, xh, K);
    const put = (b: number, j: number, v: number) => (out[(b * T + t) * H + j] = v);
    if (s.cell === 'rnn') {
      matmulCpu(g0, xh, p.w[0], B, K, H, { bias: p.b[0] as Floats, tanh: true });
      for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) put(b, j, g0[b * H + j]);
      continue;
    }
    matmulCpu(g0, xh, p.w[0], B, K, H, { bias: p.b[0] as Floats });
    matmulCpu(g1, xh, p.w[1], B, K, H, { bias: p.b[1] as Floats });
    for (let i = 0; i < B * H; i++) {
      g0[i] = sigmoid(g0[i]);
      g1[i] = sigmoid(g1[i]);
    }
    keep(blk.z, g0, H);
    keep(blk.r, g1, H);
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) xhr[b * K + c] = xh[b * K + c];
      for (let k = 0; k < H; k++) xhr[b * K + C + k] = g1[b * H + k] * xh[b * K + C + k];
    }
    keep(blk.xhr, xhr, K);
    matmulCpu(g2, xhr, p.w[2], B, K, H, { bias: p.b[2] as Floats, tanh: true });
    keep(blk.hbar, g2, H);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        put(b, j, (1 - g0[i]) * xh[b * K + C + j] + g0[i] * g2[i]);
      }
    }
  }
}

/** As sigmoid_forward: through exp(−|x|), no overflow. */
function sigmoid(v: number): number {
  const e = Math.exp(-Math.abs(v));
  return v >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/**
 * recurrence_backward's twin and the products after it: the steps in reverse, each step's
 * pre-activation gradients into scratch, then the weight, bias, input and start gradients, all
 * accumulated (dx is written when accumulateX is false).
 */
export function recurrenceBackwardCpu<A extends Floats>(
  s: RecurrenceShape, dout: ArrayLike<number>, out: ArrayLike<number>, saved: ArrayLike<number>, scratch: A, p: CellWeights,
  g: { dx: A | null; accumulateX: boolean; dstart: A | null; dw: (A | null)[]; db: (A | null)[] },
): void {
  const { B, T, C, H } = s;
  const K = C + H;
  const blk = recurrenceBlocks(s);
  const gru = s.cell === 'gru';
  const carry = scratch.subarray(blk.carry, blk.carry + B * H) as A;
  carry.fill(0);
  // dpre (B, H) rows of one step, gathered for the products with W[C:K]ᵀ.
  const [d0, d1, dh] = [zeros(scratch, B * H), zeros(scratch, B * H), zeros(scratch, B * H)];
  const wh = (w: ArrayLike<number>) => (w as Floats).subarray(C * H, K * H);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const row = (b * T + t) * H + j;
        const i = b * H + j;
        const d = dout[row] + carry[i];
        if (!gru) {
          d0[i] = d * (1 - out[row] * out[row]);
          scratch[blk.dpre + row] = d0[i];
          continue;
        }
        const z = saved[blk.z + row];
        const hb = saved[blk.hbar + row];
        const hp = saved[blk.xh + (b * T + t) * K + C + j];
        d1[i] = d * z * (1 - hb * hb);
        scratch[blk.dhbar + row] = d1[i];
        d0[i] = d * (hb - hp) * z * (1 - z);
        scratch[blk.dpre + row] = d0[i];
        carry[i] = d * (1 - z);
      }
    }
    if (!gru) {
      matmulCpu(carry, d0, wh(p.w[0]), B, H, H, { transB: true });
      continue;
    }
    // d(r ⊙ h_{t−1}) = dh̄pre·Wh̄[C:K]ᵀ, then r's gradient and h_{t−1}'s through it.
    matmulCpu(dh, d1, wh(p.w[2]), B, H, H, { transB: true });
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < H; k++) {
        const row = (b * T + t) * H + k;
        const i = b * H + k;
        const r = saved[blk.r + row];
        const hp = saved[blk.xh + (b * T + t) * K + C + k];
        const dr = dh[i] * hp * r * (1 - r);
        scratch[blk.dr + row] = dr;
        d1[i] = dr;
        carry[i] += dh[i] * r;
      }
    }
    matmulCpu(carry, d0, wh(p.w[0]), B, H, H, { transB: true, accumulate: true });
    matmulCpu(carry, d1, wh(p.w[1]), B, H, H, { transB: true, accumulate: true });
  }
  const BT = B * T;
  const block = (o: number, n: number) => (scratch as Floats).subarray(o, o + n);
  const sv = (o: number, n: number) => (saved as Floats).subarray(o, o + n);
  const grads = gru
    ? [[blk.xh, blk.dpre], [blk.xh, blk.dr], [blk.xhr, blk.dhbar]]
    : [[blk.xh, blk.dpre]];
  grads.forEach(([a, d], i) => {
    const dpre = block(d, BT * H);
    const dw = g.dw[i];
    if (dw) matmulCpu(dw, sv(a, BT * K), dpre, K, BT, H, { transA: true, accumulate: true });
    const db = g.db[i];
    if (db) biasBackwardCpu(db, dpre, BT, H);
    if (g.dx) matmulCpu(g.dx, dpre, (p.w[i] as Floats).subarray(0, C * H), BT, H, C, { transB: true, accumulate: g.accumulateX || i > 0 });
  });
  if (g.dstart) biasBackwardCpu(g.dstart, carry, B, H);
}

export interface RecurrenceDispatch extends RecurrenceShape {
  /** Offsets of each weight and bias in `weights`, in floats. */
  offsets: { w: number[]; b: number[] };
  label?: string;
  WG?: number;
}

function uniformOf(d: RecurrenceDispatch) {
  const blk = recurrenceBlocks(d);
  const [w0, w1 = 0, w2 = 0] = d.offsets.w;
  const [b0, b1 = 0, b2 = 0] = d.offsets.b;
  const [p0, p1 = 0, p2 = 0] = blk.p;
  return {
    B: d.B, T: d.T, C: d.C, H: d.H, w0, b0, w1, b1, w2, b2, xh: blk.xh, xhr: blk.xhr, z: blk.z, r: blk.r, hbar: blk.hbar, p0, p1, p2,
    dpre: blk.dpre, dr: blk.dr, dhbar: blk.dhbar, carry: blk.carry,
  };
}

/** Before the walk: p = x·W[0:C] + b for every step of every sequence, a product per gate (into saved). */
export function recurrenceInputDispatches(enc: OpEncoder, matmul: MatmulConfig, s: RecurrenceShape, x: Binding, w: Binding[], b: Binding[], saved: Binding, label = 'recurrence'): Promise<Dispatch[]> {
  const { B, T, C, H } = s;
  return Promise.all(recurrenceBlocks(s).p.map((o, i) => matmulDispatch(enc, matmul, {
    label: `${label} x·W${i}`, M: B * T, K: C, N: H, a: x, b: sub(w[i], 0, C * H), bias: b[i], out: sub(saved, o, B * T * H),
  })));
}

/** Sequences per workgroup: each load of a weight feeds this many of them. */
export const RECURRENCE_ROWS = 4;

/** The walk (after recurrenceInputDispatches): one workgroup per four sequences (folded into 2-D past the per-dimension limit). */
export function recurrenceForwardDispatch(enc: OpEncoder, d: RecurrenceDispatch & { x: Binding; start: Binding; weights: Binding; out: Binding; saved: Binding }): Promise<Dispatch> {
  const WG = d.WG ?? RECURRENCE_WG;
  return enc.dispatch(recurrenceForwardKernel, {
    label: d.label, defines: { gru: d.cell === 'gru' }, overrides: { WG }, grid: enc.grid(Math.ceil(d.B / RECURRENCE_ROWS) * WG, WG), uniform: uniformOf(d),
    bind: { x: d.x, start: d.start, weights: d.weights, out: d.out, saved: d.saved },
  });
}

/** The walk back through time alone: scratch's dpre (dr, dh̄) and carry (d h_{−1}) written. */
export function recurrenceBackwardDispatch(enc: OpEncoder, d: RecurrenceDispatch & { dout: Binding; out: Binding; weights: Binding; saved: Binding; scratch: Binding }): Promise<Dispatch> {
  const WG = d.WG ?? RECURRENCE_WG;
  return enc.dispatch(recurrenceBackwardKernel, {
    label: d.label, defines: { gru: d.cell === 'gru', rnn: d.cell === 'rnn' }, overrides: { WG }, grid: enc.grid(Math.ceil(d.B / RECURRENCE_ROWS) * WG, WG), uniform: uniformOf(d),
    // The rnn's backward reads h_t from out, the gru's h_{t−1} and its gates from saved.
    bind: { dout: d.dout, ...(d.cell === 'rnn' ? { out: d.out } : { saved: d.saved }), weights: d.weights, scratch: d.scratch },
  });
}

/** A range of a buffer, `offset` and `n` in floats past the binding's start. */
function sub(b: Binding, offset: number, n: number): GPUBufferBinding {
  const base = 'buffer' in b ? b : { buffer: b, offset: 0 };
  return { buffer: base.buffer, offset: (base.offset ?? 0) + 4 * offset, size: 4 * Math.max(1, n) };
}

/**
 * The products after the walk back: per gate, dW += [x, h]ᵀ·dpre with db beside it, dx (+)= dpre·W[0:C]ᵀ;
 * dstart += Σ_b carry.
 */
export async function recurrenceGradientDispatches(
  enc: OpEncoder, matmul: MatmulConfig, s: RecurrenceShape, saved: Binding, scratch: Binding, w: Binding[],
  g: { dx: Binding | null; accumulateX: boolean; dstart: Binding | null; dw: (Binding | null)[]; db: (Binding | null)[]; label: string },
): Promise<Dispatch[]> {
  const { B, T, C, H } = s;
  const K = C + H;
  const BT = B * T;
  const blk = recurrenceBlocks(s);
  const pairs = s.cell === 'gru' ? [[blk.xh, blk.dpre], [blk.xh, blk.dr], [blk.xhr, blk.dhbar]] : [[blk.xh, blk.dpre]];
  const out: Dispatch[] = [];
  for (const [i, [a, d]] of pairs.entries()) {
    const dpre = sub(scratch, d, BT * H);
    const [dw, db] = [g.dw[i], g.db[i]];
    if (dw) {
      out.push(await matmulDispatch(enc, matmul, { label: `${g.label} dW${i}${db ? ' + db' : ''}`, M: K, K: BT, N: H, transA: true, accumulate: true, a: sub(saved, a, BT * K), b: dpre, out: dw, biasGrad: db ?? undefined }));
    } else if (db) {
      out.push(await biasBackwardDispatch(enc, { M: BT, N: H, dout: dpre, dbias: db, label: `${g.label} db${i}` }));
    }
    if (g.dx) {
      const wx = sub(w[i], 0, C * H);
      out.push(await matmulDispatch(enc, matmul, { label: `${g.label} dx${i}`, M: BT, K: H, N: C, transB: true, accumulate: g.accumulateX || i > 0, a: dpre, b: wx, out: g.dx }));
    }
  }
  if (g.dstart) out.push(await biasBackwardDispatch(enc, { M: B, N: H, dout: sub(scratch, blk.carry, B * H), dbias: g.dstart, label: `${g.label} dstart` }));
  return out;
}

/** The cell's weights as one range of the parameter buffer (they are declared one after the other), and each one's offset in it. */
function weightRange(env: GpuEnv, ts: readonly Tensor[]): { range: GPUBufferBinding; offsets: number[] } {
  const bs = ts.map((t) => env.value(t) as GPUBufferBinding);
  const buffer = bs[0].buffer;
  if (bs.some((b) => b.buffer !== buffer || b.offset === undefined || b.size === undefined)) throw new Error('recurrence: the cell\'s parameters must be ranges of one buffer');
  const lo = Math.min(...bs.map((b) => b.offset!));
  const hi = Math.max(...bs.map((b) => b.offset! + b.size!));
  return { range: { buffer, offset: lo, size: hi - lo }, offsets: bs.map((b) => (b.offset! - lo) / 4) };
}

/**
 * Node: inputs [x (B, T·C), start (1, H), then per gate W (K, H), b (H)] (rnn one gate, gru
 * three: z, r, h̄); output (B·T, H); saved [the forward's blocks, the backward's scratch]
 * (recurrenceBlocks); attrs T, gru.
 */
export const recurrenceOp: Op = {
  name: 'recurrence',
  forwardCpu(node, env) {
    const { s, x, start, ws, bs } = parts(node);
    recurrenceForwardCpu(s, env.value(node.output!), env.value(node.saved![0]), env.value(x), env.value(start), { w: ws.map(env.value), b: bs.map(env.value) });
  },
  backwardCpu(node, env) {
    const { s, x, start, ws, bs } = parts(node);
    const out = node.output!;
    recurrenceBackwardCpu(s, env.grad(out)!, env.value(out), env.value(node.saved![0]), env.value(node.saved![1]), { w: ws.map(env.value), b: bs.map(env.value) }, {
      dx: env.grad(x), accumulateX: true, dstart: env.grad(start), dw: ws.map(env.grad), db: bs.map(env.grad),
    });
  },
  async forwardGpu(node, env) {
    const { s, x, start, ws, bs } = parts(node);
    const { range, offsets } = weightRange(env, [...ws, ...bs]);
    const saved = env.value(node.saved![0]);
    const label = `recurrence ${node.output!.name}`;
    return [
      ...(await recurrenceInputDispatches(env.enc, env.matmul, s, env.value(x), ws.map(env.value), bs.map(env.value), saved, label)),
      await recurrenceForwardDispatch(env.enc, {
        ...s, offsets: { w: offsets.slice(0, ws.length), b: offsets.slice(ws.length) }, label, x: env.value(x), start: env.value(start), weights: range, out: env.value(node.output!), saved,
      }),
    ];
  },
  async backwardGpu(node, env) {
    const { s, x, start, ws, bs } = parts(node);
    const out = node.output!;
    const { range, offsets } = weightRange(env, [...ws, ...bs]);
    const [saved, scratch] = [env.value(node.saved![0]), env.value(node.saved![1])];
    const label = `recurrence ${out.name} backward`;
    return [
      await recurrenceBackwardDispatch(env.enc, {
        ...s, offsets: { w: offsets.slice(0, ws.length), b: offsets.slice(ws.length) }, label, dout: env.grad(out)!, out: env.value(out), weights: range, saved, scratch,
      }),
      ...(await recurrenceGradientDispatches(env.enc, env.matmul, s, saved, scratch, ws.map(env.value), {
        dx: env.grad(x), accumulateX: env.accumulate(x), dstart: env.grad(start), dw: ws.map(env.grad), db: bs.map(env.grad), label,
      })),
    ];
  },
};

function parts({ inputs, output, attrs }: { inputs: readonly Tensor[]; output: Tensor | null; attrs: Record<string, number | boolean> }) {
  const [x, start, ...cell] = inputs;
  const T = attrs.T as number;
  const H = start.shape[1];
  const s: RecurrenceShape = { cell: attrs.gru ? 'gru' : 'rnn', B: output!.shape[0] / T, T, C: x.shape[1] / T, H };
  return { s, x, start, ws: cell.filter((_, i) => i % 2 === 0), bs: cell.filter((_, i) => i % 2 === 1) };
}
