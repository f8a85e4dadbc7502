import { assertInteger, invalidOption, type JsonObject } from '../../core/index.ts';
import type { BreakingStrategy, StrategyBreakReason } from './breaking-strategy.ts';
import {
  failureRateSettings,
  judgeRates,
  type FailureRateOptions,
  type FailureRateSettings,
} from './failure-rate-options.ts';

/** Options of {@link countWindow}. */
export interface CountWindowOptions extends FailureRateOptions {
  /**
   * How many of the most recent calls the window holds.
   * @default 20
   */
  size?: number;
}

const FAILED = 1;
const SLOW = 2;
/** Snapshot letters, indexed by outcome bits: success, failure, slow success, slow failure. */
const letters = 'sfSF';

class CountWindow implements BreakingStrategy {
  readonly kind = 'count-window';
  readonly measuresDuration: boolean;
  readonly settings: Readonly<Record<string, number | undefined>>;
  readonly #rates: FailureRateSettings;
  readonly #slowMs: number;
  readonly #ring: Uint8Array;
  #next = 0;
  #calls = 0;
  #failures = 0;
  #slow = 0;

  constructor(size: number, rates: FailureRateSettings) {
    this.#rates = rates;
    this.#ring = new Uint8Array(size);
    this.#slowMs = rates.slowCallDurationMs ?? Infinity;
    this.measuresDuration = rates.slowCallDurationMs !== undefined;
    this.settings = Object.freeze({ size, ...rates });
  }

  get failureCount(): number {
    return this.#failures;
  }

  attach(): void {
    // A count window needs no time.
  }

  recordSuccess(durationMs: number): StrategyBreakReason | undefined {
    this.#push(durationMs > this.#slowMs ? SLOW : 0);
    return judgeRates(this.#rates, this.#calls, this.#failures, this.#slow);
  }

  recordFailure(durationMs: number): StrategyBreakReason | undefined {
    this.#push(durationMs > this.#slowMs ? FAILED | SLOW : FAILED);
    return judgeRates(this.#rates, this.#calls, this.#failures, this.#slow);
  }

  reset(): void {
    this.#ring.fill(0);
    this.#next = 0;
    this.#calls = 0;
    this.#failures = 0;
    this.#slow = 0;
  }

  toJSON(): JsonObject & { readonly kind: string } {
    const size = this.#ring.length;
    let outcomes = '';
    for (let i = size - this.#calls; i < size; i++) {
      outcomes += letters[this.#ring[(this.#next + i) % size] ?? 0] ?? 's';
    }
    return { kind: this.kind, outcomes };
  }

  restore(
    state: Readonly<Record<string, unknown>> | undefined,
    failureCount: number,
    path: string,
  ): void {
    const outcomes = state?.outcomes;
    if (state === undefined || outcomes === undefined) {
      if (failureCount > 0) {
        invalidOption(
          'circuitBreaker',
          `${path}.outcomes`,
          outcomes,
          `the window's outcomes (a string of s/f/S/F) when failureCount is ${failureCount}`,
        );
      }
      this.reset();
      return;
    }
    if (typeof outcomes !== 'string' || !/^[sfSF]*$/.test(outcomes)) {
      invalidOption(
        'circuitBreaker',
        `${path}.outcomes`,
        outcomes,
        'a string of s (success), f (failure), S (slow success), F (slow failure)',
      );
    }
    this.reset();
    // A window that shrank since the snapshot keeps the most recent outcomes.
    for (const letter of outcomes.slice(-this.#ring.length)) this.#push(letters.indexOf(letter));
  }

  #push(outcome: number): void {
    const ring = this.#ring;
    const at = this.#next;
    if (this.#calls === ring.length) {
      const old = ring[at] ?? 0;
      this.#failures -= old & FAILED;
      this.#slow -= (old & SLOW) >> 1;
    } else {
      this.#calls++;
    }
    ring[at] = outcome;
    this.#failures += outcome & FAILED;
    this.#slow += (outcome & SLOW) >> 1;
    this.#next = at + 1 === ring.length ? 0 : at + 1;
  }
}

/**
 * Opens the breaker when, among the last `size` calls, the share of failures (or of slow calls)
 * reaches its threshold, once the window holds at least `minimumThroughput` calls.
 *
 * @example
 * ```ts
 * // Open when half of the last 20 calls failed (judged from the 10th call on).
 * const breaker = circuitBreaker({
 *   strategy: countWindow({ size: 20, failureRateThreshold: 0.5, minimumThroughput: 10 }),
 * });
 * ```
 */
export function countWindow(options: CountWindowOptions = {}): BreakingStrategy {
  const size = assertInteger('countWindow', 'size', options.size ?? 20, 1);
  return new CountWindow(size, failureRateSettings('countWindow', options, size));
}
