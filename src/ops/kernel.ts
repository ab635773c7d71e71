/**
 * The GPU half of an op: a kernel is its WGSL file (shaders/ops/<stem>.wgsl), its uniform
 * struct (declared once, packed by WGSL's rules), and its bindings by name (binding 0 is the
 * uniform, binding i the i-th name). `OpEncoder` turns a kernel, its values and named buffers
 * into a Dispatch that a step records; it owns the uniform buffers it makes.
 */
import { checkDevice, type GpuContext } from '../gpu/device.ts';
import { bindGroup, createBuffer, foldGrid, getPipeline, UNIFORM, type Grid } from '../gpu/kernels.ts';
import type { Dispatch } from '../gpu/stepLoop.ts';
import type { Defines } from '../gpu/shaders.ts';
import { packUniform, type UniformStruct, type UniformValues } from './uniform.ts';

/** Snippets every op kernel is assembled with. */
export const OPS_LIBS = ['lib/ops_common.wgsl'] as const;

export interface OpKernel<F extends string = string, B extends string = string> {
  /** 'ops/<name>': the file shaders/ops/<name>.wgsl, and the label of its dispatches. */
  stem: string;
  uniform: UniformStruct<F>;
  /** Binding i + 1 is bindings[i] (binding 0: the uniform). */
  bindings: readonly B[];
  /** Shader snippets before the kernel (default OPS_LIBS). */
  libs?: readonly string[];
  /** An elementwise kernel written over E (f32, or vec4<f32> under the define vec4): see vec4Units. */
  vec4?: boolean;
}

export function opKernel<F extends string, const B extends string>(stem: string, uniform: UniformStruct<F>, bindings: readonly B[], libs?: readonly string[], o: { vec4?: boolean } = {}): OpKernel<F, B> {
  return { stem, uniform, bindings, libs, vec4: o.vec4 };
}

export type Binding = GPUBuffer | GPUBufferBinding;

export interface DispatchSpec<F extends string, B extends string> {
  /** #if flags and ${name} values of the kernel. */
  defines?: Defines;
  /** WGSL override constants (workgroup size). */
  overrides?: Record<string, number>;
  uniform: UniformValues<F>;
  /** Named buffers; a binding the kernel variant does not use is left out. */
  bind: Partial<Record<B, Binding>>;
  grid: Pick<Grid, 'x' | 'y'>;
  /** Label of the dispatch (default the stem). */
  label?: string;
}

export class OpEncoder {
  /** Uniform buffers made for dispatches; destroyed by dispose. */
  private readonly owned: GPUBuffer[] = [];
  readonly maxPerDim: number;
  /** The device's own limit (kernels whose grids do not fold). */
  readonly deviceMaxPerDim: number;

  constructor(
    readonly ctx: GpuContext,
    /** Fold grids into 2-D past this many workgroups (lower in tests to exercise folding). */
    maxWorkgroupsPerDimension = Infinity,
  ) {
    this.deviceMaxPerDim = ctx.device.limits.maxComputeWorkgroupsPerDimension;
    this.maxPerDim = Math.min(maxWorkgroupsPerDimension, this.deviceMaxPerDim);
  }

  /** A grid of `threads` threads in workgroups of `wg`, folded past the per-dimension limit. */
  grid(threads: number, wg: number): Grid {
    return foldGrid(threads, wg, this.maxPerDim);
  }

  async dispatch<F extends string, B extends string>(kernel: OpKernel<F, B>, spec: DispatchSpec<F, B>): Promise<Dispatch> {
    checkDevice(this.ctx);
    const label = spec.label ?? kernel.stem;
    const pipeline = await getPipeline(this.ctx, { stem: kernel.stem, defines: spec.defines ?? {}, overrides: spec.overrides, libs: kernel.libs ?? OPS_LIBS });
    const bytes = new Uint8Array(packUniform(kernel.uniform, spec.uniform));
    const params = createBuffer(this.ctx, `${label} params`, bytes.byteLength, UNIFORM, bytes);
    this.owned.push(params);
    for (const name of Object.keys(spec.bind)) {
      if (!kernel.bindings.includes(name as B)) throw new Error(`${kernel.stem} has no binding "${name}" (it has ${kernel.bindings.join(', ')})`);
    }
    const buffers = [params, ...kernel.bindings.map((name) => spec.bind[name] ?? null)];
    return { stem: label, pipeline, grid: spec.grid, bind: bindGroup(this.ctx, pipeline, label, buffers) };
  }

  dispose(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }
}
