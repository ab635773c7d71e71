/**
 * A recorded graph encoded for the GPU: the forward's dispatches in order, the backward's in
 * reverse. Parameters are ranges of one flat buffer (256-byte aligned), and so are their
 * gradients (zeroed by one dispatch a step; the optimiser runs over the same range). Every
 * activation and every activation's gradient has a buffer of its own: WebGPU forbids a
 * dispatch to read one range of a buffer while writing another range of it.
 *
 * Two fusions save a dispatch and a pass over an activation each (the CPU program runs the ops
 * one by one, the semantics are the same):
 *  - forward, linear → tanh where the tanh is the linear output's only user: one matmul with a
 *    tanh epilogue writes the tanh's output (the linear's own output is never written);
 *  - backward, tanh → linear where the linear (as its input x) is the tanh output's only user:
 *    the linear's dx matmul multiplies by 1 − h² and writes the tanh input's gradient.
 */
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { OpEncoder } from '../ops/kernel.ts';
import type { MatmulConfig } from '../ops/matmulTiling.ts';
import type { GpuEnv, OpNode, Tensor } from '../ops/op.ts';
import { linearBackwardGpu, linearForwardGpu, linearOp } from '../ops/linear.ts';
import { tanhOp } from '../ops/tanh.ts';
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
  const users = new Map<Tensor, OpNode[]>();
  for (const node of graph.nodes) for (const t of node.inputs) users.set(t, [...(users.get(t) ?? []), node]);
  const onlyUser = (t: Tensor | null, node: OpNode) => t !== null && users.get(t)?.length === 1 && users.get(t)![0] === node;
  // node i (linear) → i + 1 (tanh): the tanh fused into the matmul's epilogue.
  const fusedForward = (i: number) => {
    const [node, next] = [graph.nodes[i], graph.nodes[i + 1]];
    return node.op === linearOp && next?.op === tanhOp && next.inputs[0] === node.output && onlyUser(node.output, next);
  };
  // tanh node → the linear that is its output's only user (as x): the tanh's backward fused into that linear's dx.
  const tanhInto = new Map<OpNode, OpNode>();
  for (const node of graph.nodes) {
    if (node.op !== tanhOp) continue;
    const user = users.get(node.output!)?.[0];
    if (user && user.op === linearOp && onlyUser(node.output, user) && user.inputs[0] === node.output && user.inputs.indexOf(node.output!) === 0 && user.inputs.lastIndexOf(node.output!) === 0) tanhInto.set(node, user);
  }
  const throughTanh = new Map([...tanhInto].map(([tanh, linear]) => [linear, tanh.inputs[0]]));

  const forward: Dispatch[] = [];
  for (let i = 0; i < graph.nodes.length; i++) {
    const node = graph.nodes[i];
    if (fusedForward(i)) {
      forward.push(...(await linearForwardGpu(node, env, graph.nodes[i + 1].output!)));
      i++;
    } else {
      forward.push(...(await node.op.forwardGpu(node, env)));
    }
  }
  const backward: Dispatch[] = [];
  if (b.paramGrads) {
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const node = graph.nodes[i];
      if (tanhInto.has(node)) {
        // Done by the linear after it (already encoded: the backward runs in reverse).
      } else if (throughTanh.has(node)) {
        backward.push(...(await linearBackwardGpu(node, env, throughTanh.get(node))));
        const pre = throughTanh.get(node)!;
        if (pre.requiresGrad) written.add(pre);
      } else {
        backward.push(...(await node.op.backwardGpu(node, env)));
      }
      for (const t of node.inputs) if (t.requiresGrad) written.add(t);
    }
  }
  return { forward, backward };
}
