/**
 * makemore's Transformer (a small GPT) as a composition of the op library's layers. Shapes:
 * B sequences, T positions (block size), V vocabulary, C channels (n_embd), nh heads, L layers.
 *   x = wte[idx] + wpe[t]                                  (B·T, C)   encoder
 *   L × block (pre-LayerNorm, each sublayer with a residual):
 *     x = x + proj(attention(qkv(ln1(x))))                 causal, nh heads, scale 1/√(C/nh)
 *     x = x + proj(gelu(fc(ln2(x))))                       fc: C → 4C, GELU in its tanh form
 *   logits = ln_f(x) · lm_head                             (B·T, V)   no bias
 *   loss = mean NLL over the positions whose target is not −1
 * Parameters (model files, the GPU's flat vector), in this order: wte (V, C), wpe (T, C); per
 * layer h.<l>.ln1.{w,b} (C), h.<l>.attn.qkv.{w (C, 3C), b (3C)}, h.<l>.attn.proj.{w (C, C), b (C)},
 * h.<l>.ln2.{w,b} (C), h.<l>.mlp.fc.{w (C, 4C), b (4C)}, h.<l>.mlp.proj.{w (4C, C), b (C)};
 * ln_f.{w,b} (C), lm_head.w (C, V). Linear weights are stored (in, out): x·W.
 */
import { UserError } from '../../errors.ts';
import type { ContextData } from '../../data/contexts.ts';
import { Graph } from '../../nn/graph.ts';
import type { TensorLayout } from '../../nn/layout.ts';
import type { NetSpec } from '../../nn/netSpec.ts';
import type { Floats, Tensor } from '../../ops/op.ts';
import type { OptimizerConfig } from '../../ops/optimizers.ts';
import { Random, Stream } from '../../random/philox.ts';
import type { TransformerHyper } from '../../train/hyper.ts';

export interface TransformerShape {
  V: number;
  /** Block size: positions of a sequence. */
  T: number;
  /** Channels (n_embd). */
  C: number;
  /** Heads (n_head). */
  nh: number;
  /** Layers (n_layer). */
  L: number;
}

export function transformerShape(data: Pick<ContextData, 'V' | 'T'>, h: Pick<TransformerHyper, 'nEmbd' | 'nHead' | 'nLayer'>): TransformerShape {
  return { V: data.V, T: data.T, C: h.nEmbd, nh: h.nHead, L: h.nLayer };
}

/** The forward on `rows` sequences; without the loss, for sampling (the logits are the activation 'logits'). */
export function transformerGraph(s: TransformerShape, rows: number, withLoss = true): Graph {
  const { V, T, C, nh, L } = s;
  const g = new Graph(rows);
  const wte = g.param('wte', [V, C]);
  const wpe = g.param('wpe', [T, C]);
  const layerNorm = (name: string, x: Tensor, out: string) => g.layernorm(out, x, g.param(`${name}.w`, [C]), g.param(`${name}.b`, [C]));
  const linear = (name: string, x: Tensor, fanIn: number, fanOut: number, out: string, bias = true) =>
    g.linear(out, x, g.param(`${name}.w`, [fanIn, fanOut]), bias ? g.param(`${name}.b`, [fanOut]) : null);
  let x = g.encoder('x0', wte, wpe);
  for (let l = 0; l < L; l++) {
    const h = `h.${l}`;
    const qkv = linear(`${h}.attn.qkv`, layerNorm(`${h}.ln1`, x, `${h}.ln1.out`), C, 3 * C, `${h}.qkv`);
    const att = linear(`${h}.attn.proj`, g.attention(`${h}.attn`, qkv, T, nh), C, C, `${h}.attn.out`);
    x = g.residual(`${h}.x1`, x, att);
    const fc = g.gelu(`${h}.gelu`, linear(`${h}.mlp.fc`, layerNorm(`${h}.ln2`, x, `${h}.ln2.out`), C, 4 * C, `${h}.fc`));
    x = g.residual(`${h}.x2`, x, linear(`${h}.mlp.proj`, fc, 4 * C, C, `${h}.mlp.out`));
  }
  const logits = linear('lm_head', layerNorm('ln_f', x, 'ln_f.out'), C, V, 'logits', false);
  if (withLoss) g.crossentropy(logits, T);
  return g;
}

export function transformerParamLayout(s: TransformerShape): TensorLayout {
  return transformerGraph(s, 1, false).paramLayout();
}

/**
 * PyTorch's default initialisation, as makemore leaves it: embeddings N(0, 1); linear weights
 * and biases U(−1/√fan_in, 1/√fan_in); LayerNorm weight 1, bias 0. One draw per parameter from
 * the seed's init stream, in layout order (normal draws for the embeddings, uniform for the rest).
 */
export function initTransformerParams<A extends Floats>(s: TransformerShape, seed: number, make: new (n: number) => A, layout = transformerParamLayout(s)): A {
  const rng = new Random(seed, Stream.init);
  const p = new make(layout.size);
  for (const t of layout.tensors) {
    const v = p.subarray(t.offset, t.offset + t.size) as A;
    if (t.name === 'wte' || t.name === 'wpe') rng.fillNormal(v);
    else if (/\.(ln1|ln2)\.w$|^ln_f\.w$/.test(t.name)) v.fill(1);
    else if (/\.(ln1|ln2)\.b$|^ln_f\.b$/.test(t.name)) v.fill(0);
    else {
      const fanIn = t.name.endsWith('.w') ? t.shape[0] : biasFanIn(t.name, s);
      const bound = 1 / Math.sqrt(fanIn);
      for (let k = 0; k < v.length; k++) v[k] = (2 * rng.uniform() - 1) * bound;
    }
  }
  return p;
}

/** A bias's fan-in is its layer's input width. */
function biasFanIn(name: string, s: TransformerShape): number {
  return name.endsWith('.mlp.proj.b') ? 4 * s.C : s.C;
}

export function transformerOptimizer(h: TransformerHyper): OptimizerConfig {
  // The last half of the steps at lrFinal, as the MLP's: the same as lr (makemore's constant rate) unless --lr-final says otherwise.
  return { kind: h.optimizer, lr: h.lr, lrFinal: h.lrFinal, decayStep: Math.floor(h.steps / 2), beta1: h.beta1, beta2: h.beta2, eps: h.eps, weightDecay: h.weightDecay };
}

export function transformerNetSpec(data: Pick<ContextData, 'V' | 'T'>, hyper: TransformerHyper): NetSpec {
  const s = transformerShape(data, hyper);
  if (s.C % s.nh !== 0) throw new UserError(`--n-embd must be a multiple of --n-head: ${s.C} channels do not split into ${s.nh} heads`);
  return {
    label: 'the Transformer',
    graph: (rows) => transformerGraph(s, rows),
    init: (layout, make) => initTransformerParams(s, hyper.seed, make, layout),
    optimizer: transformerOptimizer(hyper),
    batchSize: hyper.batchSize,
    seed: hyper.seed,
  };
}
