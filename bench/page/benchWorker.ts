/**
 * The CPU half of the benchmark, off the page's main thread: cpuSuite in a Web Worker, each
 * row posted back as soon as it is measured. One worker per run.
 */
import { cpuSuite } from '../suite.ts';
import type { BenchRequest, BenchResponse } from './protocol.ts';

// The project's lib is DOM, not WebWorker: declare the two members of the worker scope we use.
interface WorkerScope {
  onmessage: ((e: MessageEvent<BenchRequest>) => void) | null;
  postMessage(message: BenchResponse): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = async (e) => {
  const { opts, words } = e.data;
  try {
    await cpuSuite({ ...opts, words, onRow: (row) => scope.postMessage({ type: 'row', row }) });
    scope.postMessage({ type: 'done' });
  } catch (err) {
    const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
    scope.postMessage({ type: 'error', name, message });
  }
};
