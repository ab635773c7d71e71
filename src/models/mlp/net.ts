/**
 * The context model (makemore's MLP, after Bengio et al. 2003) as a composition of the op
 * library's layers. Shapes: n rows, V vocabulary, T context (block size), E embedding, H hidden.
 *   emb    = C[X]              (n, T·E)  embedding: each row's T tokens, concatenated
 *   hpre   = emb·W1 + b1       (n, H)    linear
 *   h      = tanh(hpre)        (n, H)
 *   logits = h·W2 + b2         (n, V)    linear
 *   loss   = mean over the rows of −log softmax(logits)[y]   crossentropy
 * Parameters, in this order (the layout of model files and of the GPU's flat vector):
 * C (V, E), W1 (T·E, H), b1 (H,), W2 (H, V), b2 (V,).
 */
import type { ContextData } from '../../data/contexts.ts';
import { Graph } from '../../nn/graph.ts';
import type { TensorLayout } from '../../nn/layout.ts';
import type { NetSpec } from '../../nn/netSpec.ts';
import type { Floats } from '../../ops/op.ts';
import type { OptimizerConfig } from '../../ops/optimizers.ts';
import { Random, Stream } from '../../random/philox.ts';
import type { MlpHyper } from '../../train/hyper.ts';

export interface MlpShape {
  V: number;
  /** Context length (block size). */
  T: number;
  /** Embedding dimensions per symbol. */
  E: number;
  /** Hidden units. */
  H: number;
}

export function mlpShape(data: Pick<ContextData, 'V' | 'T'>, hyper: Pick<MlpHyper, 'embed' | 'hidden'>): MlpShape {
  return { V: data.V, T: data.T, E: hyper.embed, H: hyper.hidden };
}

/** The forward on `rows` rows; without the loss, for sampling (the logits are the activation 'logits'). */
export function mlpGraph(s: MlpShape, rows: number, withLoss = true): Graph {
  const { V, T, E, H } = s;
  const g = new Graph(rows);
  const C = g.param('C', [V, E]);
  const W1 = g.param('W1', [T * E, H]);
  const b1 = g.param('b1', [H]);
  const W2 = g.param('W2', [H, V]);
  const b2 = g.param('b2', [V]);
  const emb = g.embedding('emb', C, T);
  const h = g.tanh('h', g.linear('hpre', emb, W1, b1));
  const logits = g.linear('logits', h, W2, b2);
  if (withLoss) g.crossentropy(logits);
  return g;
}

/** The packed parameter layout: C, W1, b1, W2, b2. */
export function mlpParamLayout(s: MlpShape): TensorLayout {
  return mlpGraph(s, 1, false).paramLayout();
}

/**
 * Initial scales keep tanh out of saturation and the first softmax near uniform:
 *  - C ~ N(0, 1): the embeddings, each of unit scale;
 *  - W1 ~ N(0, 1)·(5/3)/√(T·E) (Kaiming for tanh), b1 ~ N(0, 1)·0.01: hpre of unit-ish scale;
 *  - W2 ~ N(0, 1)·0.01, b2 = 0: logits near 0, so the first loss is about ln V.
 */
export function mlpInitScales(s: MlpShape): Record<string, number> {
  return { C: 1, W1: 5 / 3 / Math.sqrt(s.T * s.E), b1: 0.01, W2: 0.01, b2: 0 };
}

/** One N(0, 1) draw per parameter from the seed's init stream, in layout order, times each tensor's scale. */
export function initMlpParams<A extends Floats>(s: MlpShape, seed: number, make: new (n: number) => A, layout = mlpParamLayout(s)): A {
  const z = new Random(seed, Stream.init).fillNormal(new Float64Array(layout.size));
  const scales = mlpInitScales(s);
  const p = new make(layout.size);
  for (const t of layout.tensors) for (let k = t.offset; k < t.offset + t.size; k++) p[k] = z[k] * scales[t.name];
  return p;
}

/** Elements of the parameter vector. */
export function mlpParamCount(s: MlpShape): number {
  return mlpParamLayout(s).count;
}

/** The decay step of a run of `steps` steps: the last half runs at lrFinal. */
export function mlpDecayStep(steps: number): number {
  return Math.floor(steps / 2);
}

export function mlpOptimizer(h: MlpHyper): OptimizerConfig {
  return {
    kind: h.optimizer, lr: h.lr, lrFinal: h.lrFinal, decayStep: mlpDecayStep(h.steps), beta1: h.beta1, beta2: h.beta2, eps: h.eps, weightDecay: h.weightDecay,
  };
}

/** The model as the trainers take it. */
export function mlpNetSpec(data: Pick<ContextData, 'V' | 'T'>, hyper: MlpHyper): NetSpec {
  if (data.T !== hyper.blockSize) throw new Error(`context data of block size ${data.T}, the model's is ${hyper.blockSize}`);
  const s = mlpShape(data, hyper);
  return {
    label: 'the context model',
    graph: (rows) => mlpGraph(s, rows),
    init: (layout, make) => initMlpParams(s, hyper.seed, make, layout),
    optimizer: mlpOptimizer(hyper),
    batchSize: hyper.batchSize,
    seed: hyper.seed,
  };
}
