/**
 * The messages between the benchmark page and its CPU worker (benchWorker.ts): one request
 * runs the CPU half of the suite; every row comes back as it is measured, then `done`.
 */
import type { BenchOptions, Row } from '../suite.ts';

export interface BenchRequest {
  opts: Pick<BenchOptions, 'sizes' | 'kernelN' | 'repeats' | 'minSampleMs' | 'ladderSteps' | 'ladderWords'>;
  /** The word list, loaded once by the page and posted here. */
  words: string[];
}

export type BenchResponse =
  | { type: 'row'; row: Row }
  | { type: 'done' }
  | { type: 'error'; name: string; message: string };
