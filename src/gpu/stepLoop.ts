/**
 * What every GPU trainer does with its step: record K copies of its dispatches into one
 * compute pass and one submit (after saving the weights as a checkpoint), then read the loss
 * history ring once — never once per step. Shared by the bigram and MLP trainers.
 */
import { checkDevice, type GpuContext } from './device.ts';
import { readBuffer, type Grid } from './kernels.ts';

/** Submits whose per-step times the wait estimate remembers. */
const RECENT_SUBMITS = 8;

export interface Dispatch {
  /** The kernel's stem, for timings. */
  stem: string;
  pipeline: GPUComputePipeline;
  bind: GPUBindGroup;
  grid: Pick<Grid, 'x' | 'y'>;
}

export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[]): void {
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bind);
    pass.dispatchWorkgroups(d.grid.x, d.grid.y);
  }
}

export interface StepLoopBuffers {
  /** The trained parameters and where runSteps saves them first. */
  weights: GPUBuffer;
  checkpoint: GPUBuffer;
  weightBytes: number;
  /** (H,) f32 loss of step s at s % H, written by the step's last kernels. */
  history: GPUBuffer;
  H: number;
}

export class StepLoop {
  /** Steps submitted so far (the GPU's own counter advances with them). */
  step = 0;
  dispatches: readonly Dispatch[] = [];
  /** Wall time per step of the last submit: how long the next one may be slept through. */
  /** Per-step times of the last submits (not the first): the wait before reading sleeps through 90% of their least. */
  private readonly recentMsPerStep: number[] = [];
  private submits = 0;

  constructor(
    private readonly ctx: GpuContext,
    private readonly label: string,
    private readonly buffers: StepLoopBuffers,
  ) {}

  /** Record `count` steps (≤ H) into one submit; no wait. */
  submit(count: number): void {
    const { weights, checkpoint, weightBytes } = this.buffers;
    const encoder = this.ctx.device.createCommandEncoder({ label: `${this.label} steps ${this.step}..${this.step + count}` });
    encoder.copyBufferToBuffer(weights, 0, checkpoint, 0, weightBytes);
    const pass = encoder.beginComputePass({ label: `${this.label} steps` });
    for (let s = 0; s < count; s++) encodeDispatches(pass, this.dispatches);
    pass.end();
    this.ctx.device.queue.submit([encoder.finish()]);
    this.step += count;
  }

  /** Run `count` steps, H at most per submit; resolves with each step's loss. */
  async run(count: number): Promise<Float32Array> {
    checkDevice(this.ctx);
    const { history, H } = this.buffers;
    const losses = new Float32Array(count);
    for (let done = 0; done < count; ) {
      const k = Math.min(H, count - done);
      const first = this.step;
      const t0 = performance.now();
      this.submit(k);
      // Sleep through 90% of the least per-step time of the last few submits
      // (GpuContext.idleBeforeWait), then wait. The least, not the last: one slow submit (a
      // busy machine, a hiccup) would make the next waits oversleep, and an oversleep is never
      // seen (the time measured includes it), so it only shrinks as the estimate is replaced.
      const msPerStep = this.recentMsPerStep.length ? Math.min(...this.recentMsPerStep) : 0;
      const ring = new Float32Array(await readBuffer(this.ctx, history, 4 * H, 0, 0.9 * k * msPerStep));
      // The first submit also compiles (a software adapter JIT-compiles each pipeline on its
      // first dispatch): it sets no estimate.
      if (this.submits++ > 0) {
        this.recentMsPerStep.push((performance.now() - t0) / k);
        if (this.recentMsPerStep.length > RECENT_SUBMITS) this.recentMsPerStep.shift();
      }
      for (let i = 0; i < k; i++) losses[done + i] = ring[(first + i) % H];
      done += k;
    }
    return losses;
  }
}
