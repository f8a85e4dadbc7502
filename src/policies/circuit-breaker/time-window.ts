import {
  assertInteger,
  assertPositiveNumber,
  assertRecord,
  type Clock,
  invalidOption,
  type JsonObject,
  realClock,
} from '../../core/index.ts';
import type { BreakingStrategy, StrategyBreakReason } from './breaking-strategy.ts';
import {
  failureRateSettings,
  judgeRates,
  type FailureRateOptions,
  type FailureRateSettings,
} from './failure-rate-options.ts';

/** Options of {@link timeWindow}. */
export interface TimeWindowOptions extends FailureRateOptions {
  /**
   * Length of the sliding window in milliseconds.
   * @default 30_000
   */
  durationMs?: number;
  /**
   * How many buckets the window is cut into. The window slides one bucket at a time, so more
   * buckets forget old calls more smoothly, at the cost of a little memory.
   * @default 10
   */
  buckets?: number;
}

class TimeWindow implements BreakingStrategy {
  readonly kind = 'time-window';
  readonly measuresDuration: boolean;
  readonly settings: Readonly<Record<string, number | undefined>>;
  readonly #rates: FailureRateSettings;
  readonly #slowMs: number;
  readonly #width: number;
  readonly #calls: Float64Array;
  readonly #failed: Float64Array;
  readonly #slowed: Float64Array;
  #clock: Clock = realClock;
  /** Absolute index (time / width) of the newest bucket. */
  #head = -Infinity;
  #totalCalls = 0;
  #totalFailures = 0;
  #totalSlow = 0;

  constructor(durationMs: number, buckets: number, rates: FailureRateSettings) {
    this.#rates = rates;
    this.#width = durationMs / buckets;
    this.#calls = new Float64Array(buckets);
    this.#failed = new Float64Array(buckets);
    this.#slowed = new Float64Array(buckets);
    this.#slowMs = rates.slowCallDurationMs ?? Infinity;
    this.measuresDuration = rates.slowCallDurationMs !== undefined;
    this.settings = Object.freeze({ durationMs, buckets, ...rates });
  }

  get failureCount(): number {
    this.#roll(Math.floor(this.#clock.now() / this.#width));
    return this.#totalFailures;
  }

  attach(clock: Clock): void {
    this.#clock = clock;
  }

  recordSuccess(durationMs: number): StrategyBreakReason | undefined {
    return this.#record(0, durationMs > this.#slowMs ? 1 : 0);
  }

  recordFailure(durationMs: number): StrategyBreakReason | undefined {
    return this.#record(1, durationMs > this.#slowMs ? 1 : 0);
  }

  reset(): void {
    this.#calls.fill(0);
    this.#failed.fill(0);
    this.#slowed.fill(0);
    this.#head = -Infinity;
    this.#totalCalls = 0;
    this.#totalFailures = 0;
    this.#totalSlow = 0;
  }

  toJSON(): JsonObject & { readonly kind: string } {
    this.#roll(Math.floor(this.#clock.now() / this.#width));
    const n = this.#calls.length;
    const buckets: JsonObject[] = [];
    for (let index = this.#head - n + 1; index <= this.#head; index++) {
      const slot = this.#slot(index);
      const calls = this.#calls[slot] ?? 0;
      if (calls === 0) continue;
      buckets.push({
        start: index * this.#width,
        calls,
        failures: this.#failed[slot] ?? 0,
        slowCalls: this.#slowed[slot] ?? 0,
      });
    }
    return { kind: this.kind, buckets };
  }

  restore(
    state: Readonly<Record<string, unknown>> | undefined,
    failureCount: number,
    path: string,
  ): void {
    const list = state?.buckets;
    if (state === undefined || list === undefined) {
      if (failureCount > 0) {
        invalidOption(
          'circuitBreaker',
          `${path}.buckets`,
          list,
          `the window's buckets when failureCount is ${failureCount}`,
        );
      }
      this.reset();
      return;
    }
    if (!Array.isArray(list)) invalidOption('circuitBreaker', `${path}.buckets`, list, 'an array');
    const parsed = (list as unknown[]).map((item, i) => {
      const at = `${path}.buckets[${i}]`;
      const bucket = assertRecord('circuitBreaker', at, item);
      const start = bucket.start;
      if (typeof start !== 'number' || !Number.isFinite(start)) {
        invalidOption('circuitBreaker', `${at}.start`, start, 'a finite number (epoch ms)');
      }
      const calls = assertInteger('circuitBreaker', `${at}.calls`, bucket.calls, 1);
      const failures = assertInteger('circuitBreaker', `${at}.failures`, bucket.failures, 0);
      const slowCalls = assertInteger(
        'circuitBreaker',
        `${at}.slowCalls`,
        bucket.slowCalls ?? 0,
        0,
      );
      if (failures > calls) {
        invalidOption('circuitBreaker', `${at}.failures`, failures, `at most calls (${calls})`);
      }
      if (slowCalls > calls) {
        invalidOption('circuitBreaker', `${at}.slowCalls`, slowCalls, `at most calls (${calls})`);
      }
      return { index: Math.floor(start / this.#width), calls, failures, slowCalls };
    });
    this.reset();
    for (const bucket of parsed.sort((a, b) => a.index - b.index)) {
      this.#roll(bucket.index);
      if (bucket.index <= this.#head - this.#calls.length) continue;
      this.#add(this.#slot(bucket.index), bucket.calls, bucket.failures, bucket.slowCalls);
    }
  }

  #record(failed: number, slow: number): StrategyBreakReason | undefined {
    const index = Math.floor(this.#clock.now() / this.#width);
    this.#roll(index);
    // A clock that went backwards (restored snapshot from another host) files into the newest bucket.
    this.#add(this.#slot(index > this.#head ? index : this.#head), 1, failed, slow);
    return judgeRates(this.#rates, this.#totalCalls, this.#totalFailures, this.#totalSlow);
  }

  #slot(index: number): number {
    const n = this.#calls.length;
    return ((index % n) + n) % n;
  }

  #add(slot: number, calls: number, failures: number, slowCalls: number): void {
    this.#calls[slot] = (this.#calls[slot] ?? 0) + calls;
    this.#failed[slot] = (this.#failed[slot] ?? 0) + failures;
    this.#slowed[slot] = (this.#slowed[slot] ?? 0) + slowCalls;
    this.#totalCalls += calls;
    this.#totalFailures += failures;
    this.#totalSlow += slowCalls;
  }

  /** Moves the newest bucket to `index`, emptying the buckets that slid out of the window. */
  #roll(index: number): void {
    const gap = index - this.#head;
    if (gap <= 0) return;
    const n = this.#calls.length;
    if (gap >= n) {
      this.#calls.fill(0);
      this.#failed.fill(0);
      this.#slowed.fill(0);
      this.#totalCalls = 0;
      this.#totalFailures = 0;
      this.#totalSlow = 0;
    } else {
      for (let i = 1; i <= gap; i++) {
        const slot = this.#slot(this.#head + i);
        this.#totalCalls -= this.#calls[slot] ?? 0;
        this.#totalFailures -= this.#failed[slot] ?? 0;
        this.#totalSlow -= this.#slowed[slot] ?? 0;
        this.#calls[slot] = 0;
        this.#failed[slot] = 0;
        this.#slowed[slot] = 0;
      }
    }
    this.#head = index;
  }
}

/**
 * Opens the breaker when, among the calls of the last `durationMs`, the share of failures (or
 * of slow calls) reaches its threshold, once the window holds at least `minimumThroughput`
 * calls. Time comes from the breaker's clock.
 *
 * @example
 * ```ts
 * // Open when 50% of the calls of the last 30 s failed, judged from 10 calls on; calls slower
 * // than 5 s count as slow, and 80% slow calls also open it.
 * const breaker = circuitBreaker({
 *   strategy: timeWindow({ durationMs: 30_000, slowCallDurationMs: 5_000, slowCallRateThreshold: 0.8 }),
 * });
 * ```
 */
export function timeWindow(options: TimeWindowOptions = {}): BreakingStrategy {
  const durationMs = assertPositiveNumber('timeWindow', 'durationMs', options.durationMs ?? 30_000);
  const buckets = assertInteger('timeWindow', 'buckets', options.buckets ?? 10, 1);
  return new TimeWindow(durationMs, buckets, failureRateSettings('timeWindow', options, Infinity));
}
