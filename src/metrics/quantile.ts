import { assertProbability } from '../core/index.ts';

/**
 * How a percentile is read from sorted samples.
 *
 * - `'nearest-rank'`: the smallest sample such that at least `q` of the samples are less than or
 *   equal to it, i.e. the sample of rank `ceil(q × n)` (rank 1 for `q = 0`). The answer is
 *   always one of the samples; it is the method faultline's reports use.
 * - `'linear'`: linear interpolation between the two closest ranks, at position `(n − 1) × q`
 *   (numpy's default, Excel's `PERCENTILE.INC`).
 */
export type QuantileMethod = 'nearest-rank' | 'linear';

/**
 * The 1-based nearest rank of quantile `q` among `n` samples: `ceil(q × n)`, at least 1. A few
 * ulps of floating-point noise are taken off first, so `0.07 × 100` is rank 7, not 8.
 * @internal
 */
export function nearestRank(q: number, n: number): number {
  const x = q * n;
  return Math.min(n, Math.max(1, Math.ceil(x - x * 4 * Number.EPSILON)));
}

/**
 * The quantile `q` (0..1) of samples sorted in ascending order; `undefined` when there are none.
 *
 * @example
 * ```ts
 * quantile([15, 20, 35, 40, 50], 0.4); // 20 (nearest rank: ceil(0.4 × 5) = 2)
 * quantile([15, 20, 35, 40, 50], 0.4, 'linear'); // 29 (20 + 0.6 × (35 − 20))
 * ```
 */
export function quantile(
  sorted: readonly number[],
  q: number,
  method: QuantileMethod = 'nearest-rank',
): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  assertProbability('quantile', 'q', q);
  if (method === 'nearest-rank') return sorted[nearestRank(q, n) - 1];
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const low = sorted[lo] as number;
  const high = sorted[Math.min(lo + 1, n - 1)] as number;
  return low + (h - lo) * (high - low);
}
