import { assertNonNegativeNumber } from '../core/index.ts';
import type { Schedule } from './types.ts';

/**
 * The same delay before every retry.
 *
 * @param delayMs - milliseconds to wait (0 retries at once).
 * @example
 * ```ts
 * retry({ maxAttempts: 3, schedule: constant(60_000) }); // wait one minute between attempts
 * ```
 */
export function constant(delayMs: number): Schedule {
  assertNonNegativeNumber('constant', 'delayMs', delayMs);
  return () => delayMs;
}
