import { describe, expect, it } from 'vitest';
import { consecutiveFailures } from './index.ts';

describe('consecutiveFailures', () => {
  it('trips on the threshold-th failure in a row; a success starts over', () => {
    const strategy = consecutiveFailures({ threshold: 3 });
    expect(strategy.recordFailure(Number.NaN)).toBeUndefined();
    expect(strategy.recordFailure(Number.NaN)).toBeUndefined();
    expect(strategy.recordSuccess(Number.NaN)).toBeUndefined();
    expect(strategy.failureCount).toBe(0);
    expect(strategy.recordFailure(Number.NaN)).toBeUndefined();
    expect(strategy.recordFailure(Number.NaN)).toBeUndefined();
    expect(strategy.recordFailure(Number.NaN)).toBe('consecutive-failures');
    expect(strategy.failureCount).toBe(3);
    strategy.reset();
    expect(strategy.failureCount).toBe(0);
  });

  it('needs no timing and restores its count from the snapshot failureCount', () => {
    const strategy = consecutiveFailures();
    expect(strategy.measuresDuration).toBe(false);
    expect(strategy.settings).toEqual({ threshold: 5 });
    strategy.restore(undefined, 4, 'snapshot.strategy');
    expect(strategy.recordFailure(Number.NaN)).toBe('consecutive-failures');
    expect(strategy.toJSON()).toEqual({ kind: 'consecutive-failures' });
  });

  it('a threshold of 1 opens on the first failure', () => {
    expect(consecutiveFailures({ threshold: 1 }).recordFailure(Number.NaN)).toBe(
      'consecutive-failures',
    );
  });
});
