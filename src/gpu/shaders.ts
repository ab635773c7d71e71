/**
 * WGSL sources: each kernel is shaders/<stem>.wgsl, preceded by the shared snippets in
 * shaders/lib/. Sizes that WGSL needs as constants (V, for private arrays) and structural
 * variants (`#if ${flag}`) are filled in by wgsl-preprocessor from `${name}` placeholders.
 * How the files are read is the environment's business (fs in Node, a Vite glob in the
 * browser): both hand over a ShaderFiles map.
 */
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';

/** File name relative to shaders/ (e.g. 'softmax_forward.wgsl', 'lib/philox.wgsl') → text. */
export type ShaderFiles = (path: string) => string;

export const SHADER_LIBS = ['lib/bigram_common.wgsl', 'lib/philox.wgsl'];
/** The context model's kernels: their own uniform layout (lib/mlp_common.wgsl) instead of the bigram's. */
export const MLP_SHADER_LIBS = ['lib/philox.wgsl', 'lib/mlp_common.wgsl'];

export type Defines = Record<string, string | number | boolean>;

/** Replace `${name}` by defines[name] (and resolve #if blocks) with wgsl-preprocessor. */
export function preprocess(source: string, defines: Defines, origin: string): string {
  const strings: string[] = [];
  const values: unknown[] = [];
  let last = 0;
  for (const m of source.matchAll(/\$\{(\w+)\}/g)) {
    if (!(m[1] in defines)) throw new Error(`${origin}: no value for \${${m[1]}}`);
    strings.push(source.slice(last, m.index));
    values.push(defines[m[1]]);
    last = m.index! + m[0].length;
  }
  strings.push(source.slice(last));
  return wgsl(strings, ...values);
}

export function assembleShader(files: ShaderFiles, stem: string, defines: Defines, libs: readonly string[] = SHADER_LIBS): string {
  const parts = [...libs, `${stem}.wgsl`].map((path) => `// ---- shaders/${path}\n` + preprocess(files(path), defines, path));
  return parts.join('\n');
}
