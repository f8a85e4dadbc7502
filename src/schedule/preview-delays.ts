import {
  assertInteger,
  assertNonNegativeNumber,
  createRandom,
  type Random,
  type Seed,
} from '../core/index.ts';
import type { Schedule } from './types.ts';

/** Options of {@link previewDelays}. */
export interface PreviewDelaysOptions {
  /**
   * How many consecutive failures to simulate (the list is shorter if the schedule stops).
   * @default 10
   */
  failures?: number;
  /**
   * Randomness for jitter: a `Random` or a seed.
   * @default 0
   */
  random?: Random | Seed;
  /**
   * Duration of each failed attempt, in milliseconds (added to the elapsed time).
   * @default 0
   */
  attemptMs?: number;
  /** The error every simulated attempt fails with (for schedules that read it). */
  error?: unknown;
  /**
   * Clock reading at the first failure, in epoch milliseconds.
   * @default 0
   */
  startMs?: number;
}

/**
 * The delays a schedule would produce over consecutive failures, as a retry policy would drive
 * it. Useful to see, test or document a backoff.
 *
 * @example
 * ```ts
 * previewDelays(exponential({ initialDelayMs: 100 }), { failures: 4 }); // [100, 200, 400, 800]
 * ```
 */
export function previewDelays(schedule: Schedule, options: PreviewDelaysOptions = {}): number[] {
  const random =
    typeof options.random === 'object' ? options.random : createRandom(options.random ?? 0);
  const failures = assertInteger('previewDelays', 'failures', options.failures ?? 10, 0);
  const attemptMs = assertNonNegativeNumber('previewDelays', 'attemptMs', options.attemptMs ?? 0);
  const start = options.startMs ?? 0;
  const delays: number[] = [];
  let elapsedMs = 0;
  let previousDelayMs = 0;
  for (let attempt = 1; attempt <= failures; attempt++) {
    const delay = schedule({
      attempt,
      elapsedMs,
      nowMs: start + elapsedMs,
      previousDelayMs,
      random,
      ...(options.error === undefined ? {} : { error: options.error }),
    });
    if (delay === undefined) break;
    delays.push(delay);
    previousDelayMs = delay;
    elapsedMs += delay + attemptMs;
  }
  return delays;
}
