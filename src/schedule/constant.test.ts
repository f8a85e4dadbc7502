import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, isInvalidOptionError } from '../core/index.ts';
import { constant } from './constant.ts';
import { previewDelays } from './preview-delays.ts';

describe('constant', () => {
  it('returns the same delay for every attempt and never stops', () => {
    expect(previewDelays(constant(250), { failures: 5 })).toEqual([250, 250, 250, 250, 250]);
  });

  it('allows 0 (retry at once)', () => {
    expect(previewDelays(constant(0), { failures: 2 })).toEqual([0, 0]);
  });

  it('is independent of every input', () => {
    const schedule = constant(42);
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(), fc.nat(), (attempt, elapsedMs, previousDelayMs) => {
        const delay = schedule({
          attempt: attempt + 1,
          elapsedMs,
          nowMs: 0,
          previousDelayMs,
          random: createRandom(attempt),
        });
        return delay === 42;
      }),
    );
  });

  it.each([-1, NaN, Infinity, '5'])('rejects delayMs %s', (bad) => {
    expect(() => constant(bad as number)).toThrow(/constant: option 'delayMs' must be/);
    try {
      constant(bad as number);
    } catch (error) {
      expect(isInvalidOptionError(error)).toBe(true);
    }
  });
});
