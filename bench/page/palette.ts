/**
 * The benchmark charts' colours, shared with the end-to-end test that looks for them in the
 * canvases. The main page's device colours, dark enough for 3:1 against white (WCAG non-text
 * contrast); lines also differ by dash, so they part without colour too.
 */
export const GPU_COLOUR = '#c2410c';
export const CPU_COLOUR = '#1d4ed8';

/** One style per line of the step chart (report.ts STEP_LINES). */
export const STEP_STYLE = {
  cpu: { stroke: CPU_COLOUR, dash: undefined },
  fused: { stroke: GPU_COLOUR, dash: undefined },
  unfused: { stroke: '#7e22ce', dash: [10, 5] },
  counts: { stroke: '#374151', dash: [3, 4] },
} as const satisfies Record<string, { stroke: string; dash: readonly number[] | undefined }>;
