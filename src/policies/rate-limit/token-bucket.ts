import { assertInteger, assertPositiveNumber, InvalidOptionError } from '../../core/index.ts';
import { RateLimitPolicy, type RateLimitOptions } from './rate-limit-policy.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** Options of {@link tokenBucket}. */
export interface TokenBucketOptions extends RateLimitOptions {
  /** Most permits the bucket holds: the largest burst (an integer >= 1). */
  capacity: number;
  /**
   * Permits added every `intervalMs`, continuously (a fraction at a time), up to `capacity`.
   * @default capacity
   */
  tokensPerInterval?: number;
  /**
   * The refill interval in milliseconds.
   * @default 1000
   */
  intervalMs?: number;
  /**
   * Permits in the bucket at the start (an integer between 0 and `capacity`).
   * @default capacity
   */
  initialTokens?: number;
}

/**
 * A token bucket. The credit is kept in units of `intervalMs`-ths of a permit, so with integer
 * times and settings (a virtual clock) every refill is exact: no drift, no off-by-one admission.
 * @internal
 */
export class TokenBucketLimiter implements RateLimiter {
  readonly #unit: number;
  readonly #gainPerMs: number;
  readonly #max: number;
  #credit: number;
  #last = Number.NaN;

  constructor(capacity: number, tokensPerInterval: number, intervalMs: number, initial: number) {
    this.#unit = intervalMs;
    this.#gainPerMs = tokensPerInterval;
    this.#max = capacity * intervalMs;
    this.#credit = initial * intervalMs;
  }

  /** Permits available now (fractional while refilling). */
  tokens(now: number): number {
    this.#refill(now);
    return this.#credit / this.#unit;
  }

  #refill(now: number): void {
    // The first look starts the clock: the bucket is full (or `initialTokens`) at first use.
    if (Number.isNaN(this.#last)) this.#last = now;
    if (now <= this.#last) return;
    this.#credit = Math.min(this.#max, this.#credit + (now - this.#last) * this.#gainPerMs);
    this.#last = now;
  }

  tryAcquire(now: number): boolean {
    this.#refill(now);
    if (this.#credit < this.#unit) return false;
    this.#credit -= this.#unit;
    return true;
  }

  availableAt(now: number, ahead: number): number {
    this.#refill(now);
    const missing = (ahead + 1) * this.#unit - this.#credit;
    if (missing <= 0) return now;
    // Whole milliseconds, rounded up, so the permit is really there when the time comes.
    return now + Math.ceil(missing / this.#gainPerMs);
  }
}

/**
 * Creates a token-bucket {@link RateLimitPolicy}: bursts of up to `capacity` calls, then
 * `tokensPerInterval` calls per `intervalMs` on average.
 *
 * @example
 * ```ts
 * // A provider allows 60 requests a minute; allow bursts of 10 and wait for capacity.
 * const limit = tokenBucket({ capacity: 10, tokensPerInterval: 60, intervalMs: 60_000 });
 * const reply = await limit.execute(({ signal }) => callModel(prompt, { signal }));
 * ```
 */
export function tokenBucket(options: TokenBucketOptions): RateLimitPolicy {
  const name = options.name ?? 'tokenBucket';
  const capacity = assertInteger(name, 'capacity', options.capacity, 1);
  const tokensPerInterval = assertPositiveNumber(
    name,
    'tokensPerInterval',
    options.tokensPerInterval ?? capacity,
  );
  const intervalMs = assertPositiveNumber(name, 'intervalMs', options.intervalMs ?? 1000);
  const initial = assertInteger(name, 'initialTokens', options.initialTokens ?? capacity, 0);
  if (initial > capacity) {
    const expected = `an integer between 0 and capacity (${capacity})`;
    throw new InvalidOptionError(
      `${name}: option 'initialTokens' must be ${expected}, got ${initial}`,
      { owner: name, option: 'initialTokens', value: initial, expected },
    );
  }
  return new RateLimitPolicy(
    new TokenBucketLimiter(capacity, tokensPerInterval, intervalMs, initial),
    { ...options, name },
  );
}
