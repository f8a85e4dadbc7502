import { describe, expect, it } from 'vitest';
import { isInvalidOptionError, type InvalidOptionError } from './errors/index.ts';
import {
  assertInteger,
  assertIntegerOrInfinity,
  assertNonNegativeNumber,
  assertOneOf,
  assertPositiveNumber,
  assertProbability,
} from './options.ts';

const caught = (fn: () => unknown): InvalidOptionError => {
  try {
    fn();
  } catch (error) {
    if (isInvalidOptionError(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidOptionError');
};

describe('option assertions', () => {
  it('name the owner, the option, the value and what is allowed', () => {
    const error = caught(() => assertInteger('retry', 'maxAttempts', 0, 1));
    expect(error.message).toBe("retry: option 'maxAttempts' must be an integer >= 1, got 0");
    expect(error).toMatchObject({
      owner: 'retry',
      option: 'maxAttempts',
      value: 0,
      expected: 'an integer >= 1',
    });
  });

  it('reject NaN, negatives, fractions and wrong types', () => {
    expect(caught(() => assertNonNegativeNumber('t', 'ms', Number.NaN)).message).toContain(
      'got NaN',
    );
    expect(caught(() => assertNonNegativeNumber('t', 'ms', -1)).message).toContain('>= 0, got -1');
    expect(caught(() => assertPositiveNumber('t', 'ms', 0)).message).toContain('> 0, got 0');
    expect(caught(() => assertInteger('t', 'n', 1.5)).message).toContain('got 1.5');
    expect(caught(() => assertInteger('t', 'n', '3')).message).toContain('got "3"');
    expect(caught(() => assertProbability('t', 'p', 1.5)).message).toBe(
      "t: option 'p' must be a number between 0 and 1, got 1.5",
    );
    expect(caught(() => assertOneOf('t', 'mode', 'later', ['wait', 'reject'])).message).toBe(
      "t: option 'mode' must be one of 'wait', 'reject', got \"later\"",
    );
  });

  it('return the value when it is valid', () => {
    expect(assertInteger('t', 'n', 3, 1)).toBe(3);
    expect(assertIntegerOrInfinity('t', 'n', Infinity, 1)).toBe(Infinity);
    expect(assertProbability('t', 'p', 0)).toBe(0);
    expect(assertOneOf('t', 'mode', 'wait', ['wait', 'reject'])).toBe('wait');
  });
});
