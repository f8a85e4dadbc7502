import { assertNonNegativeNumber } from '../core/index.ts';
import { assertCap } from './limits.ts';
import type { Schedule } from './types.ts';

/** Options of {@link linear}. */
export interface LinearOptions {
  /**
   * Delay before the first retry, in milliseconds.
   * @default 100
   */
  initialDelayMs?: number;
  /**
   * Added to the delay for each further retry, in milliseconds.
   * @default the value of `initialDelayMs`
   */
  incrementMs?: number;
  /**
   * Upper bound of any delay, in milliseconds.
   * @default Infinity
   */
  maxDelayMs?: number;
}

/**
 * A delay that grows by a fixed step: `initialDelayMs + incrementMs × (attempt − 1)`, capped at
 * `maxDelayMs`.
 *
 * @example
 * ```ts
 * linear({ initialDelayMs: 500 }); // 500, 1000, 1500, ... ms
 * ```
 */
export function linear(options: LinearOptions = {}): Schedule {
  const initial = assertNonNegativeNumber(
    'linear',
    'initialDelayMs',
    options.initialDelayMs ?? 100,
  );
  const increment = assertNonNegativeNumber(
    'linear',
    'incrementMs',
    options.incrementMs ?? initial,
  );
  const max = assertCap('linear', 'maxDelayMs', options.maxDelayMs ?? Infinity);
  return ({ attempt }) => Math.min(max, initial + increment * (attempt - 1));
}
