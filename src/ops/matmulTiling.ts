/**
 * matmul's tiles and grid. A workgroup of TS×TS threads computes a (4·TS)×(4·TS) output tile.
 * Few threads suit a CPU emulation of a GPU (barriers are costly there: TS = 4); a real GPU
 * wants full workgroups (TS = 16).
 */
export interface MatmulConfig {
  overrides: Record<string, number>;
  /** Output rows and columns of one workgroup's tile. */
  tile: number;
}

export function matmulConfig(software: boolean): MatmulConfig {
  const TS = software ? 4 : 16;
  return { overrides: { TS }, tile: 4 * TS };
}

/** One workgroup per output tile: columns along x, rows along y. */
export function matmulGrid(M: number, N: number, config: MatmulConfig, maxPerDim: number): { x: number; y: number } {
  const x = Math.ceil(N / config.tile);
  const y = Math.ceil(M / config.tile);
  if (x > maxPerDim || y > maxPerDim) {
    throw new Error(`matmul (${M}, ${N}) needs ${Math.max(x, y)} workgroups along one dimension, above this device's ${maxPerDim}`);
  }
  return { x: Math.max(1, x), y: Math.max(1, y) };
}
