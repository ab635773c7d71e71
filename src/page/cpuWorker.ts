/**
 * The Web Worker of the CPU device: the same CpuBigramTrainer and CpuNetTrainer the CLI uses,
 * run off the main thread so the page stays responsive while it trains. One worker per run
 * (see workerTrainer.ts).
 */
import { bigramCountsCpu } from '../models/bigramCounts.ts';
import { CpuBigramTrainer } from '../train/cpuTrainer.ts';
import { CpuNetTrainer } from '../nn/cpuTrainer.ts';
import { netModel } from '../models/registry.ts';
import type { WorkerOps, WorkerRequest, WorkerResponse } from './workerProtocol.ts';

// The project's lib is DOM, not WebWorker: declare the two members of the worker scope we use.
interface WorkerScope {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

let trainer: CpuBigramTrainer | CpuNetTrainer | null = null;

function need(): CpuBigramTrainer | CpuNetTrainer {
  if (!trainer) throw new Error('the CPU worker has no trainer yet (create was not sent)');
  return trainer;
}

function needNet(): CpuNetTrainer {
  const t = need();
  if (!(t instanceof CpuNetTrainer)) throw new Error('the CPU worker trains a bigram: it has no splits to evaluate');
  return t;
}

async function handle(req: WorkerRequest): Promise<WorkerOps[WorkerRequest['op']]['result']> {
  const progress = (done: number, total: number) => scope.postMessage({ id: req.id, progress: { done, total } });
  switch (req.op) {
    case 'counts':
      return bigramCountsCpu(req.args.xs, req.args.ys, req.args.V);
    case 'create':
      trainer = new CpuBigramTrainer({ V: req.args.V, xs: req.args.xs, ys: req.args.ys }, req.args.hyper);
      return null;
    case 'createNet':
      trainer = new CpuNetTrainer(netModel(req.args.kind).spec(req.args.data, req.args.hyper), req.args.data, Float32Array, req.args.initial);
      return null;
    case 'runSteps':
      return need().runSteps(req.args.count);
    case 'readWeights':
      return need().readWeights();
    case 'readCheckpoint':
      return need().readCheckpoint();
    case 'evaluate':
      return need().evaluate();
    case 'evaluateSplit':
      return needNet().evaluateSplit(req.args.split, progress);
  }
}

// Requests are handled one at a time, in order: the page awaits each before sending the next.
scope.onmessage = async (e) => {
  const { id } = e.data;
  try {
    const result = await handle(e.data);
    // Typed arrays are fresh copies: hand their memory over instead of copying again.
    const transfer = ArrayBuffer.isView(result) ? [result.buffer as ArrayBuffer] : [];
    scope.postMessage({ id, ok: true, result }, transfer);
  } catch (err) {
    const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
    scope.postMessage({ id, ok: false, name, message });
  }
};
