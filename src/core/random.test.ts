import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';

const draw = (seed: number | string, n: number): number[] => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.next());
};

describe('createRandom', () => {
  it('yields the same sequence for the same seed and another for another seed', () => {
    expect(draw(42, 5)).toEqual(draw(42, 5));
    expect(draw('42', 5)).toEqual(draw(42, 5));
    expect(draw(43, 5)).not.toEqual(draw(42, 5));
  });

  it('pins the sequence so replays stay stable across versions', () => {
    expect(draw(1, 3).map((x) => x.toFixed(8))).toMatchInlineSnapshot(`
      [
        "0.23402413",
        "0.00896371",
        "0.00759407",
      ]
    `);
  });

  it('forks depend only on the seed and label, not on draws made before', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    for (let i = 0; i < 100; i++) b.next();
    expect(a.fork('faults').next()).toBe(b.fork('faults').next());
    expect(a.fork('faults').next()).not.toBe(a.fork('policies').next());
    expect(a.fork('x').seed).toBe('7/x');
  });

  it('keeps every draw within its bounds', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -1000, max: 1000 }),
        fc.nat(1000),
        (seed, lo, span) => {
          const random = createRandom(seed);
          for (let i = 0; i < 20; i++) {
            const x = random.next();
            expect(x >= 0 && x < 1).toBe(true);
            const n = random.int(lo, lo + span);
            expect(Number.isInteger(n) && n >= lo && n <= lo + span).toBe(true);
            const f = random.float(lo, lo + span + 1);
            expect(f >= lo && f < lo + span + 1).toBe(true);
          }
        },
      ),
    );
  });

  it('is roughly uniform (chi-square over 10 buckets)', () => {
    const random = createRandom('uniformity');
    const buckets = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const b = Math.floor(random.next() * 10);
      buckets[b] = (buckets[b] ?? 0) + 1;
    }
    const expected = n / 10;
    const chi2 = buckets.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: p = 0.001 at 27.88
    expect(chi2).toBeLessThan(27.88);
  });

  it('chance() honours 0 and 1 exactly and p in between', () => {
    const random = createRandom(3);
    expect(Array.from({ length: 100 }, () => random.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => random.chance(1)).every(Boolean)).toBe(true);
    const hits = Array.from({ length: 10_000 }, () => random.chance(0.3)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(2_800);
    expect(hits).toBeLessThan(3_200);
  });

  it('pick() covers every element and refuses an empty array', () => {
    const random = createRandom(5);
    const seen = new Set(Array.from({ length: 200 }, () => random.pick(['a', 'b', 'c'])));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(() => random.pick([])).toThrow(/empty array/);
  });

  it('rejects seeds that are not finite numbers or strings', () => {
    expect(() => createRandom(Number.NaN)).toThrow(
      "createRandom: option 'seed' must be a finite number or a string, got NaN",
    );
  });
});
