import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../core/index.ts';
import { decorrelatedJitter } from './decorrelated-jitter.ts';
import { previewDelays } from './preview-delays.ts';

describe('decorrelatedJitter', () => {
  it('stays within [initial, min(cap, previous × factor)] for any seed', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (seed, initialDelayMs, maxDelayMs) => {
          const delays = previewDelays(decorrelatedJitter({ initialDelayMs, maxDelayMs }), {
            failures: 30,
            random: seed,
          });
          let previous = 0;
          return delays.every((d) => {
            const upper = Math.min(maxDelayMs, Math.max(initialDelayMs, previous) * 3);
            const ok = d >= Math.min(initialDelayMs, maxDelayMs) && d <= upper;
            previous = d;
            return ok;
          });
        },
      ),
    );
  });

  it('grows from the previous delay actually waited (pure function of the input)', () => {
    const schedule = decorrelatedJitter({ initialDelayMs: 100, maxDelayMs: 1e9 });
    const input = (previousDelayMs: number) => ({
      attempt: 5,
      elapsedMs: 0,
      nowMs: 0,
      previousDelayMs,
      random: createRandom('same'),
    });
    expect(schedule(input(10_000))).toBe(schedule(input(10_000)));
    expect(schedule(input(10_000))!).toBeGreaterThan(schedule(input(0))!);
    expect(schedule(input(0))!).toBeLessThan(300);
  });

  it('reaches the cap eventually and is deterministic per seed', () => {
    const schedule = decorrelatedJitter({ initialDelayMs: 100, maxDelayMs: 5000 });
    const delays = previewDelays(schedule, { failures: 40, random: 9 });
    expect(delays).toContain(5000);
    expect(previewDelays(schedule, { failures: 40, random: 9 })).toEqual(delays);
  });

  it('rejects bad options', () => {
    expect(() => decorrelatedJitter({ factor: 1 })).toThrow(
      "decorrelatedJitter: option 'factor' must be a finite number > 1, got 1",
    );
    expect(() => decorrelatedJitter({ initialDelayMs: -1 })).toThrow(/'initialDelayMs'/);
    expect(() => decorrelatedJitter({ maxDelayMs: NaN })).toThrow(/'maxDelayMs'/);
  });
});
