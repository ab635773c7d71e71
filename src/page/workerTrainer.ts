/**
 * The CPU device of the page: a Web Worker (cpuWorker.ts) behind the same Trainer interfaces
 * as the GPU trainers (BigramTrainer, MlpTrainer), so one training loop drives both. One worker
 * per run; disposing the trainer ends the worker.
 */
import { UserError } from '../errors.ts';
import type { ContextData, SplitName } from '../data/contexts.ts';
import type { LossParts } from '../models/bigramNet.ts';
import type { BigramNetHyper, MlpHyper } from '../train/hyper.ts';
import type { NetModelKind } from '../models/registry.ts';
import type { BigramTrainer, EvalProgress, MlpTrainer, Trainer } from '../train/trainer.ts';
import type { WorkerOp, WorkerOps, WorkerRequest, WorkerResponse } from './workerProtocol.ts';

export const CPU_DESCRIPTION = 'CPU (JavaScript, single thread), in a Web Worker';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (done: number, total: number) => void };

/** A worker that answers WorkerOps requests as promises. */
export class CpuWorker {
  private readonly worker = new Worker(new URL('./cpuWorker.ts', import.meta.url), { type: 'module', name: 'makemore-cpu' });
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor() {
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const r = e.data;
      const p = this.pending.get(r.id);
      if (!p) return;
      if ('progress' in r) {
        p.onProgress?.(r.progress.done, r.progress.total);
        return;
      }
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(rebuildError(r.name, r.message));
    };
    // A worker that fails to load or throws outside a request fails every request, now and later.
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.fail(new Error(`the CPU worker failed: ${e.message || 'it could not be started'}`));
    };
    this.worker.onmessageerror = () => this.fail(new Error('the CPU worker sent a message that could not be read'));
  }

  call<K extends WorkerOp>(op: K, args: WorkerOps[K]['args'], onProgress?: Pending['onProgress']): Promise<WorkerOps[K]['result']> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      this.worker.postMessage({ id, op, args } as WorkerRequest);
    });
  }

  terminate(): void {
    this.worker.terminate();
    this.fail(new Error('the CPU worker was stopped'));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}

function rebuildError(name: string, message: string): Error {
  const e = name === 'UserError' ? new UserError(message) : new Error(message);
  if (name !== 'UserError') e.name = name;
  return e;
}

/** A trainer in a worker: every method is a request (see WorkerOps). */
class WorkerTrainer implements Trainer {
  readonly device = 'cpu' as const;
  step = 0;

  protected constructor(
    protected readonly worker: CpuWorker,
    readonly V: number,
    // The worker's own description is the whole user agent: too long for the page.
    readonly deviceDescription = CPU_DESCRIPTION,
  ) {}

  /** A new worker, started with `start`; ended again if that fails. */
  protected static async started(start: (worker: CpuWorker) => Promise<null>): Promise<CpuWorker> {
    const worker = new CpuWorker();
    try {
      await start(worker);
      return worker;
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  async runSteps(count: number): Promise<Float32Array> {
    const losses = await this.worker.call('runSteps', { count });
    this.step += count;
    return losses;
  }

  readWeights(): Promise<Float32Array> {
    return this.worker.call('readWeights', {});
  }

  readCheckpoint(): Promise<Float32Array> {
    return this.worker.call('readCheckpoint', {});
  }

  evaluate(): Promise<LossParts> {
    return this.worker.call('evaluate', {});
  }

  dispose(): void {
    this.worker.terminate();
  }
}

export class WorkerBigramTrainer extends WorkerTrainer implements BigramTrainer {
  /** Starts a worker and a CpuBigramTrainer in it (the examples are copied to the worker). */
  static async create(data: { V: number; xs: Uint32Array; ys: Uint32Array }, hyper: BigramNetHyper): Promise<WorkerBigramTrainer> {
    const worker = await WorkerTrainer.started((w) => w.call('create', { V: data.V, xs: data.xs, ys: data.ys, hyper }));
    return new WorkerBigramTrainer(worker, data.V);
  }
}

export class WorkerNetTrainer extends WorkerTrainer implements MlpTrainer {
  /**
   * Starts a worker and a CpuNetTrainer of a registry model in it (the splits' examples are
   * copied to the worker), from the seed's weights or from `initial`.
   */
  static async create(kind: NetModelKind, data: ContextData, hyper: MlpHyper, initial?: Float32Array): Promise<WorkerNetTrainer> {
    const worker = await WorkerTrainer.started((w) => w.call('createNet', { kind, data, hyper, initial }));
    return new WorkerNetTrainer(worker, data.V);
  }

  /** Progress comes from the worker after each chunk; the signal is not seen inside the worker (the page does not cut an evaluation short). */
  evaluateSplit(split: SplitName, onProgress?: EvalProgress): Promise<number> {
    return this.worker.call('evaluateSplit', { split }, onProgress);
  }
}

/** The counting model's table, computed in a worker of its own. */
export async function bigramCountsInWorker(xs: Uint32Array, ys: Uint32Array, V: number): Promise<Uint32Array> {
  const worker = new CpuWorker();
  try {
    return await worker.call('counts', { V, xs, ys });
  } finally {
    worker.terminate();
  }
}

/** The context model's mean NLL on each split for the given weights, computed in a worker of its own. */
export async function netSplitLossesInWorker(kind: NetModelKind, data: ContextData, hyper: MlpHyper, weights: Float32Array): Promise<Record<SplitName, number>> {
  const t = await WorkerNetTrainer.create(kind, data, hyper, weights);
  try {
    return { train: await t.evaluateSplit('train'), dev: await t.evaluateSplit('dev'), test: await t.evaluateSplit('test') };
  } finally {
    t.dispose();
  }
}
