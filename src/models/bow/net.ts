/**
 * makemore's bag of words, bow, as a composition of the op library's layers. Shapes: B
 * sequences, T positions (block size), V vocabulary, C channels (n_embd), H the MLP's hidden
 * width (n_embd2).
 *   x = wte[idx] + wpe[t]                                  (B·T, C)   encoder
 *   x = x + causal_mean(x)                                 each position's mean of positions ≤ t
 *   x = x + tanh(x · fc + b) · proj + b                    fc: C → H, proj: H → C
 *   logits = x · lm_head + b                               (B·T, V)
 *   loss = mean NLL over the positions whose target is not −1
 * Parameters (model files, the GPU's flat vector), in makemore's order: wte (V, C), wpe (T, C),
 * mlp.fc.{w (C, H), b (H)}, mlp.proj.{w (H, C), b (C)}, lm_head.{w (C, V), b (V)}. Linear
 * weights are stored (in, out): x·W.
 */
import type { ContextData } from '../../data/contexts.ts';
import { Graph } from '../../nn/graph.ts';
import type { TensorLayout } from '../../nn/layout.ts';
import type { NetSpec } from '../../nn/netSpec.ts';
import type { Floats } from '../../ops/op.ts';
import type { SequenceHyper } from '../../train/hyper.ts';
import { initPytorchDefaults } from '../pytorchInit.ts';
import { sequenceOptimizer } from '../rnn/net.ts';

export interface BowShape {
  V: number;
  /** Block size: positions of a sequence. */
  T: number;
  /** Channels (n_embd). */
  C: number;
  /** The MLP's hidden width (n_embd2). */
  H: number;
}

export function bowShape(data: Pick<ContextData, 'V' | 'T'>, h: Pick<SequenceHyper, 'nEmbd' | 'nEmbd2'>): BowShape {
  return { V: data.V, T: data.T, C: h.nEmbd, H: h.nEmbd2 };
}

/** The forward on `rows` sequences; without the loss, for sampling (the logits are the activation 'logits'). */
export function bowGraph(s: BowShape, rows: number, withLoss = true): Graph {
  const { V, T, C, H } = s;
  const g = new Graph(rows);
  const wte = g.param('wte', [V, C]);
  const wpe = g.param('wpe', [T, C]);
  const fc = { w: g.param('mlp.fc.w', [C, H]), b: g.param('mlp.fc.b', [H]) };
  const proj = { w: g.param('mlp.proj.w', [H, C]), b: g.param('mlp.proj.b', [C]) };
  const head = { w: g.param('lm_head.w', [C, V]), b: g.param('lm_head.b', [V]) };
  const x0 = g.encoder('x0', wte, wpe);
  const x1 = g.residual('x1', x0, g.causalMean('bow', x0, T));
  const hidden = g.tanh('mlp.h', g.linear('mlp.fc.out', x1, fc.w, fc.b));
  const x2 = g.residual('x2', x1, g.linear('mlp.out', hidden, proj.w, proj.b));
  const logits = g.linear('logits', x2, head.w, head.b);
  if (withLoss) g.crossentropy(logits, T);
  return g;
}

export function bowParamLayout(s: BowShape): TensorLayout {
  return bowGraph(s, 1, false).paramLayout();
}

/** PyTorch's defaults, as makemore leaves them: both embeddings N(0, 1), the linear layers U(±1/√fan_in). */
export function initBowParams<A extends Floats>(s: BowShape, seed: number, make: new (n: number) => A, layout = bowParamLayout(s)): A {
  return initPytorchDefaults(layout, seed, make, (name) => (name === 'wte' || name === 'wpe' ? 'normal' : 'linear'));
}

export function bowNetSpec(data: Pick<ContextData, 'V' | 'T'>, hyper: SequenceHyper): NetSpec {
  const s = bowShape(data, hyper);
  return {
    label: 'the bag of words',
    graph: (rows) => bowGraph(s, rows),
    init: (layout, make) => initBowParams(s, hyper.seed, make, layout),
    optimizer: sequenceOptimizer(hyper),
    batchSize: hyper.batchSize,
    seed: hyper.seed,
  };
}
