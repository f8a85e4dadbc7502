import type { Random } from '../core/index.ts';

/**
 * What a {@link Schedule} is asked after a failed attempt. Everything a schedule may depend on is
 * here, supplied by the caller (usually a retry policy), so a schedule is a pure function: same
 * input, same delay, with no timer, clock or ambient randomness inside.
 */
export interface ScheduleInput {
  /** How many failures the schedule has seen so far in this call, this one included (1-based). */
  readonly attempt: number;
  /** Milliseconds since the first failure of this call (0 on the first failure). */
  readonly elapsedMs: number;
  /** The caller's clock reading, in epoch milliseconds (needed to read HTTP-date hints). */
  readonly nowMs: number;
  /** The delay that was waited before the failed attempt (0 before the first retry). */
  readonly previousDelayMs: number;
  /** Randomness for jitter; a seeded stream, so delays replay from the seed. */
  readonly random: Random;
  /** The failure being retried; absent when the attempt returned a result that is retried. */
  readonly error?: unknown;
  /** The result being retried (for a retry on results); absent after a thrown error. */
  readonly result?: unknown;
}

/**
 * A backoff schedule: given a failed attempt, the milliseconds to wait before the next one, or
 * `undefined` to stop retrying.
 *
 * @example
 * ```ts
 * // A schedule is a plain function; this one waits 1 s, then 2 s, then stops.
 * const twice: Schedule = ({ attempt }) => (attempt <= 2 ? attempt * 1000 : undefined);
 * ```
 */
export type Schedule = (input: ScheduleInput) => number | undefined;
