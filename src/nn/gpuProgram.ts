/**
 * A recorded graph encoded for the GPU: the forward's dispatches in order, the backward's in
 * reverse. Parameters are ranges of one flat buffer (256-byte aligned), and so are their
 * gradients (zeroed by one dispatch a step; the optimiser runs over the same range). Every
 * activation and every activation's gradient has a buffer of its own: WebGPU forbids a
 * dispatch to read one range of a buffer while writing another range of it.
 */
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { OpEncoder } from '../ops/kernel.ts';
import type { MatmulConfig } from '../ops/matmulTiling.ts';
import type { GpuEnv, Tensor } from '../ops/op.ts';
import type { Graph } from './graph.ts';
import type { TensorLayout } from './layout.ts';

export interface GpuProgramBuffers {
  params: GPUBuffer;
  paramLayout: TensorLayout;
  /** The parameters' gradients (paramLayout); null: forward only. */
  paramGrads: GPUBuffer | null;
  /** The buffer of an activation (at least its size), and of its gradient. */
  activation(name: string): GPUBuffer;
  activationGrad(name: string): GPUBuffer;
  data: GpuEnv['data'];
  state: GPUBuffer;
  partials: GpuEnv['partials'];
}

const range = (buffer: GPUBuffer, t: Tensor): GPUBufferBinding => ({ buffer, offset: 0, size: 4 * Math.max(1, t.size) });

export async function encodeGraph(graph: Graph, enc: OpEncoder, matmul: MatmulConfig, b: GpuProgramBuffers): Promise<{ forward: Dispatch[]; backward: Dispatch[] }> {
  const written = new Set<Tensor>();
  const env: GpuEnv = {
    enc,
    matmul,
    value: (t) => (t.kind === 'param' ? b.paramLayout.binding(b.params, t.name) : range(b.activation(t.name), t)),
    grad: (t) => {
      if (!b.paramGrads || !t.requiresGrad) return null;
      return t.kind === 'param' ? b.paramLayout.binding(b.paramGrads, t.name) : range(b.activationGrad(t.name), t);
    },
    accumulate: (t) => t.kind === 'param' || written.has(t),
    data: b.data,
    state: b.state,
    partials: b.partials,
  };
  const forward: Dispatch[] = [];
  for (const node of graph.nodes) forward.push(...(await node.op.forwardGpu(node, env)));
  const backward: Dispatch[] = [];
  if (b.paramGrads) {
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const node = graph.nodes[i];
      backward.push(...(await node.op.backwardGpu(node, env)));
      for (const t of node.inputs) if (t.requiresGrad) written.add(t);
    }
  }
  return { forward, backward };
}
