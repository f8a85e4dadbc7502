import { assertNonNegativeNumber, assertPositiveNumber } from '../core/index.ts';
import { delayFromError, exponential, fullJitter, type Schedule } from '../schedule/index.ts';

/** Options of {@link modelRetrySchedule}. */
export interface ModelRetryScheduleOptions {
  /**
   * First backoff when the failure carries no `Retry-After`, in milliseconds; it doubles per
   * attempt, with full jitter.
   * @default 1000
   */
  readonly baseDelayMs?: number;
  /**
   * Largest backoff without a hint.
   * @default 30_000
   */
  readonly maxBackoffMs?: number;
  /**
   * Largest `Retry-After` honoured; a longer one stops retrying (the fallback models, if any,
   * take over).
   * @default 60_000
   */
  readonly maxRetryAfterMs?: number;
}

/**
 * The default retry schedule of `resilienceMiddleware`: waits as long as the provider asks
 * (`retry-after-ms` or `Retry-After` on an `APICallError`'s `responseHeaders`, up to
 * `maxRetryAfterMs`), otherwise backs off exponentially with full jitter.
 *
 * @example
 * ```ts
 * resilienceMiddleware({ retry: { maxAttempts: 4, schedule: modelRetrySchedule({ baseDelayMs: 500 }) } });
 * ```
 */
export function modelRetrySchedule(options: ModelRetryScheduleOptions = {}): Schedule {
  const owner = 'modelRetrySchedule';
  const base = assertPositiveNumber(owner, 'baseDelayMs', options.baseDelayMs ?? 1000);
  const cap = assertPositiveNumber(owner, 'maxBackoffMs', options.maxBackoffMs ?? 30_000);
  const maxHint = assertNonNegativeNumber(
    owner,
    'maxRetryAfterMs',
    options.maxRetryAfterMs ?? 60_000,
  );
  return delayFromError({
    maxDelayMs: maxHint,
    aboveMax: 'stop',
    fallback: fullJitter(exponential({ initialDelayMs: base, maxDelayMs: cap })),
  });
}
