import { describe, expect, it } from 'vitest';
import { createRandom, isInvalidOptionError, type Random } from '../core/index.ts';
import { quantile } from './quantile.ts';
import { QuantileSketch } from './quantile-sketch.ts';

/** Log-normal samples: a long-tailed spread like recovery times (median ~1 s). */
function logNormal(random: Random, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = 1 - random.next();
    const v = random.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    out.push(Math.exp(Math.log(1000) + 1.5 * z));
  }
  return out;
}

const qs = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

function expectWithinBound(sketch: QuantileSketch, values: number[], alpha: number): void {
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of qs) {
    const exact = quantile(sorted, q) as number;
    const estimate = sketch.quantile(q) as number;
    const error = exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;
    expect(error, `q=${q}: exact ${exact}, sketch ${estimate}`).toBeLessThanOrEqual(alpha + 1e-12);
  }
}

describe('QuantileSketch', () => {
  it('answers every quantile of 1e5 log-normal samples within its relative accuracy', () => {
    const values = logNormal(createRandom('sketch-lognormal'), 100_000);
    for (const alpha of [0.01, 0.05]) {
      const sketch = new QuantileSketch({ relativeAccuracy: alpha });
      for (const v of values) sketch.add(v);
      expectWithinBound(sketch, values, alpha);
    }
  });

  it('stays within bound on 1e5 uniform integers with zeros, in bounded memory', () => {
    const random = createRandom('sketch-uniform');
    const values = Array.from({ length: 100_000 }, () => random.int(0, 60_000));
    const sketch = new QuantileSketch();
    for (const v of values) sketch.add(v);
    expectWithinBound(sketch, values, 0.01);
    // log(60_000) / log(1.0202) ≈ 551 buckets at most, whatever the sample count.
    expect(sketch.bucketCount).toBeLessThanOrEqual(560);
  });

  it('keeps count, sum, min and max exact', () => {
    const sketch = new QuantileSketch();
    for (const v of [3, 1, 4, 1, 5, 9, 2, 6]) sketch.add(v);
    expect(sketch.count).toBe(8);
    expect(sketch.sum).toBe(31);
    expect(sketch.min).toBe(1);
    expect(sketch.max).toBe(9);
    expect(sketch.quantile(0)).toBe(1);
    expect(sketch.quantile(1)).toBe(9);
  });

  it('is empty-safe', () => {
    const sketch = new QuantileSketch();
    expect(sketch.quantile(0.5)).toBeUndefined();
    expect(sketch.min).toBeUndefined();
    expect(sketch.max).toBeUndefined();
  });

  it('merges its lowest buckets beyond maxBuckets, keeping the upper quantiles accurate', () => {
    // 1..10,000 needs ~460 buckets; 128 cover the top factor e^(128 × 0.02) ≈ 13: 770..10,000.
    const random = createRandom('sketch-collapse');
    const values = Array.from({ length: 20_000 }, () => random.float(1, 10_000));
    const sketch = new QuantileSketch({ maxBuckets: 128 });
    for (const v of values) sketch.add(v);
    expect(sketch.bucketCount).toBe(128);
    const sorted = [...values].sort((a, b) => a - b);
    const error = (q: number): number => {
      const exact = quantile(sorted, q) as number;
      return Math.abs((sketch.quantile(q) as number) - exact) / exact;
    };
    for (const q of [0.5, 0.9, 0.95, 0.99]) expect(error(q)).toBeLessThanOrEqual(0.01);
    expect(error(0.01)).toBeGreaterThan(0.01); // the merged low end lost its accuracy
  });

  it('rejects bad options and values', () => {
    const bad: (() => unknown)[] = [
      () => new QuantileSketch({ relativeAccuracy: 0 }),
      () => new QuantileSketch({ relativeAccuracy: 1 }),
      () => new QuantileSketch({ maxBuckets: 0 }),
      () => new QuantileSketch({ minValue: -1 }),
      () => {
        new QuantileSketch().add(-1);
      },
      () => {
        new QuantileSketch().add(Number.NaN);
      },
      () => new QuantileSketch().quantile(2),
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
    let message = '';
    try {
      new QuantileSketch({ relativeAccuracy: 2 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      "QuantileSketch: option 'relativeAccuracy' must be a number between 0 and 1 (exclusive), got 2",
    );
  });
});
