// Captum's `_cumulative_sum_threshold`, with NumPy's float32 arithmetic, so the same element is chosen.

/**
 * The first of the sorted (ascending) non-negative `values` at which the running sum reaches
 * `percentile`% of the total. As in NumPy on float32 data (Captum's reference numbers come from
 * NumPy 1.x): the running sum is float32, one addition at a time; the target `total * 0.01 * percentile`
 * is computed in float64 and compared as float32. The sum must be float32 to pick the same element as
 * Captum on ties and near-ties: a float64 sum can even overshoot the total at 100%.
 */
export function cumulativeSumThreshold(values: Float32Array, percentile: number): number {
  const sorted = Float32Array.from(values).sort();
  const running = new Float32Array(sorted.length); // [n]: float32 cumulative sums
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) {
    sum = Math.fround(sum + (sorted[i] as number));
    running[i] = sum;
  }
  const target = Math.fround(sum * 0.01 * percentile);
  const index = running.findIndex((s) => s >= target);
  return sorted[index < 0 ? sorted.length - 1 : index] as number;
}
