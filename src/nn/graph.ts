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
import { sigmoidOp } from '../ops/sigmoid.ts';
import { mulOp } from '../ops/mul.ts';
import { lerpOp } from '../ops/lerp.ts';
import { concatOp } from '../ops/concat.ts';
import { stepEmbeddingOp } from '../ops/stepEmbedding.ts';
import { stackOp } from '../ops/stack.ts';
import { broadcastOp } from '../ops/broadcast.ts';
import { causalMeanOp } from '../ops/causalMean.ts';
import { windowEmbeddingOp } from '../ops/windowEmbedding.ts';
import { recurrenceBlocks, recurrenceOp } from '../ops/recurrence.ts';
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

  sigmoid(name: string, x: Tensor): Tensor {
    const out = this.activation(name, x.shape, [x]);
    this.nodes.push({ op: sigmoidOp, inputs: [x], output: out, attrs: {} });
    return out;
  }

  /** a ⊙ b, two different tensors of one shape. */
  mul(name: string, a: Tensor, b: Tensor): Tensor {
    if (a === b || a.size !== b.size) throw new Error(`mul ${name}: a (${a.shape}) and b (${b.shape}) must be two tensors of one shape`);
    const out = this.activation(name, a.shape, [a, b]);
    this.nodes.push({ op: mulOp, inputs: [a, b], output: out, attrs: {} });
    return out;
  }

  /** (1 − z) ⊙ a + z ⊙ b, three different tensors of one shape. */
  lerp(name: string, a: Tensor, b: Tensor, z: Tensor): Tensor {
    if (new Set([a, b, z]).size !== 3 || a.size !== b.size || a.size !== z.size) throw new Error(`lerp ${name}: a, b and z must be three tensors of one shape`);
    const out = this.activation(name, a.shape, [a, b, z]);
    this.nodes.push({ op: lerpOp, inputs: [a, b, z], output: out, attrs: {} });
    return out;
  }

  /** (n, Ka + Kb): the rows of a (n, Ka) and b (n, Kb) side by side. */
  concat(name: string, a: Tensor, b: Tensor): Tensor {
    if (a === b || a.shape[0] !== b.shape[0]) throw new Error(`concat ${name}: a (${a.shape}) and b (${b.shape}) must be two tensors of as many rows`);
    const out = this.activation(name, [a.shape[0], a.shape[1] + b.shape[1]], [a, b]);
    this.nodes.push({ op: concatOp, inputs: [a, b], output: out, attrs: {} });
    return out;
  }

  /** (n, E): each row's token at position t (of T) looked up in table (V, E), a parameter. */
  stepEmbedding(name: string, table: Tensor, T: number, t: number): Tensor {
    if (table.kind !== 'param' || !(t >= 0 && t < T)) throw new Error(`stepEmbedding ${name}: position ${t} of ${T} in a parameter table`);
    const out = this.activation(name, [this.rows, table.shape[1]], [table]);
    this.nodes.push({ op: stepEmbeddingOp, inputs: [table], output: out, attrs: { T, t } });
    return out;
  }

  /**
   * (n·T, W·E): at each position of each row's sequence of T, the table (R, E) rows of the W
   * tokens ending there, newest first; row `blank` where the window reaches before the start.
   */
  windowEmbedding(name: string, table: Tensor, T: number, W: number, blank: number): Tensor {
    const R = table.shape[0];
    if (table.kind !== 'param' || !Number.isInteger(T) || T < 1 || !Number.isInteger(W) || W < 1 || (W > 1 && !(Number.isInteger(blank) && blank >= 0 && blank < R))) {
      throw new Error(`windowEmbedding ${name}: a window of ${W} over ${T} positions with blank row ${blank} of a parameter table of ${R} rows`);
    }
    const out = this.activation(name, [this.rows * T, W * table.shape[1]], [table]);
    this.nodes.push({ op: windowEmbeddingOp, inputs: [table], output: out, attrs: { T, W, blank: W > 1 ? blank : 0 } });
    return out;
  }

  /** (n·T, C): T different tensors (n, C), one per time step, as the rows b·T + t of sequences. */
  stack(name: string, steps: readonly Tensor[]): Tensor {
    const [n, C] = steps[0].shape;
    if (new Set(steps).size !== steps.length || steps.some((s) => s.shape[0] !== n || s.shape[1] !== C)) throw new Error(`stack ${name}: ${steps.length} different tensors of one shape`);
    const out = this.activation(name, [n * steps.length, C], steps);
    this.nodes.push({ op: stackOp, inputs: steps, output: out, attrs: {} });
    return out;
  }

  /** (n, N): the parameter row x (1, N) on every row of the batch. */
  broadcast(name: string, x: Tensor): Tensor {
    if (x.kind !== 'param' || x.shape[0] !== 1) throw new Error(`broadcast ${name}: x (${x.shape}) must be a parameter of one row`);
    const out = this.activation(name, [this.rows, x.shape[1]], [x]);
    this.nodes.push({ op: broadcastOp, inputs: [x], output: out, attrs: {} });
    return out;
  }

  /** (B·T, C): each position's mean over the positions ≤ t of its sequence of T. */
  causalMean(name: string, x: Tensor, T: number): Tensor {
    if (x.shape[0] % T !== 0) throw new Error(`causalMean ${name}: ${x.shape[0]} rows are not sequences of ${T}`);
    const out = this.activation(name, x.shape, [x]);
    this.nodes.push({ op: causalMeanOp, inputs: [x], output: out, attrs: { T } });
    return out;
  }

  /**
   * (n·T, H): a recurrent cell walked over the T steps of each row's sequence x (n, T·C), from
   * the state start (1, H); cell: [W, b] (rnn) or [Wz, bz, Wr, br, Wh̄, bh̄] (gru), W (C + H, H).
   */
  recurrence(name: string, x: Tensor, start: Tensor, cell: readonly Tensor[], T: number, kind: 'rnn' | 'gru'): Tensor {
    const H = start.shape[1];
    const C = x.shape[1] / T;
    if (!Number.isInteger(C) || cell.length !== (kind === 'gru' ? 6 : 2) || cell.some((t, i) => t.size !== (i % 2 ? H : (C + H) * H))) {
      throw new Error(`recurrence ${name}: x (${x.shape}) is not (n, ${T}·C), or the ${kind} cell's tensors are not W (C + ${H}, ${H}), b (${H})`);
    }
    const out = this.activation(name, [x.shape[0] * T, H], [x, start, ...cell]);
    const blocks = recurrenceBlocks({ cell: kind, B: x.shape[0], T, C, H });
    const saved = [this.saved(`${name}.saved`, [blocks.saved]), this.saved(`${name}.scratch`, [blocks.scratch])];
    this.nodes.push({ op: recurrenceOp, inputs: [x, start, ...cell], output: out, attrs: { T, gru: kind === 'gru' }, saved });
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
