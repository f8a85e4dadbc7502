import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntervalUnion } from './interval-union.ts';

/** Length of the union of integer intervals within [from, to), by counting unit cells. */
function bruteForce(
  intervals: readonly (readonly [number, number])[],
  from: number,
  to: number,
): number {
  let n = 0;
  for (let t = from; t < to; t++) if (intervals.some(([s, e]) => t >= s && t < e)) n++;
  return n;
}

const interval = fc
  .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 50 }))
  .map(([s, len]) => [s, s + len] as const);

describe('IntervalUnion', () => {
  it('measures overlapping, nested, adjacent and empty intervals once', () => {
    const u = new IntervalUnion();
    u.add(100, 300);
    u.add(200, 500); // overlaps
    u.add(250, 260); // nested
    u.add(500, 600); // adjacent
    u.add(700, 700); // empty
    u.add(800, 850);
    expect(u.measure(0, 1000)).toBe(550);
    expect(u.measure(550, 820)).toBe(70); // clipped to the window
    expect(
      u.measure(0, 1000, [
        [840, 900],
        [950, 1000],
      ]),
    ).toBe(650);
    expect(u.measure(0, 1000)).toBe(550); // extras are not stored
  });

  it('equals a brute-force count for any intervals in any order', () => {
    fc.assert(
      fc.property(
        fc.array(interval, { maxLength: 30 }),
        fc.array(interval, { maxLength: 3 }),
        (intervals, extra) => {
          const u = new IntervalUnion();
          for (const [s, e] of intervals) u.add(s, e);
          expect(u.measure(0, 260)).toBe(bruteForce(intervals, 0, 260));
          expect(u.measure(40, 120, extra)).toBe(bruteForce([...intervals, ...extra], 40, 120));
        },
      ),
    );
  });

  it('folds its earliest intervals beyond the limit, keeping their length', () => {
    const u = new IntervalUnion(2);
    u.add(0, 10);
    u.add(20, 30);
    u.add(40, 50); // folds [0, 10)
    expect(u.measure(0, 100)).toBe(30);
    u.add(5, 25); // clipped to start at 10, the end of what was folded: adds [10, 20)
    expect(u.measure(0, 100)).toBe(40);
  });
});
