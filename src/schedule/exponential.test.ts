import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponential } from './exponential.ts';
import { previewDelays } from './preview-delays.ts';

describe('exponential', () => {
  it('doubles from 200 ms by default and caps at 30 s', () => {
    const delays = previewDelays(exponential(), { failures: 10 });
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
  });

  it('uses the given initial delay, factor and cap', () => {
    expect(
      previewDelays(exponential({ initialDelayMs: 100, factor: 3, maxDelayMs: 2000 }), {
        failures: 5,
      }),
    ).toEqual([100, 300, 900, 2000, 2000]);
  });

  it('treats a huge attempt count as the cap (no Infinity or NaN)', () => {
    const schedule = exponential({ maxDelayMs: 5000 });
    expect(
      schedule({
        attempt: 100_000,
        elapsedMs: 0,
        nowMs: 0,
        previousDelayMs: 0,
        random: { next: () => 0 } as never,
      }),
    ).toBe(5000);
  });

  it('allows no cap', () => {
    expect(
      previewDelays(exponential({ initialDelayMs: 1, maxDelayMs: Infinity }), { failures: 40 }).at(
        -1,
      ),
    ).toBe(2 ** 39);
  });

  it('never exceeds the cap and never decreases', () => {
    fc.assert(
      fc.property(
        fc.nat(5000),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.nat(100_000),
        (initialDelayMs, factor, maxDelayMs) => {
          const delays = previewDelays(exponential({ initialDelayMs, factor, maxDelayMs }), {
            failures: 64,
          });
          return delays.every((d, i) => d <= maxDelayMs && (i === 0 || d >= delays[i - 1]!));
        },
      ),
    );
  });

  it('rejects bad options', () => {
    expect(() => exponential({ factor: 0.5 })).toThrow(
      "exponential: option 'factor' must be a finite number >= 1, got 0.5",
    );
    expect(() => exponential({ factor: NaN })).toThrow(/'factor'.*NaN/);
    expect(() => exponential({ initialDelayMs: NaN })).toThrow(/'initialDelayMs'.*NaN/);
    expect(() => exponential({ maxDelayMs: -1 })).toThrow(/'maxDelayMs'.*-1/);
  });
});
