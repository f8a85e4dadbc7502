import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constant } from './constant.ts';
import { equalJitter } from './equal-jitter.ts';
import { exponential } from './exponential.ts';
import { previewDelays } from './preview-delays.ts';
import { upTo } from './up-to.ts';

describe('equalJitter', () => {
  it('is always within [base/2, base)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(10_000), (seed, initialDelayMs) => {
        const base = exponential({ initialDelayMs, maxDelayMs: 60_000 });
        const bounds = previewDelays(base, { failures: 12 });
        const jittered = previewDelays(equalJitter(base), { failures: 12, random: seed });
        return jittered.every((d, i) => {
          const b = bounds[i]!;
          return d >= b / 2 && (d < b || b === 0);
        });
      }),
    );
  });

  it('is deterministic per seed', () => {
    const schedule = equalJitter(constant(1000));
    expect(previewDelays(schedule, { random: 3 })).toEqual(previewDelays(schedule, { random: 3 }));
    expect(new Set(previewDelays(schedule, { random: 3 })).size).toBeGreaterThan(1);
  });

  it('stops when the base stops', () => {
    expect(previewDelays(equalJitter(upTo({ attempts: 2 }, constant(10))))).toHaveLength(1);
  });

  it('rejects a base that is not a function', () => {
    expect(() => equalJitter(null as never)).toThrow(/equalJitter: option 'base'/);
  });
});
