import { describe, expect, it } from 'vitest';
import { VirtualClock, isInvalidOptionError } from '../../core/index.ts';
import { circuitBreaker, countWindow } from './index.ts';

/** Feeds a string of outcomes (s = success, f = failure) and returns the verdict of each. */
function feed(strategy: ReturnType<typeof countWindow>, outcomes: string, durationMs = Number.NaN) {
  return Array.from(outcomes, (o) =>
    o === 'f' ? strategy.recordFailure(durationMs) : strategy.recordSuccess(durationMs),
  );
}

describe('countWindow', () => {
  it('judges nothing until minimumThroughput calls, then opens at the failure rate', () => {
    const strategy = countWindow({ size: 4, minimumThroughput: 4, failureRateThreshold: 0.5 });
    expect(feed(strategy, 'fff')).toEqual([undefined, undefined, undefined]);
    expect(strategy.failureCount).toBe(3);
    expect(feed(strategy, 's')).toEqual(['failure-rate']);
  });

  it('slides: the oldest outcome leaves when a new one arrives', () => {
    const strategy = countWindow({ size: 4, minimumThroughput: 4, failureRateThreshold: 0.5 });
    expect(feed(strategy, 'fsss')).toEqual([undefined, undefined, undefined, undefined]);
    expect(strategy.failureCount).toBe(1);
    expect(feed(strategy, 'f')).toEqual([undefined]); // window s s s f: 25 %
    expect(strategy.failureCount).toBe(1);
    expect(feed(strategy, 'f')).toEqual(['failure-rate']); // s s f f: 50 %
    expect(strategy.toJSON()).toEqual({ kind: 'count-window', outcomes: 'ssff' });
  });

  it('counts slow calls and opens at the slow-call rate', () => {
    const strategy = countWindow({
      size: 4,
      minimumThroughput: 2,
      slowCallDurationMs: 100,
      slowCallRateThreshold: 0.5,
    });
    expect(strategy.measuresDuration).toBe(true);
    expect(strategy.recordSuccess(100)).toBeUndefined(); // not longer than 100 ms
    expect(strategy.recordSuccess(50)).toBeUndefined();
    expect(strategy.recordSuccess(101)).toBeUndefined(); // 1 of 3 slow
    expect(strategy.recordSuccess(500)).toBe('slow-call-rate'); // 2 of 4
    expect(strategy.toJSON()).toEqual({ kind: 'count-window', outcomes: 'ssSS' });
  });

  it('times calls through the breaker on the virtual clock', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({
      clock,
      strategy: countWindow({ size: 2, minimumThroughput: 2, slowCallDurationMs: 1_000 }),
    });
    const slowCall = (): Promise<void> => clock.sleep(1_500);
    for (let i = 0; i < 2; i++) {
      const run = breaker.execute(slowCall);
      await clock.advance(1_500);
      await run;
    }
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().lastTrip?.reason).toBe('slow-call-rate');
  });

  it('opens the breaker on a failure rate', async () => {
    const breaker = circuitBreaker({
      clock: new VirtualClock(),
      strategy: countWindow({ size: 10, minimumThroughput: 4, failureRateThreshold: 0.5 }),
    });
    const boom = new Error('boom');
    for (const outcome of 'sfs') {
      await breaker.execute(() => (outcome === 'f' ? Promise.reject(boom) : 1)).catch(() => 0);
    }
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(breaker.toJSON()).toMatchObject({ state: 'open', failureCount: 2, tripCount: 1 });
  });

  it('forgets everything on reset', () => {
    const strategy = countWindow({ size: 3, minimumThroughput: 1 });
    feed(strategy, 'sf');
    strategy.reset();
    expect(strategy.failureCount).toBe(0);
    expect(strategy.toJSON()).toEqual({ kind: 'count-window', outcomes: '' });
  });

  it.each([
    [{ size: 0 }, /countWindow: option 'size' must be an integer >= 1, got 0/],
    [
      { size: 5, minimumThroughput: 6 },
      /'minimumThroughput' must be an integer between 1 and the window size 5, got 6/,
    ],
    [{ minimumThroughput: 0 }, /'minimumThroughput' must be an integer >= 1, got 0/],
    [{ failureRateThreshold: 0 }, /'failureRateThreshold' must be a finite number > 0, got 0/],
    [
      { failureRateThreshold: 1.5 },
      /'failureRateThreshold' must be a number between 0 and 1, got 1.5/,
    ],
    [{ slowCallDurationMs: -5 }, /'slowCallDurationMs' must be a finite number > 0, got -5/],
    [
      { slowCallRateThreshold: Number.NaN },
      /'slowCallRateThreshold' must be a number between 0 and 1, got NaN/,
    ],
  ])('rejects %o', (options, message) => {
    expect(() => countWindow(options)).toThrow(message);
    try {
      countWindow(options);
    } catch (error) {
      expect(isInvalidOptionError(error)).toBe(true);
    }
  });

  it('defaults: size 20, minimumThroughput 10, rate 0.5, no slow-call counting', () => {
    const strategy = countWindow();
    expect(strategy.settings).toEqual({
      size: 20,
      failureRateThreshold: 0.5,
      minimumThroughput: 10,
      slowCallDurationMs: undefined,
      slowCallRateThreshold: 1,
    });
    expect(strategy.measuresDuration).toBe(false);
    expect(countWindow({ size: 4 }).settings.minimumThroughput).toBe(4);
  });
});
