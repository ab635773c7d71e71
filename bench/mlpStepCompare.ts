/**
 * The MLP training step of one or more source trees, side by side in one process (each tree
 * opens its own device and reads its own shaders), on the default recipe and data:
 *   npx tsx bench/mlpStepCompare.ts [--reps 7] [--B 32,512] [--opt sgd,adamw] [--dispatch] ROOT...
 * ROOT: a checkout's root (e.g. `git archive <commit> | tar -x -C /tmp/old` plus a node_modules
 * link, and `.` for this one; a tree from before the op library runs its hand-written trainer). Prints ms per step (medians of --reps runs of 20 steps, the trees
 * alternating), and with --dispatch each dispatch of the B = 512 step (or the largest B) timed
 * alone: 20 copies in one pass, one submit, a tiny read, minus an empty submit's time.
 * Warm-up: 25 submits per trainer, so that the wait estimate of StepLoop (which sleeps through
 * 90% of the last submit's time and shrinks by 10% a submit) has converged: after 5 steps it
 * still oversleeps, which is most of what a short measurement sees.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const reps = Number(option('--reps') ?? 7);
const batches = (option('--B') ?? '32,512').split(',').map(Number);
const optimizers = (option('--opt') ?? 'sgd,adamw').split(',');
const perDispatch = args.includes('--dispatch');
const roots = args.filter((a, i) => !a.startsWith('--') && !['--reps', '--B', '--opt'].includes(args[i - 1])).map((r) => resolve(r));
if (roots.length === 0) throw new Error('usage: npx tsx bench/mlpStepCompare.ts [--reps N] [--B 32,512] [--opt sgd,adamw] [--dispatch] ROOT...');
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

interface Trainer { key: string; B: number; t: { runSteps(n: number): Promise<unknown>; dispatchesPerStep: number } }
interface Tree { root: string; ctx: any; trainers: Trainer[]; read: (expectedMs: number) => Promise<unknown> }

const trees: Tree[] = [];
for (const root of roots) {
  const { openNodeGpu } = await import(`${root}/src/gpu/nodeBackend.ts`);
  // A tree from before the op library (its hand-written GpuMlpTrainer, SGD only) compares too.
  const handWritten = !existsSync(`${root}/src/nn/gpuTrainer.ts`);
  const create = handWritten
    ? async (ctx: unknown, data: unknown, hyper: unknown) => (await import(`${root}/src/gpu/mlpTrainer.ts`)).GpuMlpTrainer.create(ctx, data, hyper)
    : async (ctx: unknown, data: unknown, hyper: unknown) => {
      const { GpuNetTrainer } = await import(`${root}/src/nn/gpuTrainer.ts`);
      const { mlpNetSpec } = await import(`${root}/src/models/mlp/net.ts`);
      return GpuNetTrainer.create(ctx, mlpNetSpec(data, hyper), data);
    };
  const { DEFAULT_MLP_HYPER } = await import(`${root}/src/train/hyper.ts`);
  const { loadDefaultDataset } = await import(`${root}/src/data/defaultNames.node.ts`);
  const { contextData } = await import(`${root}/src/data/contexts.ts`);
  const { readBuffer, createBuffer, STORAGE } = await import(`${root}/src/gpu/kernels.ts`);
  const ctx = await openNodeGpu();
  const data = contextData(loadDefaultDataset(), 3, 42);
  const trainers: Trainer[] = [];
  for (const B of batches) {
    for (const optimizer of handWritten ? ['sgd'] : optimizers) {
      const t = await create(ctx, data, { ...DEFAULT_MLP_HYPER, batchSize: B, optimizer });
      for (let w = 0; w < 25; w++) await t.runSteps(20);
      trainers.push({ key: `B=${B} ${optimizer}`, B, t });
    }
  }
  const tiny = createBuffer(ctx, 'tiny', 16, STORAGE);
  trees.push({ root, ctx, trainers, read: (ms) => readBuffer(ctx, tiny, 16, 0, ms) });
  console.log(`${root}: ${ctx.description}; ${trainers.map((x) => `${x.key} ${x.t.dispatchesPerStep} dispatches`).join(', ')}`);
}

const times = new Map<string, number[]>();
for (let r = 0; r < reps; r++) {
  for (const tree of trees) {
    for (const { key, t } of tree.trainers) {
      const t0 = performance.now();
      await t.runSteps(20);
      const k = `${key.padEnd(12)} ${tree.root}`;
      times.set(k, [...(times.get(k) ?? []), (performance.now() - t0) / 20]);
    }
  }
}
for (const [k, v] of times) console.log(`${k}: ${median(v).toFixed(2)} ms/step  [${v.map((x) => x.toFixed(1)).join(' ')}]`);

if (perDispatch) {
  const R = 20;
  for (const tree of trees) {
    const big = tree.trainers.reduce((a, b) => (b.B > a.B ? b : a));
    const ds = (big.t as any).loop.dispatches;
    const { device } = tree.ctx;
    const last = new Map<unknown, number>();
    const sample = async (list: any[]) => {
      const t0 = performance.now();
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (const d of list) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bind);
        pass.dispatchWorkgroups(d.grid.x, d.grid.y);
      }
      pass.end();
      device.queue.submit([enc.finish()]);
      await tree.read(0.9 * (last.get(list[0]) ?? 0)); // sleep as the trainer does: a busy wait takes one of the cores
      const ms = performance.now() - t0;
      last.set(list[0], ms);
      return ms;
    };
    const empty: number[] = [];
    const per = ds.map(() => [] as number[]);
    for (let r = 0; r < 9; r++) {
      empty.push(await sample([]));
      for (let i = 0; i < ds.length; i++) per[i].push(await sample(Array(R).fill(ds[i])));
    }
    const e = median(empty);
    console.log(`${tree.root}, ${big.key}: each dispatch alone (empty submit + read ${e.toFixed(2)} ms subtracted)`);
    let total = 0;
    ds.forEach((d: any, i: number) => {
      const ms = (median(per[i]) - e) / R;
      total += ms;
      console.log(`  ${d.stem.padEnd(28)} ${`${d.grid.x}×${d.grid.y}`.padStart(7)}  ${ms.toFixed(3)} ms`);
    });
    console.log(`  sum ${total.toFixed(2)} ms`);
  }
}
process.exit(0);
