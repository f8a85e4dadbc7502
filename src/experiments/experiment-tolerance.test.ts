import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  checkTolerance,
  describeTolerance,
  formatMeasurement,
  readTolerance,
  type Tolerance,
} from './experiment-tolerance.ts';

const range = (...comparisons: [string, number][]) => ({
  tolerance: { kind: 'range', comparisons: comparisons.map(([op, value]) => ({ op, value })) },
});

describe('readTolerance', () => {
  test('reads strings, objects, numbers and booleans in the unit of the probe', () => {
    expect(readTolerance('> 95%', 'ratio')).toEqual(range(['>', 0.95]));
    expect(readTolerance('>0.95', 'ratio')).toEqual(range(['>', 0.95]));
    expect(readTolerance('< 30s', 'ms')).toEqual(range(['<', 30_000]));
    expect(readTolerance('>= 1 and <= 3', 'count')).toEqual(range(['>=', 1], ['<=', 3]));
    expect(readTolerance('= 3', 'count')).toEqual(range(['==', 3]));
    expect(readTolerance({ '>': 0.95 }, 'ratio')).toEqual(range(['>', 0.95]));
    expect(readTolerance({ gte: '1m', lt: 120_000 }, 'ms')).toEqual(
      range(['>=', 60_000], ['<', 120_000]),
    );
    expect(readTolerance(3, 'count')).toEqual(range(['==', 3]));
    expect(readTolerance('< 10%', 'number')).toEqual(range(['<', 0.1]));
    expect(readTolerance('< 2s', 'number')).toEqual(range(['<', 2000]));
    expect(readTolerance(true, 'ratio')).toEqual({ tolerance: { kind: 'boolean', value: true } });
  });

  test('reports each bad part with its path and what it expected', () => {
    expect(readTolerance('> 150%', 'ratio')).toEqual({
      problems: [
        {
          path: [],
          value: '> 150%',
          expected:
            "a comparison like '> 95%' (operators <, <=, >, >=, ==; join two with 'and'), an object like { '<': ... }, a number (equal to) or true/false; each value a ratio: a number from 0 to 1, or a percentage like '95%'",
        },
      ],
    });
    expect(readTolerance({ '<': 2.5, foo: 1 }, 'count')).toEqual({
      problems: [
        { path: ['<'], value: 2.5, expected: 'a whole number >= 0' },
        {
          path: ['foo'],
          value: 1,
          expected: 'absent: not an operator (use <, <=, >, >=, ==, lt, lte, gt, gte or eq)',
          choices: ['<', '<=', '>', '>=', '==', '=', 'lt', 'lte', 'le', 'gt', 'gte', 'ge', 'eq'],
        },
      ],
    });
    expect('problems' in readTolerance({}, 'ratio')).toBe(true);
    expect('problems' in readTolerance([], 'ratio')).toBe(true);
    expect('problems' in readTolerance('about 3', 'count')).toBe(true);
  });
});

describe('checkTolerance', () => {
  test('every comparison must hold; a missing value never passes', () => {
    const between = (range(['>=', 1], ['<=', 3]) as { tolerance: Tolerance }).tolerance;
    expect([0, 1, 2, 3, 4].map((v) => checkTolerance(between, v))).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(checkTolerance(between, null)).toBe(false);
    expect(checkTolerance(between, undefined)).toBe(false);
    expect(checkTolerance(between, Number.NaN)).toBe(false);
    expect(checkTolerance({ kind: 'boolean', value: false }, false)).toBe(true);
    expect(checkTolerance({ kind: 'boolean', value: false }, 0)).toBe(false);
  });

  test('a string tolerance agrees with the comparison it names', () => {
    const ops = {
      '<': (a: number, b: number) => a < b,
      '<=': (a: number, b: number) => a <= b,
      '>': (a: number, b: number) => a > b,
      '>=': (a: number, b: number) => a >= b,
      '==': (a: number, b: number) => a === b,
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(ops) as (keyof typeof ops)[])),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (op, bound, value) => {
          const read = readTolerance(`${op} ${String(bound)}`, 'count');
          if (!('tolerance' in read)) throw new Error('not read');
          expect(checkTolerance(read.tolerance, value)).toBe(ops[op](value, bound));
        },
      ),
    );
  });
});

describe('describeTolerance and formatMeasurement', () => {
  test('print in the unit of the probe', () => {
    const t = (text: string, unit: 'ratio' | 'ms' | 'count') => {
      const read = readTolerance(text, unit);
      if (!('tolerance' in read)) throw new Error('not read');
      return describeTolerance(read.tolerance, unit);
    };
    expect(t('> 95%', 'ratio')).toBe('> 95%');
    expect(t('<= 10s', 'ms')).toBe('≤ 10 s');
    expect(t('>= 1 and <= 3', 'count')).toBe('≥ 1 and ≤ 3');
    expect(t('== 3', 'count')).toBe('= 3');
    expect(describeTolerance({ kind: 'boolean', value: true }, 'number')).toBe('true');
    expect([250, 4200, 90_000, 7_200_000].map((ms) => formatMeasurement(ms, 'ms'))).toEqual([
      '250 ms',
      '4.2 s',
      '1.5 min',
      '2 h',
    ]);
    expect(formatMeasurement(0.955, 'ratio')).toBe('95.5%');
    expect(formatMeasurement(2.12345, 'number')).toBe('2.123');
  });
});
