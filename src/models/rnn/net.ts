/**
 * makemore's recurrent models, rnn and gru, in two forms of one computation: the time loop as
 * one op (ops/recurrence: a kernel walks the T steps, another walks them back; the default,
 * DEFAULT_LOOP: 17 and 23 dispatches a step where the unrolled graph has 171 and 427) or
 * unrolled into the graph as T cells of the op library's layers (the reference the op is
 * checked against). Both declare the same parameters, so a seed draws the same weights and a
 * model file reads into either. Shapes: B sequences, T positions (block size),
 * V vocabulary, C token embedding (n_embd), H state (n_embd2).
 *   h_{−1} = start                                         (B, H)   a learned row, broadcast
 *   for t < T:  x_t = wte[idx[:, t]]                       (B, C)   step_embedding
 *               xh = cat(x_t, h_{t−1})                     (B, C + H)
 *     rnn:      h_t = tanh(xh · W + b)
 *     gru:      r = σ(xh · W_r + b_r),  z = σ(xh · W_z + b_z)
 *               h̄ = tanh(cat(x_t, r ⊙ h_{t−1}) · W_h̄ + b_h̄)
 *               h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̄           lerp
 *   logits = stack(h_0 … h_{T−1}) · lm_head + b             (B·T, V)
 *   loss = mean NLL over the positions whose target is not −1
 * The one-op form computes z and r in one pass over [x_t, h_{t−1}] (2H columns), reading
 * xh_to_z and xh_to_r where makemore keeps them: one (C + H, 2H) tensor would rename makemore's
 * parameters and every saved GRU file for no fewer dispatches (its weight gradients are one
 * product each over all B·T rows either way).
 * Parameters (model files, the GPU's flat vector), in makemore's order: start (1, H), wte (V, C);
 * rnn: cell.xh_to_h.{w (C + H, H), b (H)}; gru: cell.xh_to_z, cell.xh_to_r, cell.xh_to_hbar, each
 * {w (C + H, H), b (H)}; lm_head.{w (H, V), b (V)}. Linear weights are stored (in, out): x·W.
 */
import type { ContextData } from '../../data/contexts.ts';
import { Graph } from '../../nn/graph.ts';
import type { TensorLayout } from '../../nn/layout.ts';
import type { NetSpec } from '../../nn/netSpec.ts';
import type { Floats, Tensor } from '../../ops/op.ts';
import type { OptimizerConfig } from '../../ops/optimizers.ts';
import type { SequenceHyper } from '../../train/hyper.ts';
import { initPytorchDefaults } from '../pytorchInit.ts';

export type CellKind = 'rnn' | 'gru';

export interface RnnShape {
  cell: CellKind;
  V: number;
  /** Block size: positions of a sequence (time steps of the loop). */
  T: number;
  /** Token embedding dimensions (n_embd). */
  C: number;
  /** State dimensions (n_embd2). */
  H: number;
  /** The time loop as one op (ops/recurrence: a kernel walks the steps) or unrolled into T cells of the op library's layers (default DEFAULT_LOOP). */
  loop?: boolean;
}

/** Which form of the time loop the trainers run (docs/BENCHMARKS.md, "The recurrent models' time loop"). */
export const DEFAULT_LOOP = true;

export function rnnShape(cell: CellKind, data: Pick<ContextData, 'V' | 'T'>, h: Pick<SequenceHyper, 'nEmbd' | 'nEmbd2'>): RnnShape {
  return { cell, V: data.V, T: data.T, C: h.nEmbd, H: h.nEmbd2 };
}

const CELL_LAYERS: Record<CellKind, readonly string[]> = { rnn: ['xh_to_h'], gru: ['xh_to_z', 'xh_to_r', 'xh_to_hbar'] };

/** The forward on `rows` sequences; without the loss, for sampling (the logits are the activation 'logits'). */
export function rnnGraph(s: RnnShape, rows: number, withLoss = true): Graph {
  const { V, T, C, H } = s;
  const g = new Graph(rows);
  const start = g.param('start', [1, H]);
  const wte = g.param('wte', [V, C]);
  const cell = new Map<string, { w: Tensor; b: Tensor }>(CELL_LAYERS[s.cell].map((l) => [l, { w: g.param(`cell.${l}.w`, [C + H, H]), b: g.param(`cell.${l}.b`, [H])}]));
  const head = { w: g.param('lm_head.w', [H, V]), b: g.param('lm_head.b', [V]) };
  const linear = (out: string, x: Tensor, layer: string) => g.linear(out, x, cell.get(layer)!.w, cell.get(layer)!.b);
  if (s.loop ?? DEFAULT_LOOP) {
    const x = g.embedding('x', wte, T);
    const weights = CELL_LAYERS[s.cell].flatMap((l) => [cell.get(l)!.w, cell.get(l)!.b]);
    const hidden = g.recurrence('hidden', x, start, weights, T, s.cell);
    const logits = g.linear('logits', hidden, head.w, head.b);
    if (withLoss) g.crossentropy(logits, T);
    return g;
  }
  let h = g.broadcast('h.start', start);
  const states: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const x = g.stepEmbedding(`x.${t}`, wte, T, t);
    const xh = g.concat(`xh.${t}`, x, h);
    if (s.cell === 'rnn') {
      h = g.tanh(`h.${t}`, linear(`h.${t}.pre`, xh, 'xh_to_h'));
    } else {
      const r = g.sigmoid(`r.${t}`, linear(`r.${t}.pre`, xh, 'xh_to_r'));
      const xhr = g.concat(`xhr.${t}`, x, g.mul(`hr.${t}`, r, h));
      const hbar = g.tanh(`hbar.${t}`, linear(`hbar.${t}.pre`, xhr, 'xh_to_hbar'));
      const z = g.sigmoid(`z.${t}`, linear(`z.${t}.pre`, xh, 'xh_to_z'));
      h = g.lerp(`h.${t}`, h, hbar, z);
    }
    states.push(h);
  }
  const logits = g.linear('logits', g.stack('hidden', states), head.w, head.b);
  if (withLoss) g.crossentropy(logits, T);
  return g;
}

/** The parameters do not depend on T: one step's graph declares them all. */
export function rnnParamLayout(s: Omit<RnnShape, 'T'>): TensorLayout {
  return rnnGraph({ ...s, T: 1 }, 1, false).paramLayout();
}

/** PyTorch's defaults, as makemore leaves them: the start state zeros, wte N(0, 1), the linear layers U(±1/√fan_in). */
export function initRnnParams<A extends Floats>(s: RnnShape, seed: number, make: new (n: number) => A, layout = rnnParamLayout(s)): A {
  return initPytorchDefaults(layout, seed, make, (name) => (name === 'start' ? 'zeros' : name === 'wte' ? 'normal' : 'linear'));
}

export function sequenceOptimizer(h: SequenceHyper): OptimizerConfig {
  // The last half of the steps at lrFinal: the same as lr (makemore's constant rate) unless --lr-final says otherwise.
  return { kind: h.optimizer, lr: h.lr, lrFinal: h.lrFinal, decayStep: Math.floor(h.steps / 2), beta1: h.beta1, beta2: h.beta2, eps: h.eps, weightDecay: h.weightDecay };
}

export function rnnNetSpec(cell: CellKind, data: Pick<ContextData, 'V' | 'T'>, hyper: SequenceHyper, loop = DEFAULT_LOOP): NetSpec {
  const s = { ...rnnShape(cell, data, hyper), loop };
  return {
    label: cell === 'rnn' ? 'the RNN' : 'the GRU',
    graph: (rows) => rnnGraph(s, rows),
    init: (layout, make) => initRnnParams(s, hyper.seed, make, layout),
    optimizer: sequenceOptimizer(hyper),
    batchSize: hyper.batchSize,
    seed: hyper.seed,
  };
}
