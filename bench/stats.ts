/** Medians and spreads of repeated timings. */
export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

/**
 * Run `fn` `warmup` times untimed, then `repeats` times timed (ms each). With `minSampleMs`,
 * each sample calls `fn` again until that long has passed and is the mean per call: a coarse
 * clock (a browser's performance.now, 0.1 ms in Chrome without cross-origin isolation) then
 * still times a 0.03 ms op. 0 (the default): one call per sample.
 */
export async function time(fn: () => Promise<void> | void, repeats: number, warmup = 1, minSampleMs = 0): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    let calls = 0;
    let elapsed: number;
    do {
      await fn();
      calls++;
      elapsed = performance.now() - t0;
    } while (elapsed < minSampleMs);
    samples.push(elapsed / calls);
  }
  return summarize(samples);
}
