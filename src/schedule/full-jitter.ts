import { assertFunction } from '../core/index.ts';
import { exponential } from './exponential.ts';
import type { Schedule } from './types.ts';

/**
 * "Full jitter": a uniformly random delay between 0 and what `base` asks for. Spreads retries of
 * many clients the most; the expected wait is half of `base`'s.
 *
 * @param base - the schedule whose delay is randomised; it also decides when to stop
 *   (default `exponential()`).
 * @example
 * ```ts
 * fullJitter(exponential({ initialDelayMs: 100, maxDelayMs: 10_000 }));
 * ```
 */
export function fullJitter(base: Schedule = exponential()): Schedule {
  assertFunction('fullJitter', 'base', base);
  return (input) => {
    const delay = base(input);
    return delay === undefined ? undefined : input.random.next() * delay;
  };
}
