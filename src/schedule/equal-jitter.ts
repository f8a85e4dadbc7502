import { assertFunction } from '../core/index.ts';
import { exponential } from './exponential.ts';
import type { Schedule } from './types.ts';

/**
 * "Equal jitter": half of what `base` asks for, plus a uniformly random share of the other half.
 * Never waits less than half the base delay, while still spreading clients apart.
 *
 * @param base - the schedule whose delay is randomised; it also decides when to stop
 *   (default `exponential()`).
 */
export function equalJitter(base: Schedule = exponential()): Schedule {
  assertFunction('equalJitter', 'base', base);
  return (input) => {
    const delay = base(input);
    if (delay === undefined) return undefined;
    const half = delay / 2;
    return half + input.random.next() * half;
  };
}
