import { assertInteger, assertNonNegativeNumber, invalidOption } from '../core/index.ts';
import { quantile } from './quantile.ts';
import { assertRelativeAccuracy, QuantileSketch } from './quantile-sketch.ts';
import type { DistributionSummary, HistogramCounts } from './types.ts';

/** Options of a {@link Distribution}. */
export interface DistributionOptions {
  /**
   * Samples kept exactly; percentiles are exact while there are at most this many. The next
   * sample moves them all into a {@link QuantileSketch} and memory stops growing.
   * @default 10_000
   */
  exactLimit?: number;
  /**
   * Relative accuracy of the sketch used beyond `exactLimit`.
   * @default 0.01
   */
  relativeAccuracy?: number;
  /**
   * Upper bounds (inclusive, ascending) of the histogram buckets that {@link histogram}
   * reports; one more bucket counts what lies above the last bound. Counted exactly at all times.
   * @default defaultHistogramBoundsMs
   */
  histogramBounds?: readonly number[];
}

/**
 * Default histogram bounds for durations in milliseconds: 10 ms to 10 min, roughly ×2–×2.5 steps.
 */
export const defaultHistogramBoundsMs: readonly number[] = Object.freeze([
  10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000,
]);

/**
 * A stream of non-negative samples (durations in ms, accuracies, ...) summarised in bounded
 * memory: exact percentiles (nearest rank) while samples are few, a {@link QuantileSketch} with
 * bounded relative error beyond `exactLimit`. Count, sum, mean, min, max and the histogram are
 * always exact.
 */
export class Distribution {
  readonly #exactLimit: number;
  readonly #relativeAccuracy: number;
  readonly #bounds: readonly number[];
  readonly #histogram: number[];
  #exact: number[] | undefined = [];
  #sorted = true;
  #sketch: QuantileSketch | undefined;
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  constructor(options: DistributionOptions = {}) {
    this.#exactLimit = assertInteger('Distribution', 'exactLimit', options.exactLimit ?? 10_000, 0);
    this.#relativeAccuracy = assertRelativeAccuracy(
      'Distribution',
      options.relativeAccuracy ?? 0.01,
    );
    const bounds = options.histogramBounds ?? defaultHistogramBoundsMs;
    bounds.forEach((bound, i) => {
      assertNonNegativeNumber('Distribution', `histogramBounds[${i}]`, bound);
      if (i > 0 && bound <= (bounds[i - 1] as number)) {
        invalidOption('Distribution', 'histogramBounds', bounds, 'ascending numbers');
      }
    });
    this.#bounds = [...bounds];
    this.#histogram = new Array<number>(bounds.length + 1).fill(0);
  }

  /** Samples added. */
  get count(): number {
    return this.#count;
  }

  /** True while percentiles are computed from every sample. */
  get exact(): boolean {
    return this.#exact !== undefined;
  }

  /** Adds a sample (a finite number ≥ 0). */
  add(value: number): void {
    if (!(value >= 0) || value === Infinity) {
      invalidOption('Distribution.add', 'value', value, 'a finite number >= 0');
    }
    this.#count++;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    const bucket = this.#bucketOf(value);
    this.#histogram[bucket] = (this.#histogram[bucket] ?? 0) + 1;
    const exact = this.#exact;
    if (exact !== undefined && exact.length < this.#exactLimit) {
      if (this.#sorted && exact.length > 0 && value < (exact[exact.length - 1] as number)) {
        this.#sorted = false;
      }
      exact.push(value);
      return;
    }
    if (this.#sketch === undefined) {
      this.#sketch = new QuantileSketch({ relativeAccuracy: this.#relativeAccuracy });
      for (const v of exact ?? []) this.#sketch.add(v);
      this.#exact = undefined;
    }
    this.#sketch.add(value);
  }

  /** The nearest-rank quantile `q` (0..1): exact, or within the sketch's accuracy. */
  quantile(q: number): number | undefined {
    const exact = this.#exact;
    if (exact === undefined) return this.#sketch?.quantile(q);
    if (!this.#sorted) {
      exact.sort((a, b) => a - b);
      this.#sorted = true;
    }
    return quantile(exact, q);
  }

  /** Count, mean, min, max, p50, p90, p95, p99 (`null` fields when empty). */
  summary(): DistributionSummary {
    const n = this.#count;
    const method = this.#exact === undefined ? 'sketch' : 'exact';
    const accuracy = method === 'exact' ? 0 : this.#relativeAccuracy;
    if (n === 0) {
      return {
        n,
        mean: null,
        min: null,
        max: null,
        p50: null,
        p90: null,
        p95: null,
        p99: null,
        method,
        relativeAccuracy: accuracy,
      };
    }
    return {
      n,
      mean: this.#sum / n,
      min: this.#min,
      max: this.#max,
      p50: this.quantile(0.5) ?? null,
      p90: this.quantile(0.9) ?? null,
      p95: this.quantile(0.95) ?? null,
      p99: this.quantile(0.99) ?? null,
      method,
      relativeAccuracy: accuracy,
    };
  }

  /** Exact counts per histogram bucket (see {@link DistributionOptions.histogramBounds}). */
  histogram(): HistogramCounts {
    return { bounds: [...this.#bounds], counts: [...this.#histogram] };
  }

  #bucketOf(value: number): number {
    const bounds = this.#bounds;
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value <= (bounds[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
