import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linear } from './linear.ts';
import { previewDelays } from './preview-delays.ts';

describe('linear', () => {
  it('grows by initialDelayMs by default', () => {
    expect(previewDelays(linear({ initialDelayMs: 500 }), { failures: 4 })).toEqual([
      500, 1000, 1500, 2000,
    ]);
  });

  it('defaults to 100 ms steps', () => {
    expect(previewDelays(linear(), { failures: 3 })).toEqual([100, 200, 300]);
  });

  it('uses incrementMs and caps at maxDelayMs', () => {
    expect(
      previewDelays(linear({ initialDelayMs: 100, incrementMs: 50, maxDelayMs: 220 }), {
        failures: 5,
      }),
    ).toEqual([100, 150, 200, 220, 220]);
  });

  it('never exceeds the cap and never decreases', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.nat(10_000),
        fc.nat(50_000),
        (initialDelayMs, incrementMs, maxDelayMs) => {
          const delays = previewDelays(linear({ initialDelayMs, incrementMs, maxDelayMs }), {
            failures: 20,
          });
          return delays.every((d, i) => d <= maxDelayMs && (i === 0 || d >= delays[i - 1]!));
        },
      ),
    );
  });

  it('rejects bad options naming the option and value', () => {
    expect(() => linear({ initialDelayMs: -5 })).toThrow(
      "linear: option 'initialDelayMs' must be a finite number >= 0, got -5",
    );
    expect(() => linear({ incrementMs: NaN })).toThrow(/'incrementMs'.*NaN/);
    expect(() => linear({ maxDelayMs: -1 })).toThrow(/'maxDelayMs'/);
  });
});
