/**
 * Old vs new matrix product, side by side: `npx tsx bench/matmulRun.ts [--repeats 7] [--gpu-config]`.
 * GPU: version 1 (workgroup tiles, 4×4 threads) vs ops/matmul with the adapter's config
 * (--gpu-config adds the real-GPU config, run on whatever adapter this is); CPU: a naive triple
 * loop vs src/ops/matmulCpu.ts. Each shape's samples
 * alternate between old and new. ms are medians per product; GFLOP/s = 2·M·K·N / time.
 */
import { parseArgs } from 'node:util';
import { openNodeGpu } from '../src/gpu/nodeBackend.ts';
import { matmulConfig } from '../src/ops/matmulTiling.ts';
import { BENCH_SHAPES, gflops, newCpu, newMatmul, oldCpu, oldMatmul, timeCpuSideBySide, timeGpuSideBySide } from './matmulBench.ts';

const { values } = parseArgs({ options: { repeats: { type: 'string' }, 'gpu-config': { type: 'boolean' }, 'no-cpu': { type: 'boolean' } } });
const repeats = Number(values.repeats ?? 7);
const ctx = await openNodeGpu();
console.log(`adapter: ${ctx.description}; ${repeats} repeats, medians`);
const gpuImpls = [oldMatmul(ctx), newMatmul(ctx)];
if (values['gpu-config']) gpuImpls.push(newMatmul(ctx, matmulConfig(false), 'new (GPU config)'));
const heads = [...gpuImpls.map((g) => `GPU ${g.name}`), ...(values['no-cpu'] ? [] : ['CPU old', 'CPU new'])];
const cell = (ms: number, gf: number) => `${ms.toFixed(3)} ms ${gf.toFixed(2).padStart(5)}`;
console.log(['shape'.padEnd(14), ...heads.map((h) => h.padStart(24)), '  GPU ×', values['no-cpu'] ? '' : ' CPU ×'].join(''));
const totals = heads.map(() => 0);
for (const s of BENCH_SHAPES) {
  const ms = await timeGpuSideBySide(ctx, gpuImpls, s, repeats);
  if (!values['no-cpu']) ms.push(...timeCpuSideBySide([oldCpu, newCpu], s, repeats));
  ms.forEach((t, i) => (totals[i] += t));
  const label = `${s.M}×${s.K}×${s.N} ${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'}`;
  const ratios = [` ${(ms[0] / ms[1]).toFixed(1).padStart(5)}×`, values['no-cpu'] ? '' : ` ${(ms[gpuImpls.length] / ms[gpuImpls.length + 1]).toFixed(1).padStart(5)}×`];
  console.log([label.padEnd(14), ...ms.map((t) => cell(t, gflops(s, t)).padStart(24)), ...ratios].join(''));
}
console.log(['total ms'.padEnd(14), ...totals.map((t) => `${t.toFixed(2)} ms`.padStart(24))].join(''));
