/** Browser: Vite bundles the WGSL files as strings. */
import type { ShaderFiles } from './shaders.ts';

const sources = import.meta.glob('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export const browserShaderFiles: ShaderFiles = (path) => {
  const text = sources[`../../shaders/${path}`];
  if (text === undefined) throw new Error(`shader ${path} is not bundled`);
  return text;
};
