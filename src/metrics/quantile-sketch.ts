import {
  assertInteger,
  assertPositiveNumber,
  assertProbability,
  invalidOption,
} from '../core/index.ts';
import { nearestRank } from './quantile.ts';

/**
 * Throws `InvalidOptionError` unless `value` is a relative accuracy: strictly between 0 and 1.
 * @internal
 */
export function assertRelativeAccuracy(owner: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    invalidOption(owner, 'relativeAccuracy', value, 'a number between 0 and 1 (exclusive)');
  }
  return value;
}

/** Options of a {@link QuantileSketch}. */
export interface QuantileSketchOptions {
  /**
   * Relative accuracy α: every quantile the sketch answers is within `α × true value` of the
   * exact nearest-rank quantile. Must be between 0 and 1 (exclusive).
   * @default 0.01
   */
  relativeAccuracy?: number;
  /**
   * Most buckets kept. Beyond it the lowest buckets are merged, so the upper quantiles (p95,
   * p99) keep their accuracy and only the lowest ones lose it. With the default accuracy, 2,048
   * buckets span values from 1 µs to ~10¹² years in milliseconds, so merging hardly ever happens.
   * @default 2048
   */
  maxBuckets?: number;
  /**
   * Values below this (zero included) are counted in one zero bucket and read back as 0.
   * @default 1e-6
   */
  minValue?: number;
}

/**
 * A streaming quantile sketch with bounded relative error and bounded memory: a logarithmically
 * bucketed histogram (the DDSketch scheme). A value `x > 0` goes to bucket
 * `i = ceil(log_γ x)` with `γ = (1 + α) / (1 − α)`; bucket `i` covers `(γ^(i−1), γ^i]` and is
 * read back as `2γ^i / (γ + 1)`, which is within `α × x` of every value in it. Quantiles use
 * the nearest-rank method, like {@link quantile}: the answer is within `α` (relative) of the
 * exact nearest-rank answer. Count, sum, min and max are exact. Values must be ≥ 0.
 *
 * @example
 * ```ts
 * const sketch = new QuantileSketch({ relativeAccuracy: 0.01 });
 * for (const ms of durations) sketch.add(ms);
 * sketch.quantile(0.99); // within 1% of the exact p99
 * ```
 */
export class QuantileSketch {
  /** The relative accuracy α. */
  readonly relativeAccuracy: number;
  readonly #maxBuckets: number;
  readonly #minValue: number;
  readonly #lnGamma: number;
  readonly #valueFactor: number;
  readonly #buckets = new Map<number, number>();
  #sortedKeys: number[] | undefined;
  #zero = 0;
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  constructor(options: QuantileSketchOptions = {}) {
    const alpha = assertRelativeAccuracy('QuantileSketch', options.relativeAccuracy ?? 0.01);
    this.relativeAccuracy = alpha;
    this.#maxBuckets = assertInteger('QuantileSketch', 'maxBuckets', options.maxBuckets ?? 2048, 1);
    this.#minValue = assertPositiveNumber('QuantileSketch', 'minValue', options.minValue ?? 1e-6);
    const gamma = (1 + alpha) / (1 - alpha);
    this.#lnGamma = Math.log(gamma);
    this.#valueFactor = 2 / (gamma + 1);
  }

  /** Values added. */
  get count(): number {
    return this.#count;
  }

  /** Exact sum of the values added. */
  get sum(): number {
    return this.#sum;
  }

  /** Exact smallest value; `undefined` when empty. */
  get min(): number | undefined {
    return this.#count === 0 ? undefined : this.#min;
  }

  /** Exact largest value; `undefined` when empty. */
  get max(): number | undefined {
    return this.#count === 0 ? undefined : this.#max;
  }

  /** Buckets in use (the zero bucket not included): the sketch's memory, in entries. */
  get bucketCount(): number {
    return this.#buckets.size;
  }

  /** Adds `value` (≥ 0) `count` times. */
  add(value: number, count = 1): void {
    if (!(value >= 0) || value === Infinity) {
      invalidOption('QuantileSketch.add', 'value', value, 'a finite number >= 0');
    }
    if (count !== 1) assertInteger('QuantileSketch.add', 'count', count, 1);
    this.#count += count;
    this.#sum += value * count;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    if (value < this.#minValue) {
      this.#zero += count;
      return;
    }
    const index = Math.ceil(Math.log(value) / this.#lnGamma);
    const before = this.#buckets.get(index);
    if (before === undefined) {
      this.#buckets.set(index, count);
      this.#sortedKeys = undefined;
      if (this.#buckets.size > this.#maxBuckets) this.#collapseLowest();
    } else {
      this.#buckets.set(index, before + count);
    }
  }

  /**
   * The nearest-rank quantile `q` (0..1), within the relative accuracy of the exact answer and
   * clamped to the exact min and max; `undefined` when empty.
   */
  quantile(q: number): number | undefined {
    assertProbability('QuantileSketch.quantile', 'q', q);
    if (this.#count === 0) return undefined;
    const rank = nearestRank(q, this.#count);
    if (rank === 1) return this.#min;
    if (rank === this.#count) return this.#max;
    let seen = this.#zero;
    if (seen >= rank) return 0;
    for (const index of this.#keys()) {
      seen += this.#buckets.get(index) ?? 0;
      if (seen >= rank) return this.#clamp(this.#bucketValue(index));
    }
    return this.#max;
  }

  #bucketValue(index: number): number {
    return Math.exp(index * this.#lnGamma) * this.#valueFactor;
  }

  #clamp(value: number): number {
    return Math.min(this.#max, Math.max(this.#min, value));
  }

  #keys(): number[] {
    this.#sortedKeys ??= [...this.#buckets.keys()].sort((a, b) => a - b);
    return this.#sortedKeys;
  }

  /** Merges the two lowest buckets into the higher one. */
  #collapseLowest(): void {
    const [lowest, next] = this.#keys();
    if (lowest === undefined || next === undefined) return;
    this.#buckets.set(next, (this.#buckets.get(next) ?? 0) + (this.#buckets.get(lowest) ?? 0));
    this.#buckets.delete(lowest);
    this.#sortedKeys = undefined;
  }
}
