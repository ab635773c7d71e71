/**
 * A recorded graph encoded for the GPU: the forward's dispatches in order, the backward's in
 * reverse. Parameters are ranges of one flat buffer (256-byte aligned), and so are their
 * gradients (zeroed by one dispatch a step; the optimiser runs over the same range). Every
 * activation and every activation's gradient has a buffer of its own: WebGPU forbids a
 * dispatch to read one range of a buffer while writing another range of it.
 *
 * Two fusions save a dispatch and a pass over an activation each (the CPU program runs the ops
 * one by one, the semantics are the same), for an activation act = tanh or GELU:
 *  - forward, linear → act where the act is the linear output's only user: one matmul with an
 *    act epilogue writes the act's output (for tanh the linear's own output is never written;
 *    GELU's is, as its backward reads it);
 *  - backward, act → linear where the linear (as its input x) is the act output's only user:
 *    the linear's dx matmul multiplies by act' and writes the act input's gradient.
 * And a third in the forward: linear → residual where the residual is the linear output's only
 * user: the matmul adds the residual stream and writes the residual's output (the linear's own
 * output is never written; the residual's backward, which reads no values, runs as it is).
 */
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { OpEncoder } from '../ops/kernel.ts';
import type { MatmulConfig } from '../ops/matmulTiling.ts';
import { linearBackwardGpu, linearForwardGpu, linearOp, type FusedActivation, type ForwardEpilogue } from '../ops/linear.ts';
import { residualOp } from '../ops/residual.ts';
import { geluOp } from '../ops/gelu.ts';
import type { GpuEnv, Op, OpNode, Tensor } from '../ops/op.ts';
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
  const activation = (op: Op): FusedActivation | null => (op === tanhOp ? 'tanh' : op === geluOp ? 'gelu' : null);
  // node i (linear) → i + 1 (act, or a residual): done by the matmul's epilogue.
  const fusedForward = (i: number): ForwardEpilogue | null => {
    const [node, next] = [graph.nodes[i], graph.nodes[i + 1]];
    if (node.op !== linearOp || !next || !onlyUser(node.output, next)) return null;
    const kind = activation(next.op);
    if (kind && next.inputs[0] === node.output) return { kind, out: next.output! };
    if (next.op === residualOp && next.inputs.length === 2) {
      const [a, b] = next.inputs;
      if (b === node.output && a !== node.output) return { kind: 'residual', out: next.output!, res: a };
      if (a === node.output && b !== node.output) return { kind: 'residual', out: next.output!, res: b };
    }
    return null;
  };
  // act node → the linear that is its output's only user (as x, and only as x): the act's backward fused into that linear's dx.
  const actInto = new Map<OpNode, OpNode>();
  for (const node of graph.nodes) {
    if (activation(node.op) === null) continue;
    const user = users.get(node.output!)?.[0];
    if (user && user.op === linearOp && onlyUser(node.output, user) && user.inputs.indexOf(node.output!) === 0 && user.inputs.lastIndexOf(node.output!) === 0) actInto.set(node, user);
  }
  const through = new Map([...actInto].map(([act, linear]) => [linear, { kind: activation(act.op)!, pre: act.inputs[0] }]));

  const forward: Dispatch[] = [];
  for (let i = 0; i < graph.nodes.length; i++) {
    const node = graph.nodes[i];
    const fused = fusedForward(i);
    if (fused) {
      forward.push(...(await linearForwardGpu(node, env, fused)));
      i++;
    } else {
      forward.push(...(await node.op.forwardGpu(node, env)));
    }
  }
  const backward: Dispatch[] = [];
  if (b.paramGrads) {
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const node = graph.nodes[i];
      if (actInto.has(node)) {
        // Done by the linear after it (already encoded: the backward runs in reverse).
      } else if (through.has(node)) {
        const fused = through.get(node)!;
        backward.push(...(await linearBackwardGpu(node, env, fused)));
        if (fused.pre.requiresGrad) written.add(fused.pre);
      } else {
        backward.push(...(await node.op.backwardGpu(node, env)));
      }
      for (const t of node.inputs) if (t.requiresGrad) written.add(t);
    }
  }
  return { forward, backward };
}
