/**
 * A recorded graph run on the CPU by the ops' twins: activations and gradients in flat
 * vectors of its layouts (float32, as on the GPU, or float64 for the ground truth), the
 * parameters and their gradients shared with the caller by name.
 */
import type { CpuEnv, Floats, Tensor } from '../ops/op.ts';
import type { Graph } from './graph.ts';
import type { TensorLayout } from './layout.ts';

export interface CpuData {
  tokens: Uint32Array;
  targets: Int32Array;
}

export class CpuProgram {
  private readonly acts: Floats;
  private readonly actGrads: Floats;
  private readonly actLayout: TensorLayout;
  /** The activations' gradients (the parameters' are the caller's, in paramLayout). */
  private readonly gradLayout: TensorLayout;

  constructor(
    readonly graph: Graph,
    /** The parameters, laid out by paramLayout (a graph of any row count declares the same). */
    private readonly params: Floats,
    private readonly paramLayout: TensorLayout,
    /** Their gradients in the same layout (null: forward only). */
    private readonly grads: Floats | null,
    make: new (n: number) => Floats,
  ) {
    this.actLayout = graph.activationLayout();
    this.acts = new make(this.actLayout.size);
    this.gradLayout = graph.activationGradLayout();
    this.actGrads = new make(grads ? this.gradLayout.size : 0);
  }

  private env(data: CpuData, rows: Uint32Array): CpuEnv {
    const value = (t: Tensor) => (t.kind === 'param' ? this.paramLayout.view(this.params, t.name) : this.actLayout.view(this.acts, t.name));
    const grad = (t: Tensor) => {
      if (!this.grads || !t.requiresGrad) return null;
      return t.kind === 'param' ? this.paramLayout.view(this.grads, t.name) : this.gradLayout.view(this.actGrads, t.name);
    };
    return { value, grad, data: { ...data, rows }, loss: { sum: 0, count: 0 } };
  }

  /** The forward over the rows (n,) and, with gradients, the backward: parameter gradients are accumulated (zero them first). */
  run(data: CpuData, rows: Uint32Array, backward: boolean): { sum: number; count: number } {
    if (rows.length !== this.graph.rows) throw new Error(`program of ${this.graph.rows} rows run on ${rows.length}`);
    const env = this.env(data, rows);
    for (const node of this.graph.nodes) node.op.forwardCpu(node, env);
    if (backward) {
      if (!this.grads) throw new Error('a forward-only program has no backward');
      this.actGrads.fill(0);
      for (let i = this.graph.nodes.length - 1; i >= 0; i--) this.graph.nodes[i].op.backwardCpu(this.graph.nodes[i], env);
    }
    return env.loss;
  }

  /** An activation's values after the last run (views for sampling and tests). */
  activation(name: string): Floats {
    return this.actLayout.view(this.acts, name);
  }
}
