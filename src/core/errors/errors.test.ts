import { describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  BulkheadRejectedError,
  CircuitOpenError,
  FaultlineError,
  InvalidOptionError,
  LoopDetectedError,
  RateLimitedError,
  TimeoutError,
  isBudgetExceededError,
  isBulkheadRejectedError,
  isCircuitOpenError,
  isFaultlineError,
  isInvalidOptionError,
  isLoopDetectedError,
  isRateLimitedError,
  isTimeoutError,
} from './index.ts';

describe('errors', () => {
  const cases = [
    [new CircuitOpenError('open', 500), 'CircuitOpenError', 'FL_CIRCUIT_OPEN', isCircuitOpenError],
    [
      new BulkheadRejectedError('full', 2, 0),
      'BulkheadRejectedError',
      'FL_BULKHEAD_REJECTED',
      isBulkheadRejectedError,
    ],
    [new TimeoutError('late', 10), 'TimeoutError', 'FL_TIMEOUT', isTimeoutError],
    [
      new RateLimitedError('slow down', 100),
      'RateLimitedError',
      'FL_RATE_LIMITED',
      isRateLimitedError,
    ],
    [
      new BudgetExceededError('spent', { budget: 'tokens', limit: 10, used: 11 }),
      'BudgetExceededError',
      'FL_BUDGET_EXCEEDED',
      isBudgetExceededError,
    ],
    [
      new LoopDetectedError('loop', 'search', 11),
      'LoopDetectedError',
      'FL_LOOP_DETECTED',
      isLoopDetectedError,
    ],
    [
      new InvalidOptionError('bad', { owner: 'o', option: 'x', value: 1, expected: 'y' }),
      'InvalidOptionError',
      'FL_INVALID_OPTION',
      isInvalidOptionError,
    ],
  ] as const;

  it.each(cases)(
    '%s has a literal name, a stable code and a matching guard',
    (error, name, code, guard) => {
      expect(error).toBeInstanceOf(FaultlineError);
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(guard(error)).toBe(true);
      expect(isFaultlineError(error)).toBe(true);
      for (const [other, , , otherGuard] of cases) {
        if (other !== error) expect(otherGuard(error)).toBe(false);
      }
    },
  );

  it('guards match by code, so a copy from a duplicate install is recognised', () => {
    const foreign = Object.assign(new Error('open'), { code: 'FL_CIRCUIT_OPEN', retryAfterMs: 5 });
    expect(isCircuitOpenError(foreign)).toBe(true);
    expect(isFaultlineError(foreign)).toBe(true);
    expect(isCircuitOpenError({ code: 'FL_CIRCUIT_OPEN' })).toBe(false);
    expect(isFaultlineError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
  });

  it('keeps the standard cause and the details', () => {
    const cause = new Error('root');
    const error = new CircuitOpenError('open', 1_500, { cause });
    expect(error.cause).toBe(cause);
    expect(error.retryAfterMs).toBe(1_500);
    expect(new TimeoutError('late', 10).cause).toBeUndefined();
    expect('cause' in new TimeoutError('late', 10)).toBe(false);
  });
});
