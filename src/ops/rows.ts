/** The rows first, first + 1, …, first + n − 1: a contiguous chunk of a split. */
export function rangeRows(first: number, n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, r) => first + r);
}
