/**
 * The fused bigram step's launch shape — C, the most examples one workgroup takes, and its
 * threads — chosen by timing, not by guessing from the adapter's kind. Compilers differ too
 * much: SwiftShader's Subzero pays per thread and per workgroup and wants few, long chunks;
 * lavapipe's LLVM runs 8 invocations as one vector; a GPU wants many short chunks to fill its
 * cores. On first use per adapter (and kernel), a few steps of each candidate on the real
 * examples, and the fastest is kept for the life of the process.
 *
 * A shape changes the order in which float32 partial sums are added, never the maths: two
 * shapes give the same losses within float32 rounding; one shape, bit-identical reruns.
 */

export interface LaunchShape {
  /** C: most examples one workgroup of the fused kernel takes (a uniform: no recompile). */
  chunkSize: number;
  /** Threads per workgroup of the fused kernel (a pipeline constant: each one compiles). */
  fusedWorkgroup: number;
}

export interface LaunchChoice extends LaunchShape {
  /** measured: the fastest candidate; given: the caller's options; small data: the first candidate, untimed. */
  how: 'measured' | 'given' | 'small data';
  /** Adapter and kernel the choice was made for. */
  key: string;
  /** ms per step of each candidate timed, in order. */
  timings: (LaunchShape & { ms: number })[];
}

/**
 * A ladder from CPU-like shapes (few long chunks, narrow workgroups) to GPU-like ones (many
 * short chunks, wider workgroups), walked until a candidate is slower than the best so far:
 * a software adapter stops after two, sharing one compiled pipeline, and never pays for the
 * compiles of the wider workgroups (seconds each on a CPU emulator).
 */
export const LAUNCH_CANDIDATES: readonly LaunchShape[] = [
  { chunkSize: 8192, fusedWorkgroup: 32 },
  { chunkSize: 2048, fusedWorkgroup: 32 },
  { chunkSize: 1024, fusedWorkgroup: 64 },
  { chunkSize: 256, fusedWorkgroup: 64 },
];

/** Below this many examples the shapes make the same few chunks: nothing worth timing. */
export const MEASURE_MIN_EXAMPLES = 16_384;
/** Larger data is sampled down to this many examples for the timing (its symbols' mix kept). */
export const MEASURE_MAX_EXAMPLES = 131_072;

/** ms per step of one shape on the data being trained. */
export type TimeLaunch = (shape: LaunchShape) => Promise<number>;

const choices = new Map<string, Promise<LaunchChoice>>();

/** The measured shape for `key`, timed with `time` on first use; later calls share it. */
export function measuredLaunch(key: string, time: TimeLaunch): Promise<LaunchChoice> {
  let choice = choices.get(key);
  if (!choice) {
    choice = walkLadder(key, time);
    choices.set(key, choice);
    choice.catch(() => choices.delete(key)); // a failed timing is retried, not remembered
  }
  return choice;
}

/** Every choice measured in this process so far (for reports). */
export async function measuredLaunches(): Promise<LaunchChoice[]> {
  return Promise.all(choices.values());
}

/** Forget the measured choices (tests). */
export function clearMeasuredLaunches(): void {
  choices.clear();
}

async function walkLadder(key: string, time: TimeLaunch): Promise<LaunchChoice> {
  const timings: LaunchChoice['timings'] = [];
  let best: LaunchShape & { ms: number } = { ...LAUNCH_CANDIDATES[0], ms: Infinity };
  for (const shape of LAUNCH_CANDIDATES) {
    const ms = await time(shape);
    timings.push({ ...shape, ms });
    if (!(ms < best.ms)) break;
    best = { ...shape, ms };
  }
  return { chunkSize: best.chunkSize, fusedWorkgroup: best.fusedWorkgroup, how: 'measured', key, timings };
}

/** Every `N / M`-th example, M = MEASURE_MAX_EXAMPLES at most. */
export function sampleExamples(xs: Uint32Array, ys: Uint32Array): { xs: Uint32Array; ys: Uint32Array } {
  const N = xs.length;
  if (N <= MEASURE_MAX_EXAMPLES) return { xs, ys };
  const M = MEASURE_MAX_EXAMPLES;
  const sx = new Uint32Array(M);
  const sy = new Uint32Array(M);
  for (let i = 0; i < M; i++) {
    const k = Math.floor((i * N) / M);
    sx[i] = xs[k];
    sy[i] = ys[k];
  }
  return { xs: sx, ys: sy };
}

/** One line for reports: "C 8192, 32 threads (measured: 8192×32 44.3 ms, 2048×32 61.0 ms)". */
export function describeLaunch(c: LaunchChoice): string {
  const timed = c.timings.map((t) => `${t.chunkSize}×${t.fusedWorkgroup} ${t.ms.toFixed(t.ms < 10 ? 2 : 1)} ms`).join(', ');
  return `C ${c.chunkSize}, ${c.fusedWorkgroup} threads (${c.how}${timed ? `: ${timed}` : ''})`;
}
