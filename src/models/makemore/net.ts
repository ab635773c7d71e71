/**
 * makemore's own mlp and bigram, where they differ from the project's context model
 * (src/models/mlp: the last few symbols, boundary-padded contexts) and neural bigram (random
 * W, full batch): they train on the Transformer's padded sequences and masked loss, with AdamW.
 * Shapes: B sequences, T positions (block size), V vocabulary, C embedding (n_embd), H hidden
 * (n_embd2).
 *   mlp:    x = window_embedding(wte, T)               (B·T, T·C)  at t: tokens t, t−1, …, t−T+1,
 *                                                                  the blank row V before the start
 *           logits = tanh(x · fc + b) · lm_head + b    (B·T, V)
 *   bigram: logits = table[idx]                        (B·T, V)    the table starts at zero
 *   loss = mean NLL over the positions whose target is not −1
 * Parameters, in makemore's order: mlp: wte (V + 1, C), mlp.fc.{w (T·C, H), b (H)},
 * lm_head.{w (H, V), b (V)}; bigram: logits (V, V). Linear weights are stored (in, out): x·W.
 */
import type { ContextData } from '../../data/contexts.ts';
import { Graph } from '../../nn/graph.ts';
import type { TensorLayout } from '../../nn/layout.ts';
import type { NetSpec } from '../../nn/netSpec.ts';
import type { Floats } from '../../ops/op.ts';
import type { SequenceHyper } from '../../train/hyper.ts';
import { initPytorchDefaults } from '../pytorchInit.ts';
import { sequenceOptimizer } from '../rnn/net.ts';

export interface MakemoreMlpShape {
  V: number;
  /** Block size: positions of a sequence, and tokens each position reads. */
  T: number;
  /** Embedding dimensions per token (n_embd). */
  C: number;
  /** Hidden tanh units (n_embd2). */
  H: number;
}

/** The forward on `rows` sequences; without the loss, for sampling (the logits are the activation 'logits'). */
export function makemoreMlpGraph(s: MakemoreMlpShape, rows: number, withLoss = true): Graph {
  const { V, T, C, H } = s;
  const g = new Graph(rows);
  const wte = g.param('wte', [V + 1, C]); // row V: <BLANK>, before the start
  const fc = { w: g.param('mlp.fc.w', [T * C, H]), b: g.param('mlp.fc.b', [H]) };
  const head = { w: g.param('lm_head.w', [H, V]), b: g.param('lm_head.b', [V]) };
  const x = g.windowEmbedding('emb', wte, T, T, V);
  const hidden = g.tanh('mlp.h', g.linear('mlp.fc.out', x, fc.w, fc.b));
  const logits = g.linear('logits', hidden, head.w, head.b);
  if (withLoss) g.crossentropy(logits, T);
  return g;
}

export function makemoreMlpParamLayout(s: MakemoreMlpShape): TensorLayout {
  return makemoreMlpGraph(s, 1, false).paramLayout();
}

/** PyTorch's defaults, as makemore leaves them: wte N(0, 1) (the blank row too), the linear layers U(±1/√fan_in). */
export function initMakemoreMlpParams<A extends Floats>(s: MakemoreMlpShape, seed: number, make: new (n: number) => A, layout = makemoreMlpParamLayout(s)): A {
  return initPytorchDefaults(layout, seed, make, (name) => (name === 'wte' ? 'normal' : 'linear'));
}

export function makemoreMlpNetSpec(data: Pick<ContextData, 'V' | 'T'>, hyper: SequenceHyper): NetSpec {
  const s = { V: data.V, T: data.T, C: hyper.nEmbd, H: hyper.nEmbd2 };
  return {
    label: "makemore's MLP",
    graph: (rows) => makemoreMlpGraph(s, rows),
    init: (layout, make) => initMakemoreMlpParams(s, hyper.seed, make, layout),
    optimizer: sequenceOptimizer(hyper),
    batchSize: hyper.batchSize,
    seed: hyper.seed,
  };
}

export interface MakemoreBigramShape {
  V: number;
  T: number;
}

export function makemoreBigramGraph(s: MakemoreBigramShape, rows: number, withLoss = true): Graph {
  const g = new Graph(rows);
  const table = g.param('logits.table', [s.V, s.V]);
  const logits = g.windowEmbedding('logits', table, s.T, 1, 0);
  if (withLoss) g.crossentropy(logits, s.T);
  return g;
}

/** The table does not depend on T. */
export function makemoreBigramParamLayout(V: number): TensorLayout {
  return makemoreBigramGraph({ V, T: 1 }, 1, false).paramLayout();
}

/** Zeros: the first loss is exactly ln V. */
export function makemoreBigramNetSpec(data: Pick<ContextData, 'V' | 'T'>, hyper: SequenceHyper): NetSpec {
  const s = { V: data.V, T: data.T };
  return {
    label: "makemore's bigram",
    graph: (rows) => makemoreBigramGraph(s, rows),
    init: (layout, make) => initPytorchDefaults(layout, hyper.seed, make, () => 'zeros'),
    optimizer: sequenceOptimizer(hyper),
    batchSize: hyper.batchSize,
    seed: hyper.seed,
  };
}
