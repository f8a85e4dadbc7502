import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInvalidOptionError } from '../core/index.ts';
import { quantile } from './quantile.ts';

describe('quantile', () => {
  const samples = [15, 20, 35, 40, 50];

  it('nearest rank: the sample of rank ceil(q × n)', () => {
    // Hand-computed: n = 5, ranks ceil(0.05×5)=1, ceil(0.3×5)=2, ceil(0.4×5)=2, ceil(0.5×5)=3,
    // ceil(0.95×5)=5.
    expect(quantile(samples, 0)).toBe(15);
    expect(quantile(samples, 0.05)).toBe(15);
    expect(quantile(samples, 0.3)).toBe(20);
    expect(quantile(samples, 0.4)).toBe(20);
    expect(quantile(samples, 0.5)).toBe(35);
    expect(quantile(samples, 0.95)).toBe(50);
    expect(quantile(samples, 1)).toBe(50);
  });

  it('linear: interpolates at (n − 1) × q', () => {
    // h = 4q: q=0.4 → h=1.6 → 20 + 0.6×15 = 29; q=0.5 → 35; q=0.95 → h=3.8 → 40 + 0.8×10 = 48.
    expect(quantile(samples, 0, 'linear')).toBe(15);
    expect(quantile(samples, 0.4, 'linear')).toBeCloseTo(29, 10);
    expect(quantile(samples, 0.5, 'linear')).toBe(35);
    expect(quantile(samples, 0.95, 'linear')).toBeCloseTo(48, 10);
    expect(quantile(samples, 1, 'linear')).toBe(50);
  });

  it('p50/p95/p99 of 1..100 are 50, 95, 99, unaffected by floating-point noise', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(hundred, 0.5)).toBe(50);
    expect(quantile(hundred, 0.95)).toBe(95);
    expect(quantile(hundred, 0.99)).toBe(99);
    // 0.07 × 100 is 7.000000000000001 in floating point: still rank 7.
    expect(quantile(hundred, 0.07)).toBe(7);
    expect(quantile(hundred, 0.29)).toBe(29);
  });

  it('is undefined without samples and rejects q outside [0, 1]', () => {
    expect(quantile([], 0.5)).toBeUndefined();
    for (const q of [-0.1, 1.5, Number.NaN]) {
      let error: unknown;
      try {
        quantile(samples, q);
      } catch (e) {
        error = e;
      }
      expect(isInvalidOptionError(error)).toBe(true);
    }
  });

  it('nearest rank is a sample with at least ceil(q n) samples at or below it, and fewer below', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q) => {
          const sorted = [...values].sort((a, b) => a - b);
          const v = quantile(sorted, q) as number;
          expect(sorted).toContain(v);
          const rank = Math.max(1, Math.ceil(q * sorted.length - 1e-9));
          expect(sorted.filter((x) => x <= v).length).toBeGreaterThanOrEqual(rank);
          expect(sorted.filter((x) => x < v).length).toBeLessThan(rank);
        },
      ),
    );
  });
});
