/**
 * encoder: the Transformer's input, out[b·T + t] = wte[x[b, t]] + wpe[t] (llm.c's encoder):
 * the token embedding (embedding_forward, one token per row) then the position embedding
 * added in place (position_forward). Backward: dwte by embedding_backward, dwpe by
 * position_backward; the tokens are data. Shapes: B sequences (the graph's rows), T positions,
 * V vocabulary, C channels; the output is (B·T, C).
 */
import { embeddingBackwardCpu, embeddingBackwardDispatch, embeddingForwardCpu, embeddingForwardDispatch } from './embedding.ts';
import { positionBackwardCpu, positionBackwardKernel, positionForwardCpu, positionForwardKernel } from './position.ts';
import type { Op } from './op.ts';

const POSITION_WG = { forward: 256, backward: 64 };

/** Node: inputs [wte (V, C), wpe (T, C)], output (B·T, C). */
export const encoderOp: Op = {
  name: 'encoder',
  forwardCpu({ inputs: [wte, wpe], output }, env) {
    const [T, C] = wpe.shape;
    const out = env.value(output!);
    embeddingForwardCpu(out, env.value(wte), env.data.tokens, env.data.rows, T, C);
    positionForwardCpu(out, env.value(wpe), output!.shape[0], T, C);
  },
  backwardCpu({ inputs: [wte, wpe], output }, env) {
    const [T, C] = wpe.shape;
    const dout = env.grad(output!)!;
    const dwte = env.grad(wte);
    if (dwte) embeddingBackwardCpu(dwte, dout, env.data.tokens, env.data.rows, T, C, wte.shape[0]);
    const dwpe = env.grad(wpe);
    if (dwpe) positionBackwardCpu(dwpe, dout, output!.shape[0], T, C);
  },
  async forwardGpu({ inputs: [wte, wpe], output }, env) {
    const [T, C] = wpe.shape;
    const n = output!.shape[0];
    const grid = env.enc.grid(n * C, POSITION_WG.forward);
    return [
      await embeddingForwardDispatch(env, { table: wte, out: output!, T, n: n / T, label: 'encoder wte' }),
      await env.enc.dispatch(positionForwardKernel, {
        label: 'encoder wpe', overrides: { WG: POSITION_WG.forward }, grid, uniform: { n, T, C, rowStride: grid.rowStride },
        bind: { wpe: env.value(wpe), x: env.value(output!) },
      }),
    ];
  },
  async backwardGpu({ inputs: [wte, wpe], output }, env) {
    const [T, C] = wpe.shape;
    const n = output!.shape[0];
    const dout = env.grad(output!)!;
    const grid = env.enc.grid(T * C, POSITION_WG.backward);
    return [
      await embeddingBackwardDispatch(env, { table: wte, dout, dtable: env.grad(wte)!, T, n: n / T, label: 'encoder dwte' }),
      await env.enc.dispatch(positionBackwardKernel, {
        label: 'encoder dwpe', overrides: { WG: POSITION_WG.backward }, grid, uniform: { n, T, C, rowStride: grid.rowStride },
        bind: { dout, dwpe: env.grad(wpe)! },
      }),
    ];
  },
};
