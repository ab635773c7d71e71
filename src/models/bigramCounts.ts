/**
 * The counting bigram: count every (x → y) pair into a V×V table, add-k smooth, normalise
 * each row, score with the mean negative log-likelihood.
 *
 * Shapes: N examples, V vocabulary.
 */

/** bigram_counts: the V×V table of pair counts; the GPU kernel must match it exactly. */
export function bigramCountsCpu(xs: Uint32Array, ys: Uint32Array, V: number): Uint32Array {
  const counts = new Uint32Array(V * V); // (V, V)
  for (let i = 0; i < xs.length; i++) counts[xs[i] * V + ys[i]]++;
  return counts;
}

/** Row-normalised probabilities of the table with `smoothing` added to every cell. */
export function countsToProbs(counts: ArrayLike<number>, V: number, smoothing: number): Float64Array {
  const probs = new Float64Array(V * V); // (V, V)
  for (let x = 0; x < V; x++) {
    let total = 0;
    for (let y = 0; y < V; y++) total += counts[x * V + y] + smoothing;
    for (let y = 0; y < V; y++) probs[x * V + y] = total > 0 ? (counts[x * V + y] + smoothing) / total : 0;
  }
  return probs;
}

/**
 * Mean NLL of the examples under a probability table. Computed from the count table in O(V²),
 * which sums exactly the same terms as a pass over the examples (grouped by pair).
 * A pair with probability 0 (no smoothing, unseen pair) gives Infinity, as it should.
 */
export function countsNll(counts: ArrayLike<number>, probs: Float64Array, V: number): number {
  let sum = 0;
  let n = 0;
  for (let k = 0; k < V * V; k++) {
    if (counts[k] === 0) continue;
    sum -= counts[k] * Math.log(probs[k]);
    n += counts[k];
  }
  return sum / n;
}

/** Mean NLL by a pass over examples (the lecture's loop); a check on countsNll. */
export function examplesNll(xs: Uint32Array, ys: Uint32Array, probs: Float64Array, V: number): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum -= Math.log(probs[xs[i] * V + ys[i]]);
  return sum / xs.length;
}
