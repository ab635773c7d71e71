/**
 * How ops/matmul (shaders/ops/matmul.wgsl) is laid out on a device: its override constants and
 * its grid. Measured in docs/MATMUL_NOTES.md (bench/matmulRun.ts).
 */
export interface MatmulConfig {
  /** The tiled path (workgroup memory), else the direct one: a define, so the direct variant has no workgroup memory. */
  tiled: boolean;
  /**
   * Direct path: read and write in vec4 along every dimension that is a multiple of 4
   * (shaders/ops/matmulVec.wgsl.ts): on SwiftShader one vec4 load costs what one f32 load does.
   */
  vec4: boolean;
  /** The kernel's override constants. */
  overrides: Record<string, number>;
  /** Output rows and columns of one workgroup's tile. */
  tileRows: number;
  tileCols: number;
}

/** Rows and columns of one thread's block in the direct path (RM, RN in the kernel). */
const BLOCK = 16;

/**
 * software (SwiftShader and the like): the direct path, no workgroup memory and no barriers
 * (a barrier is a coroutine switch there), 16×16 outputs per thread so that each gathered load
 * feeds 16 products; 4 threads (one SIMD group of SwiftShader's 4 lanes) per workgroup, 2×2,
 * a 32×32 tile: small tiles keep both cores busy at the MLP's small outputs (30×200, 200×27).
 * A real GPU: the tiled path, 16×16 threads of 4×4 outputs, K staged 16 at a time in workgroup
 * memory, a 64×64 tile.
 */
export function matmulConfig(software: boolean): MatmulConfig {
  if (software) {
    const WG = 4;
    const TX = 2;
    return { tiled: false, vec4: true, overrides: { WG, TX, TS: 1, KT: 1 }, tileRows: (WG / TX) * BLOCK, tileCols: TX * BLOCK };
  }
  const TS = 16;
  return { tiled: true, vec4: false, overrides: { WG: TS * TS, TX: 1, TS, KT: 16 }, tileRows: 4 * TS, tileCols: 4 * TS };
}

/**
 * One workgroup per tile, numbered row-major and folded into x and y (the kernel recovers the
 * tile as wid.y · nwg.x + wid.x; the last row's extra workgroups exit), so any M and N fit until
 * the tiles exceed maxPerDim².
 */
export function matmulGrid(M: number, N: number, config: MatmulConfig, maxPerDim: number): { x: number; y: number } {
  const tiles = Math.ceil(M / config.tileRows) * Math.ceil(N / config.tileCols);
  const x = Math.max(1, Math.min(tiles, maxPerDim));
  const y = Math.ceil(tiles / x);
  if (y > maxPerDim) {
    throw new Error(`matmul ${M}×${N}: ${tiles} tiles of ${config.tileRows}×${config.tileCols} need ${y} rows of ${x} workgroups, more than ${maxPerDim} per dimension`);
  }
  return { x, y };
}
