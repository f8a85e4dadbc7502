import { assertFunction, assertIntegerOrInfinity, InvalidOptionError } from '../core/index.ts';
import { assertCap } from './limits.ts';
import type { Schedule } from './types.ts';

/**
 * How far {@link upTo} lets a schedule go: a number of attempts, a duration, or both (whichever
 * is reached first stops).
 */
export type UpToLimit =
  | {
      /** Total attempts, the first one included (>= 1; `Infinity` for no limit). */
      attempts: number;
      /** Longest time to keep retrying, counted from the first failure, in milliseconds. */
      durationMs?: number;
    }
  | { attempts?: number; durationMs: number };

/**
 * Stops `schedule` after a number of attempts or once retrying would outlast a duration.
 *
 * `attempts` counts every attempt including the first, like a retry policy's `maxAttempts`:
 * `upTo({ attempts: 3 }, s)` allows two retries. `durationMs` is measured from the first failure
 * (the input's `elapsedMs`): a retry whose delay would end after `durationMs` is not made.
 *
 * @example
 * ```ts
 * // Keep retrying with backoff, but never longer than 30 s after the first failure.
 * retry({ maxAttempts: Infinity, schedule: upTo({ durationMs: 30_000 }, exponential()) });
 * ```
 */
export function upTo(limit: UpToLimit, schedule: Schedule): Schedule {
  const given: unknown = limit;
  if (
    typeof given !== 'object' ||
    given === null ||
    (limit.attempts === undefined && limit.durationMs === undefined)
  ) {
    throw new InvalidOptionError(
      `upTo: option 'limit' must be an object with 'attempts' and/or 'durationMs', got ${given === null || typeof given !== 'object' ? String(given) : 'neither'}`,
      {
        owner: 'upTo',
        option: 'limit',
        value: given,
        expected: "an object with 'attempts' and/or 'durationMs'",
      },
    );
  }
  const attempts = assertIntegerOrInfinity('upTo', 'attempts', limit.attempts ?? Infinity, 1);
  const durationMs = assertCap('upTo', 'durationMs', limit.durationMs ?? Infinity);
  assertFunction('upTo', 'schedule', schedule);
  return (input) => {
    if (input.attempt >= attempts) return undefined;
    const delay = schedule(input);
    if (delay === undefined || input.elapsedMs + delay > durationMs) return undefined;
    return delay;
  };
}
