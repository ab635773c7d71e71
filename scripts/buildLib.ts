/**
 * Builds the package's dist/ (run by `npm run build:lib`, and by `npm pack` through prepack):
 *   1. tsc -p tsconfig.lib.json: the entries src/index.ts, src/node.ts and what they import,
 *      as JavaScript and declarations;
 *   2. the WGSL files copied to dist/shaders/, where Node reads them (src/gpu/shaders.node.ts);
 *   3. dist/src/gpu/shaders.browser.js written anew with the WGSL texts inline: the sources
 *      find them through a Vite glob, which a consumer's bundler would not expand.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const shaders = `${root}shaders`;

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.lib.json`], { stdio: 'inherit' });

const wgslFiles = (readdirSync(shaders, { recursive: true }) as string[]).map((f) => f.replaceAll('\\', '/')).filter((f) => f.endsWith('.wgsl')).sort();
for (const file of wgslFiles) cpSync(`${shaders}/${file}`, `${dist}/shaders/${file}`);

const browserModule = `${dist}/src/gpu/shaders.browser.js`;
if (!readFileSync(browserModule, 'utf8').includes('import.meta.glob(')) {
  throw new Error(`${browserModule}: expected the Vite glob of src/gpu/shaders.browser.ts; has that module changed?`);
}
const sources = Object.fromEntries(wgslFiles.map((f) => [f, readFileSync(`${shaders}/${f}`, 'utf8')]));
writeFileSync(browserModule, `/** The WGSL files (shaders/), inline: written by scripts/buildLib.ts in place of the Vite glob. */
const sources = ${JSON.stringify(sources, null, 1)};
export const browserShaderFiles = (path) => {
    const text = sources[path];
    if (text === undefined)
        throw new Error(\`shader \${path} is not bundled\`);
    return text;
};
`);
console.log(`dist/: the library, with ${wgslFiles.length} WGSL files`);
