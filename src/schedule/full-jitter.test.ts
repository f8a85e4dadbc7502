import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constant } from './constant.ts';
import { exponential } from './exponential.ts';
import { fullJitter } from './full-jitter.ts';
import { previewDelays } from './preview-delays.ts';
import { upTo } from './up-to.ts';

describe('fullJitter', () => {
  it('is always within [0, base delay)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(10_000), (seed, initialDelayMs) => {
        const base = exponential({ initialDelayMs, maxDelayMs: 60_000 });
        const bounds = previewDelays(base, { failures: 12 });
        const jittered = previewDelays(fullJitter(base), { failures: 12, random: seed });
        return jittered.every((d, i) => d >= 0 && (d < bounds[i]! || d === 0));
      }),
    );
  });

  it('is deterministic per seed and differs across seeds', () => {
    const schedule = fullJitter(exponential());
    const a = previewDelays(schedule, { random: 'seed-a' });
    expect(previewDelays(schedule, { random: 'seed-a' })).toEqual(a);
    expect(previewDelays(schedule, { random: 'seed-b' })).not.toEqual(a);
  });

  it('spreads delays across the range', () => {
    const delays = previewDelays(fullJitter(constant(1000)), { failures: 1000, random: 7 });
    const mean = delays.reduce((s, d) => s + d, 0) / delays.length;
    expect(mean).toBeGreaterThan(450);
    expect(mean).toBeLessThan(550);
    expect(Math.min(...delays)).toBeLessThan(50);
    expect(Math.max(...delays)).toBeGreaterThan(950);
  });

  it('stops when the base stops', () => {
    expect(previewDelays(fullJitter(upTo({ attempts: 3 }, constant(10))))).toHaveLength(2);
  });

  it('defaults to exponential()', () => {
    const delays = previewDelays(fullJitter(), { failures: 3, random: 1 });
    expect(delays[2]).toBeLessThan(800);
  });

  it('rejects a base that is not a function', () => {
    expect(() => fullJitter(5 as never)).toThrow("fullJitter: option 'base' must be a function");
  });
});
