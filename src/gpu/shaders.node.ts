/** Node: the WGSL files are read from the shaders/ folder of the installed project. */
import { readFileSync } from 'node:fs';
import type { ShaderFiles } from './shaders.ts';

const root = new URL('../../shaders/', import.meta.url);

export const nodeShaderFiles: ShaderFiles = (path) => readFileSync(new URL(path, root), 'utf8');
