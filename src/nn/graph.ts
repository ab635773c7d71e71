/**
 * A model's forward, recorded: a model definition calls the layers below on a Graph of n
 * rows, which declares its parameters by name and shape and appends one node per op. The
 * backward needs no second description: it is the nodes in reverse, each op's backward
 * adding into its inputs' gradients (llm.c's gpt2_backward mirrors gpt2_forward the same way).
 * The same recording serves training (n = the batch) and evaluation (n = a chunk of a split,
 * forward only), on the CPU (cpuProgram.ts) and on the GPU (gpuProgram.ts).
 */
import type { OpNode, Tensor } from '../ops/op.ts';
import { embeddingOp } from '../ops/embedding.ts';
import { linearOp } from '../ops/linear.ts';
import { tanhOp } from '../ops/tanh.ts';
import { residualOp } from '../ops/residual.ts';
import { crossentropyOp } from '../ops/crossentropy.ts';
import { encoderOp } from '../ops/encoder.ts';
import { layernormOp } from '../ops/layernorm.ts';
import { geluOp } from '../ops/gelu.ts';
import { attentionOp } from '../ops/attention.ts';
import { sizeOf, TensorLayout } from './layout.ts';

export class Graph {
  readonly params: Tensor[] = [];
  readonly activations: Tensor[] = [];
  readonly nodes: OpNode[] = [];
  private loss: OpNode | null = null;

  /** n: rows of the batch (examples of a minibatch, or of an evaluation chunk). */
  constructor(readonly rows: number) {}

  param(name: string, shape: readonly number[]): Tensor {
    const t: Tensor = { name, shape, size: sizeOf(shape), kind: 'param', requiresGrad: true };
    this.params.push(t);
    return t;
  }

  /** An activation the forward keeps for the backward: no gradient of its own. */
  private saved(name: string, shape: readonly number[]): Tensor {
    return this.activation(name, shape, []);
  }

  private activation(name: string, shape: readonly number[], inputs: readonly Tensor[]): Tensor {
    if (this.activations.some((a) => a.name === name)) throw new Error(`activation "${name}" recorded twice`);
    const t: Tensor = { name, shape, size: sizeOf(shape), kind: 'activation', requiresGrad: inputs.some((i) => i.requiresGrad) };
    this.activations.push(t);
    return t;
  }

  /** (n, T·E): each row's T tokens looked up in table (V, E) and concatenated. */
  embedding(name: string, table: Tensor, T: number): Tensor {
    const out = this.activation(name, [this.rows, T * table.shape[1]], [table]);
    this.nodes.push({ op: embeddingOp, inputs: [table], output: out, attrs: { T } });
    return out;
  }

  /** (n, N) = x (n, K) · W (K, N) + b. */
  linear(name: string, x: Tensor, W: Tensor, b: Tensor | null): Tensor {
    if (x.shape[1] !== W.shape[0]) throw new Error(`linear ${name}: x is (${x.shape}), W is (${W.shape})`);
    const out = this.activation(name, [x.shape[0], W.shape[1]], b ? [x, W, b] : [x, W]);
    this.nodes.push({ op: linearOp, inputs: b ? [x, W, b] : [x, W], output: out, attrs: {} });
    return out;
  }

  /** (n·T, C): each row's T tokens looked up in wte (V, C), plus the position embedding wpe (T, C): a sequence per row. */
  encoder(name: string, wte: Tensor, wpe: Tensor): Tensor {
    const [T, C] = wpe.shape;
    if (wte.shape[1] !== C) throw new Error(`encoder ${name}: wte is (${wte.shape}), wpe is (${wpe.shape})`);
    const out = this.activation(name, [this.rows * T, C], [wte, wpe]);
    this.nodes.push({ op: encoderOp, inputs: [wte, wpe], output: out, attrs: {} });
    return out;
  }

  /** LayerNorm over the channels of x (n, C), with weight and bias (C,). */
  layernorm(name: string, x: Tensor, w: Tensor, b: Tensor): Tensor {
    const [n, C] = x.shape;
    if (w.shape[0] !== C || b.shape[0] !== C) throw new Error(`layernorm ${name}: x is (${x.shape}), w (${w.shape}), b (${b.shape})`);
    const out = this.activation(name, x.shape, [x, w, b]);
    const saved = [this.saved(`${name}.mean`, [n]), this.saved(`${name}.rstd`, [n])];
    this.nodes.push({ op: layernormOp, inputs: [x, w, b], output: out, attrs: {}, saved });
    return out;
  }

  gelu(name: string, x: Tensor): Tensor {
    const out = this.activation(name, x.shape, [x]);
    this.nodes.push({ op: geluOp, inputs: [x], output: out, attrs: {} });
    return out;
  }

  /** Causal self-attention of nh heads over sequences of T positions: qkv (B·T, 3C) → (B·T, C). */
  attention(name: string, qkv: Tensor, T: number, nh: number): Tensor {
    const [n, C3] = qkv.shape;
    const C = C3 / 3;
    const B = n / T;
    if (!Number.isInteger(B) || !Number.isInteger(C) || C % nh !== 0) throw new Error(`attention ${name}: qkv (${qkv.shape}) is not (B·${T}, 3·C) with C a multiple of ${nh} heads`);
    const out = this.activation(name, [n, C], [qkv]);
    const saved = [this.saved(`${name}.att`, [B, nh, T, T]), this.saved(`${name}.dpre`, [B, nh, T, T])];
    this.nodes.push({ op: attentionOp, inputs: [qkv], output: out, attrs: { B, T, nh }, saved });
    return out;
  }

  tanh(name: string, x: Tensor): Tensor {
    const out = this.activation(name, x.shape, [x]);
    this.nodes.push({ op: tanhOp, inputs: [x], output: out, attrs: {} });
    return out;
  }

  residual(name: string, a: Tensor, b: Tensor): Tensor {
    const out = this.activation(name, a.shape, [a, b]);
    this.nodes.push({ op: residualOp, inputs: [a, b], output: out, attrs: {} });
    return out;
  }

  /**
   * The loss: mean NLL of the logits (n·P, V) over the rows whose target is not −1; P targets
   * per example (1; a sequence model's T: logits row r is position r % P of example r / P).
   */
  crossentropy(logits: Tensor, P = 1): void {
    if (this.loss) throw new Error('a graph has one loss');
    if (logits.shape[0] !== this.rows * P) throw new Error(`crossentropy: logits of ${logits.shape[0]} rows for ${this.rows} examples of ${P} targets`);
    this.loss = { op: crossentropyOp, inputs: [logits], output: null, attrs: { P } };
    this.nodes.push(this.loss);
  }

  get hasLoss(): boolean {
    return this.loss !== null;
  }

  /** The parameters' layout (the order of declaration). */
  paramLayout(align = 1): TensorLayout {
    return new TensorLayout(this.params, align);
  }

  activationLayout(align = 1): TensorLayout {
    return new TensorLayout(this.activations, align);
  }

  /** The activations whose gradient the backward needs (the parameters' gradients share paramLayout). */
  activationGradLayout(align = 1): TensorLayout {
    return new TensorLayout(this.activations.filter((a) => a.requiresGrad), align);
  }
}
