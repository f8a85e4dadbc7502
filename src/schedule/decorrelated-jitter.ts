import { assertFiniteNumber, assertNonNegativeNumber, InvalidOptionError } from '../core/index.ts';
import { assertCap } from './limits.ts';
import type { Schedule } from './types.ts';

/** Options of {@link decorrelatedJitter}. */
export interface DecorrelatedJitterOptions {
  /**
   * The smallest delay, and the first retry's starting point, in milliseconds.
   * @default 200
   */
  initialDelayMs?: number;
  /**
   * Upper bound of any delay, in milliseconds (`Infinity` for none).
   * @default 30_000
   */
  maxDelayMs?: number;
  /**
   * How far a delay may grow from the previous one: each delay is drawn uniformly from
   * `[initialDelayMs, previousDelay × factor)` (> 1).
   * @default 3
   */
  factor?: number;
}

/**
 * "Decorrelated jitter" (as described by AWS): each delay is drawn uniformly between
 * `initialDelayMs` and `factor` times the previous delay, capped at `maxDelayMs`. Delays grow
 * roughly exponentially but each depends on the last one actually waited
 * (`previousDelayMs` of the input), which decorrelates competing clients.
 *
 * @example
 * ```ts
 * retry({ maxAttempts: 6, schedule: decorrelatedJitter({ initialDelayMs: 100, maxDelayMs: 20_000 }) });
 * ```
 */
export function decorrelatedJitter(options: DecorrelatedJitterOptions = {}): Schedule {
  const owner = 'decorrelatedJitter';
  const initial = assertNonNegativeNumber(owner, 'initialDelayMs', options.initialDelayMs ?? 200);
  const max = assertCap(owner, 'maxDelayMs', options.maxDelayMs ?? 30_000);
  const factor = assertFiniteNumber(owner, 'factor', options.factor ?? 3);
  if (factor <= 1) {
    throw new InvalidOptionError(
      `${owner}: option 'factor' must be a finite number > 1, got ${factor}`,
      { owner, option: 'factor', value: factor, expected: 'a finite number > 1' },
    );
  }
  return ({ previousDelayMs, random }) => {
    const previous = Math.max(initial, previousDelayMs);
    return Math.min(max, random.float(initial, previous * factor));
  };
}
