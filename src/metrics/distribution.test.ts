import { describe, expect, it } from 'vitest';
import { createRandom, isInvalidOptionError } from '../core/index.ts';
import { Distribution } from './distribution.ts';
import { quantile } from './quantile.ts';

describe('Distribution', () => {
  it('summarises few samples exactly (nearest rank)', () => {
    const d = new Distribution();
    for (const v of [1000, 200, 300]) d.add(v);
    expect(d.summary()).toEqual({
      n: 3,
      mean: 500,
      min: 200,
      max: 1000,
      p50: 300, // rank ceil(1.5) = 2
      p90: 1000, // rank ceil(2.7) = 3
      p95: 1000,
      p99: 1000,
      method: 'exact',
      relativeAccuracy: 0,
    });
  });

  it('reports nulls when empty', () => {
    const s = new Distribution().summary();
    expect(s).toMatchObject({ n: 0, mean: null, min: null, max: null, p50: null, p99: null });
  });

  it('switches to the sketch beyond exactLimit, keeping count, mean, min and max exact', () => {
    const random = createRandom('distribution');
    const values = Array.from({ length: 5_000 }, () => random.float(1, 10_000));
    const d = new Distribution({ exactLimit: 1_000 });
    values.slice(0, 1_000).forEach((v) => {
      d.add(v);
    });
    expect(d.exact).toBe(true);
    values.slice(1_000).forEach((v) => {
      d.add(v);
    });
    expect(d.exact).toBe(false);
    const s = d.summary();
    const sorted = [...values].sort((a, b) => a - b);
    expect(s.method).toBe('sketch');
    expect(s.relativeAccuracy).toBe(0.01);
    expect(s.n).toBe(5_000);
    expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 5_000, 6);
    expect(s.min).toBe(sorted[0]);
    expect(s.max).toBe(sorted[4_999]);
    for (const [q, got] of [
      [0.5, s.p50],
      [0.95, s.p95],
      [0.99, s.p99],
    ] as const) {
      const exact = quantile(sorted, q) as number;
      expect(Math.abs((got as number) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('counts the histogram exactly: (previous bound, bound], then overflow', () => {
    const d = new Distribution({ histogramBounds: [10, 100, 1000] });
    for (const v of [0, 10, 11, 100, 101, 1000, 5000, 9999]) d.add(v);
    expect(d.histogram()).toEqual({ bounds: [10, 100, 1000], counts: [2, 2, 2, 2] });
  });

  it('rejects bad options and samples', () => {
    const bad: (() => unknown)[] = [
      () => new Distribution({ exactLimit: -1 }),
      () => new Distribution({ relativeAccuracy: 0 }),
      () => new Distribution({ histogramBounds: [10, 5] }),
      () => new Distribution({ histogramBounds: [-1] }),
      () => {
        new Distribution().add(-5);
      },
      () => {
        new Distribution().add(Infinity);
      },
    ];
    for (const make of bad) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(isInvalidOptionError(error)).toBe(true);
    }
  });
});
