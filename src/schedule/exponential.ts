import { assertFiniteNumber, assertNonNegativeNumber, InvalidOptionError } from '../core/index.ts';
import { assertCap } from './limits.ts';
import type { Schedule } from './types.ts';

/** Options of {@link exponential}. */
export interface ExponentialOptions {
  /**
   * Delay before the first retry, in milliseconds.
   * @default 200
   */
  initialDelayMs?: number;
  /**
   * Multiplier applied for each further retry (>= 1).
   * @default 2
   */
  factor?: number;
  /**
   * Upper bound of any delay, in milliseconds (`Infinity` for none).
   * @default 30_000
   */
  maxDelayMs?: number;
}

/**
 * A delay that multiplies with each retry: `initialDelayMs × factor^(attempt − 1)`, capped at
 * `maxDelayMs`. Combine it with {@link fullJitter} or {@link equalJitter} so that many clients
 * failing together do not retry in lockstep.
 *
 * @example
 * ```ts
 * exponential({ initialDelayMs: 500, maxDelayMs: 8_000 }); // 500, 1000, 2000, 4000, 8000, 8000, ...
 * ```
 */
export function exponential(options: ExponentialOptions = {}): Schedule {
  const initial = assertNonNegativeNumber(
    'exponential',
    'initialDelayMs',
    options.initialDelayMs ?? 200,
  );
  const factor = assertFiniteNumber('exponential', 'factor', options.factor ?? 2);
  if (factor < 1) {
    throw new InvalidOptionError(
      `exponential: option 'factor' must be a finite number >= 1, got ${factor}`,
      { owner: 'exponential', option: 'factor', value: factor, expected: 'a finite number >= 1' },
    );
  }
  const max = assertCap('exponential', 'maxDelayMs', options.maxDelayMs ?? 30_000);
  // factor^n overflows to Infinity for large n; min() turns that into the cap.
  return ({ attempt }) => Math.min(max, initial * factor ** (attempt - 1));
}
