/**
 * The training step of a model in one or more source trees, side by side in one process (each
 * tree opens its own device and reads its own shaders), on the default recipe and data:
 *   npx tsx bench/stepCompare.ts [--model mlp|transformer|rnn|gru] [--reps 7] [--B 32,512] [--opt sgd,adamw] [--dispatch] ROOT...
 * ROOT: a checkout's root (e.g. `git archive <commit> | tar -x -C /tmp/old` plus a node_modules
 * link, and `.` for this one; for the MLP, a tree from before the op library runs its
 * hand-written trainer). Prints ms per step (medians of --reps runs of 20 MLP steps or 4
 * Transformer steps, the trees alternating; also the process's CPU time per step), and with --dispatch each dispatch of the largest
 * B's step timed alone: 20 copies in one pass, one submit, a tiny read, minus an empty submit's time.
 * Warm-up: 25 submits per MLP trainer, so that the wait estimate of StepLoop (which sleeps through
 * 90% of the last submit's time and shrinks by 10% a submit) has converged: after 5 steps it
 * still oversleeps, which is most of what a short measurement sees. A Transformer step is long
 * enough that 6 warm-up submits do.
 * The Transformer runs on the default names of up to 15 letters (T = 16), as in bench/suite.ts;
 * so do the rnn and the gru (makemore's sizes, AdamW, 10 steps a run), each in both forms of its
 * time loop where the tree has both (unrolled into T cells, or ops/recurrence), the CPU trainer
 * of each form timed beside the GPU's.
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
const model = option('--model') ?? 'mlp';
if (!['mlp', 'transformer', 'rnn', 'gru'].includes(model)) throw new Error(`--model ${model}: mlp, transformer, rnn or gru`);
const transformer = model === 'transformer';
const recurrent = model === 'rnn' || model === 'gru';
const stepsPerRun = transformer ? 4 : recurrent ? 10 : 20;
const roots = args.filter((a, i) => !a.startsWith('--') && !['--reps', '--B', '--opt', '--model'].includes(args[i - 1])).map((r) => resolve(r));
if (roots.length === 0) throw new Error('usage: npx tsx bench/stepCompare.ts [--model mlp|transformer|rnn|gru] [--reps N] [--B 32,512] [--opt sgd,adamw] [--dispatch] ROOT...');
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

interface Trainer { key: string; B: number; t: { runSteps(n: number): Promise<unknown>; dispatchesPerStep: number } }
interface Tree { root: string; ctx: any; trainers: Trainer[]; read: (expectedMs: number) => Promise<unknown> }

const trees: Tree[] = [];
for (const root of roots) {
  const { openNodeGpu } = await import(`${root}/src/gpu/nodeBackend.ts`);
  const netTrainer = async () => (await import(`${root}/src/nn/gpuTrainer.ts`)).GpuNetTrainer;
  const { DEFAULT_MLP_HYPER, DEFAULT_TRANSFORMER_HYPER } = await import(`${root}/src/train/hyper.ts`);
  const { loadDefaultDataset } = await import(`${root}/src/data/defaultNames.node.ts`);
  const { readBuffer, createBuffer, STORAGE } = await import(`${root}/src/gpu/kernels.ts`);
  const ctx = await openNodeGpu();
  const trainers: Trainer[] = [];
  if (recurrent) {
    // Both forms of the time loop where the tree has the one-op form (ops/recurrence), its
    // unrolled graph otherwise; the CPU trainer of each beside them.
    const { rnnNetSpec } = await import(`${root}/src/models/rnn/net.ts`);
    const { sequenceData } = await import(`${root}/src/data/sequences.ts`);
    const { datasetFromWords } = await import(`${root}/src/data/dataset.ts`);
    const { DEFAULT_SEQUENCE_HYPER } = await import(`${root}/src/train/hyper.ts`);
    const { CpuNetTrainer } = await import(`${root}/src/nn/cpuTrainer.ts`);
    const names = loadDefaultDataset();
    const data = sequenceData(datasetFromWords(names.words.filter((w: string) => [...w].length <= 15), 'names of up to 15 letters'), 42, 16);
    const forms = existsSync(`${root}/src/ops/recurrence.ts`) ? [false, true] : [false];
    for (const B of batches) {
      for (const loop of forms) {
        const spec = rnnNetSpec(model, data, { ...DEFAULT_SEQUENCE_HYPER, blockSize: 16, batchSize: B }, loop);
        const t = await (await netTrainer()).create(ctx, spec, data);
        for (let w = 0; w < 6; w++) await t.runSteps(stepsPerRun);
        const form = loop ? 'loop' : 'unrolled';
        trainers.push({ key: `B=${B} ${form} gpu`, B, t });
        const c = new CpuNetTrainer(spec, data);
        await c.runSteps(stepsPerRun);
        trainers.push({ key: `B=${B} ${form} cpu`, B, t: Object.assign(c, { dispatchesPerStep: 0 }) });
      }
    }
  } else if (transformer) {
    const { transformerNetSpec } = await import(`${root}/src/models/transformer/net.ts`);
    const { sequenceData } = await import(`${root}/src/data/sequences.ts`);
    const { datasetFromWords } = await import(`${root}/src/data/dataset.ts`);
    const names = loadDefaultDataset();
    const data = sequenceData(datasetFromWords(names.words.filter((w: string) => [...w].length <= 15), 'names of up to 15 letters'), 42, 16);
    for (const B of batches) {
      const t = await (await netTrainer()).create(ctx, transformerNetSpec(data, { ...DEFAULT_TRANSFORMER_HYPER, blockSize: 16, batchSize: B }), data);
      for (let w = 0; w < 6; w++) await t.runSteps(stepsPerRun);
      trainers.push({ key: `B=${B} adamw`, B, t });
    }
  } else {
    // A tree from before the op library (its hand-written GpuMlpTrainer, SGD only) compares too.
    const handWritten = !existsSync(`${root}/src/nn/gpuTrainer.ts`);
    const create = handWritten
      ? async (data: unknown, hyper: unknown) => (await import(`${root}/src/gpu/mlpTrainer.ts`)).GpuMlpTrainer.create(ctx, data, hyper)
      : async (data: unknown, hyper: unknown) => (await netTrainer()).create(ctx, (await import(`${root}/src/models/mlp/net.ts`)).mlpNetSpec(data, hyper), data);
    const { contextData } = await import(`${root}/src/data/contexts.ts`);
    const data = contextData(loadDefaultDataset(), 3, 42);
    for (const B of batches) {
      for (const optimizer of handWritten ? ['sgd'] : optimizers) {
        const t = await create(data, { ...DEFAULT_MLP_HYPER, batchSize: B, optimizer });
        for (let w = 0; w < 25; w++) await t.runSteps(stepsPerRun);
        trainers.push({ key: `B=${B} ${optimizer}`, B, t });
      }
    }
  }
  const tiny = createBuffer(ctx, 'tiny', 16, STORAGE);
  trees.push({ root, ctx, trainers, read: (ms) => readBuffer(ctx, tiny, 16, 0, ms) });
  console.log(`${root}: ${ctx.description}; ${trainers.filter((x) => x.t.dispatchesPerStep > 0).map((x) => `${x.key} ${x.t.dispatchesPerStep} dispatches`).join(', ')}`);
}

// Wall time, and the process's CPU time (every thread: SwiftShader's workers too), which a
// machine shared with other work disturbs less: on a CPU adapter it is the work itself.
const times = new Map<string, { wall: number[]; cpu: number[] }>();
for (let r = 0; r < reps; r++) {
  for (const tree of trees) {
    for (const { key, t } of tree.trainers) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await t.runSteps(stepsPerRun);
      const c = process.cpuUsage(c0);
      const k = `${key.padEnd(20)} ${tree.root}`;
      const m = times.get(k) ?? { wall: [], cpu: [] };
      m.wall.push((performance.now() - t0) / stepsPerRun);
      m.cpu.push((c.user + c.system) / 1000 / stepsPerRun);
      times.set(k, m);
    }
  }
}
for (const [k, v] of times) {
  console.log(`${k}: ${median(v.wall).toFixed(2)} ms/step, CPU ${median(v.cpu).toFixed(2)} ms/step  [wall ${v.wall.map((x) => x.toFixed(1)).join(' ')}]`);
}

if (perDispatch) {
  const R = 20;
  for (const tree of trees) {
    const big = tree.trainers.filter((x) => x.t.dispatchesPerStep > 0).reduce((a, b) => (b.B > a.B ? b : a));
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
