import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { didYouMean } from './experiment-did-you-mean.ts';
import { parseDuration } from './experiment-duration.ts';

describe('parseDuration', () => {
  test('reads milliseconds and unit strings', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h 15m')).toBe(4_500_000);
    expect(parseDuration(' 2h ')).toBe(7_200_000);
    expect(parseDuration('10 s')).toBe(10_000);
  });

  test('refuses what is not a duration', () => {
    for (const bad of [
      '500',
      '30 seconds',
      '1d',
      's',
      '',
      '-5s',
      '5s ago',
      'ms',
      -1,
      Infinity,
      NaN,
      null,
      true,
      {},
      [],
    ]) {
      expect(parseDuration(bad)).toBeUndefined();
    }
  });

  test('a sum of parts is the sum of their milliseconds', () => {
    const unit = fc.constantFrom(['ms', 1], ['s', 1000], ['m', 60_000], ['h', 3_600_000]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1000), unit), { minLength: 1, maxLength: 4 }),
        (parts) => {
          const text = parts.map(([n, [u]]) => `${String(n)}${u as string}`).join('');
          const expected = parts.reduce((sum, [n, [, ms]]) => sum + n * (ms as number), 0);
          expect(parseDuration(text)).toBe(expected);
        },
      ),
    );
  });
});

describe('didYouMean', () => {
  test('suggests the closest candidate within a third of the length, ignoring case', () => {
    expect(didYouMean('durtion', ['start', 'duration', 'scope'])).toBe('duration');
    expect(didYouMean('Hypotesis', ['hypothesis'])).toBe('hypothesis');
    expect(didYouMean('strat', ['start', 'state'])).toBe('start');
    expect(didYouMean('netwrok', ['network', 'latency'])).toBe('network');
    expect(didYouMean('x', ['y'])).toBe('y');
    expect(didYouMean('foo', ['duration', 'scope'])).toBeUndefined();
    expect(didYouMean('duration', ['duration'])).toBeUndefined();
  });
});
