import { assertInteger, assertPositiveNumber } from '../../core/index.ts';
import { RateLimitPolicy, type RateLimitOptions } from './rate-limit-policy.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** Options of {@link slidingWindow}. */
export interface SlidingWindowOptions extends RateLimitOptions {
  /** Most calls admitted within any `windowMs` span (an integer >= 1). */
  limit: number;
  /** The window's length in milliseconds. */
  windowMs: number;
}

/**
 * An exact sliding window: it remembers the times of the last `limit` admissions (a ring of
 * `limit` numbers), so no span of `windowMs` ever holds more than `limit` admissions, with none
 * of the boundary bursts of fixed windows. Memory is `8 × limit` bytes.
 * @internal
 */
export class SlidingWindowLimiter implements RateLimiter {
  readonly #times: Float64Array;
  readonly #windowMs: number;
  #oldest = 0;

  constructor(limit: number, windowMs: number) {
    this.#times = new Float64Array(limit).fill(-Infinity);
    this.#windowMs = windowMs;
  }

  /** Admissions inside the window ending at `now`. */
  count(now: number): number {
    let n = 0;
    for (const t of this.#times) if (t + this.#windowMs > now) n++;
    return n;
  }

  tryAcquire(now: number): boolean {
    const times = this.#times;
    const oldest = this.#oldest;
    if ((times[oldest] as number) + this.#windowMs > now) return false;
    times[oldest] = now;
    this.#oldest = oldest + 1 === times.length ? 0 : oldest + 1;
    return true;
  }

  availableAt(now: number, ahead: number): number {
    // The k-th next admission reuses the slot of the k-th oldest one; each lap round the ring
    // costs one more window.
    const limit = this.#times.length;
    const slot = (this.#oldest + (ahead % limit)) % limit;
    const free = (this.#times[slot] as number) + this.#windowMs;
    return Math.max(now, free) + this.#windowMs * Math.floor(ahead / limit);
  }
}

/**
 * Creates a sliding-window {@link RateLimitPolicy}: at most `limit` calls within any span of
 * `windowMs` milliseconds.
 *
 * @example
 * ```ts
 * // No more than 5 tool calls in any 10 seconds; refuse the excess at once.
 * const limit = slidingWindow({ limit: 5, windowMs: 10_000, mode: 'reject' });
 * ```
 */
export function slidingWindow(options: SlidingWindowOptions): RateLimitPolicy {
  const name = options.name ?? 'slidingWindow';
  const limit = assertInteger(name, 'limit', options.limit, 1);
  const windowMs = assertPositiveNumber(name, 'windowMs', options.windowMs);
  return new RateLimitPolicy(new SlidingWindowLimiter(limit, windowMs), { ...options, name });
}
