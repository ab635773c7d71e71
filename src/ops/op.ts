/**
 * What an op is to a model: a node of the recorded forward (its inputs, its output, its
 * attributes), run on the CPU by its twins or encoded for the GPU as dispatches, forward and
 * backward. The backward of a model is its forward's nodes in reverse, each adding its
 * inputs' gradients (accumulated: a tensor used twice gets the sum).
 *
 * Data that are not tensors of the model come through the environment: the token contexts
 * (N, T) and targets (N,) of a split, and which examples the rows are (a drawn minibatch, or a
 * contiguous run of a split).
 */
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Binding, OpEncoder } from './kernel.ts';
import type { MatmulConfig } from './matmulTiling.ts';

export type Floats = Float32Array | Float64Array;

export interface Tensor {
  name: string;
  shape: readonly number[];
  size: number;
  kind: 'param' | 'activation';
  /** A parameter, or computed from one: its gradient is needed. */
  requiresGrad: boolean;
}

export type Attrs = Record<string, number | boolean>;

export interface OpNode {
  op: Op;
  inputs: readonly Tensor[];
  output: Tensor | null;
  attrs: Attrs;
  /** Activations the forward keeps for the backward (LayerNorm's mean and 1/σ, attention's probabilities), no gradient of their own. */
  saved?: readonly Tensor[];
}

export interface CpuEnv {
  value(t: Tensor): Floats;
  /** The tensor's gradient, or null when none is needed. */
  grad(t: Tensor): Floats | null;
  /** tokens (N, T) of the split, targets (N,) (−1 = ignored), rows (n,): the example of each row. */
  data: { tokens: Uint32Array; targets: Int32Array; rows: Uint32Array };
  /** Set by the loss's forward: Σ NLL over the valid targets, and their count. */
  loss: { sum: number; count: number };
}

export interface GpuEnv {
  enc: OpEncoder;
  value(t: Tensor): Binding;
  grad(t: Tensor): Binding | null;
  /**
   * Whether a backward adds to t's gradient (true) or writes it (false): parameters' gradients
   * are zeroed once per step and always added to; an activation's is written by the first
   * backward that reaches it and added to by the others (a tensor used twice gets the sum).
   */
  accumulate(t: Tensor): boolean;
  /** indices: the minibatch (B,), or null for the contiguous rows first, first + 1, … */
  data: { tokens: GPUBuffer; targets: GPUBuffer; indices: GPUBuffer | null; first: number };
  /** StepState (shaders/lib/ops_common.wgsl). */
  state: GPUBuffer;
  /** Where the loss writes its partial pairs: the buffer and the index of the first pair. */
  partials: { buffer: GPUBuffer; first: number };
  matmul: MatmulConfig;
}

export interface Op {
  name: string;
  forwardCpu(node: OpNode, env: CpuEnv): void;
  backwardCpu(node: OpNode, env: CpuEnv): void;
  forwardGpu(node: OpNode, env: GpuEnv): Promise<Dispatch[]>;
  backwardGpu(node: OpNode, env: GpuEnv): Promise<Dispatch[]>;
}
