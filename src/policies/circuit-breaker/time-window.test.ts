import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/index.ts';
import { circuitBreaker, timeWindow } from './index.ts';

function attached(options: Parameters<typeof timeWindow>[0]): {
  clock: VirtualClock;
  strategy: ReturnType<typeof timeWindow>;
} {
  const clock = new VirtualClock();
  const strategy = timeWindow(options);
  strategy.attach(clock);
  return { clock, strategy };
}

describe('timeWindow', () => {
  it('forgets a call once its bucket slides out of the window', async () => {
    const { clock, strategy } = attached({
      durationMs: 1_000,
      buckets: 10,
      minimumThroughput: 100,
    });
    await clock.advance(50);
    strategy.recordFailure(Number.NaN); // bucket [0, 100)
    await clock.advance(949); // t = 999: bucket [900, 1000) is the newest, [0, 100) still inside
    expect(strategy.failureCount).toBe(1);
    await clock.advance(1); // t = 1000: the window is [100, 1100)
    expect(strategy.failureCount).toBe(0);
  });

  it('opens at the failure rate once minimumThroughput calls are in the window', async () => {
    const { clock, strategy } = attached({
      durationMs: 10_000,
      buckets: 10,
      minimumThroughput: 4,
      failureRateThreshold: 0.5,
    });
    expect(strategy.recordFailure(Number.NaN)).toBeUndefined();
    await clock.advance(1_000);
    expect(strategy.recordFailure(Number.NaN)).toBeUndefined();
    expect(strategy.recordSuccess(Number.NaN)).toBeUndefined(); // 3 calls: too few to judge
    await clock.advance(8_999);
    expect(strategy.recordSuccess(Number.NaN)).toBe('failure-rate'); // 2 of 4
  });

  it('does not open when old failures have left the window', async () => {
    const { clock, strategy } = attached({
      durationMs: 10_000,
      buckets: 10,
      minimumThroughput: 4,
      failureRateThreshold: 0.5,
    });
    strategy.recordFailure(Number.NaN);
    strategy.recordFailure(Number.NaN);
    await clock.advance(10_000);
    expect(strategy.recordSuccess(Number.NaN)).toBeUndefined();
    expect(strategy.recordSuccess(Number.NaN)).toBeUndefined();
    expect(strategy.recordFailure(Number.NaN)).toBeUndefined();
    expect(strategy.recordSuccess(Number.NaN)).toBeUndefined(); // 1 of 4
    expect(strategy.failureCount).toBe(1);
  });

  it('jumps over long idle periods and drops only the buckets that left', async () => {
    const { clock, strategy } = attached({ durationMs: 1_000, buckets: 4, minimumThroughput: 1 });
    strategy.recordSuccess(Number.NaN); // bucket 0
    await clock.advance(500);
    strategy.recordFailure(Number.NaN); // bucket 2
    await clock.advance(500); // t = 1000, bucket 4: window buckets 1..4
    expect(strategy.failureCount).toBe(1);
    expect(strategy.toJSON()).toEqual({
      kind: 'time-window',
      buckets: [{ start: 500, calls: 1, failures: 1, slowCalls: 0 }],
    });
    await clock.advance(1_000_000);
    expect(strategy.failureCount).toBe(0);
    expect(strategy.toJSON()).toEqual({ kind: 'time-window', buckets: [] });
  });

  it('counts slow calls timed by the breaker', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({
      clock,
      strategy: timeWindow({
        minimumThroughput: 3,
        slowCallDurationMs: 2_000,
        slowCallRateThreshold: 0.6,
      }),
    });
    const call = async (ms: number): Promise<void> => {
      const run = breaker.execute(() => clock.sleep(ms));
      await clock.advance(ms);
      await run;
    };
    await call(3_000);
    await call(100);
    expect(breaker.state).toBe('closed');
    await call(2_500);
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON()).toMatchObject({
      lastTrip: { reason: 'slow-call-rate' },
      failureCount: 0,
    });
  });

  it('rejects bad options', () => {
    expect(() => timeWindow({ durationMs: Number.NaN })).toThrow(
      /timeWindow: option 'durationMs' must be a finite number > 0, got NaN/,
    );
    expect(() => timeWindow({ buckets: 0 })).toThrow(/'buckets' must be an integer >= 1, got 0/);
    expect(() => timeWindow({ failureRateThreshold: -0.1 })).toThrow(/'failureRateThreshold'/);
  });

  it('defaults: 30 s in 10 buckets, minimumThroughput 10, rate 0.5', () => {
    expect(timeWindow().settings).toMatchObject({
      durationMs: 30_000,
      buckets: 10,
      minimumThroughput: 10,
      failureRateThreshold: 0.5,
    });
  });
});
