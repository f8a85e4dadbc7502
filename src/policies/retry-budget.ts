import {
  assertNonNegativeNumber,
  assertPositiveNumber,
  realClock,
  type Clock,
} from '../core/index.ts';

/** Options of a {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /**
   * Retries allowed per original call within the window, on top of the reserve: 0.2 lets retries
   * add at most 20 % to the load.
   * @default 0.2
   */
  ratio?: number;
  /**
   * Retries always allowed per second of the window even with little traffic, so a quiet service
   * can still retry.
   * @default 10
   */
  minRetriesPerSecond?: number;
  /**
   * Length of the sliding window over which calls and retries are counted, in milliseconds.
   * @default 10_000
   */
  windowMs?: number;
  /**
   * Source of time for the window; use the same clock as the policies sharing the budget.
   * @default realClock
   */
  clock?: Clock;
}

const buckets = 10;

function slot(epoch: number): number {
  return ((epoch % buckets) + buckets) % buckets;
}

/**
 * Caps retries relative to traffic, so that retries cannot multiply the load on a service that
 * is already failing (a "retry storm"). Within a sliding window, retries are allowed while
 * `retries < minRetriesPerSecond × windowSeconds + ratio × calls`. Share one budget between
 * several retry policies, or between the callers of one, by passing the same object.
 *
 * @example
 * ```ts
 * const budget = new RetryBudget({ ratio: 0.1 });
 * const search = retry({ maxAttempts: 5, budget });
 * const fetchPage = retry({ maxAttempts: 3, budget }); // both draw from the same budget
 * ```
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #reserve: number;
  readonly #clock: Clock;
  readonly #width: number;
  readonly #calls: number[] = new Array<number>(buckets).fill(0);
  readonly #retries: number[] = new Array<number>(buckets).fill(0);
  #epoch: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.#ratio = assertNonNegativeNumber('RetryBudget', 'ratio', options.ratio ?? 0.2);
    const perSecond = assertNonNegativeNumber(
      'RetryBudget',
      'minRetriesPerSecond',
      options.minRetriesPerSecond ?? 10,
    );
    const windowMs = assertPositiveNumber('RetryBudget', 'windowMs', options.windowMs ?? 10_000);
    this.#reserve = (perSecond * windowMs) / 1000;
    this.#width = windowMs / buckets;
    this.#clock = options.clock ?? realClock;
    this.#epoch = Math.floor(this.#clock.now() / this.#width);
  }

  /** Records an original call (a first attempt). Retry policies call it for you. */
  recordCall(): void {
    const index = this.#rotate();
    this.#calls[index] = (this.#calls[index] ?? 0) + 1;
  }

  /**
   * Takes one retry from the budget. Returns `false`, taking nothing, when the budget is spent:
   * the retry should not be made. Retry policies call it for you.
   */
  tryRetry(): boolean {
    const index = this.#rotate();
    if (this.#sum(this.#retries) + 1 > this.#reserve + this.#ratio * this.#sum(this.#calls)) {
      return false;
    }
    this.#retries[index] = (this.#retries[index] ?? 0) + 1;
    return true;
  }

  /** How many retries the budget would allow right now. */
  get available(): number {
    this.#rotate();
    const allowed = this.#reserve + this.#ratio * this.#sum(this.#calls);
    return Math.max(0, Math.floor(allowed - this.#sum(this.#retries)));
  }

  /** Moves the window to the current time and returns the current bucket's index. */
  #rotate(): number {
    const epoch = Math.floor(this.#clock.now() / this.#width);
    if (epoch > this.#epoch) {
      const stale = Math.min(buckets, epoch - this.#epoch);
      for (let i = 1; i <= stale; i++) {
        const index = slot(this.#epoch + i);
        this.#calls[index] = 0;
        this.#retries[index] = 0;
      }
      this.#epoch = epoch;
    }
    // A clock that steps back keeps counting in the newest bucket.
    return slot(this.#epoch);
  }

  #sum(counts: readonly number[]): number {
    let total = 0;
    for (const count of counts) total += count;
    return total;
  }
}
