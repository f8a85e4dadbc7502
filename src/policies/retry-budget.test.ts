import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import { RetryBudget } from './retry-budget.ts';

describe('RetryBudget', () => {
  it('starts with the reserve: minRetriesPerSecond × window seconds', () => {
    const clock = new VirtualClock();
    expect(new RetryBudget({ clock }).available).toBe(100); // 10/s × 10 s
    expect(new RetryBudget({ clock, minRetriesPerSecond: 1, windowMs: 5000 }).available).toBe(5);
  });

  it('adds ratio × calls and subtracts retries', () => {
    const clock = new VirtualClock();
    const budget = new RetryBudget({ clock, ratio: 0.2, minRetriesPerSecond: 0 });
    expect(budget.tryRetry()).toBe(false);
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.available).toBe(2);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    expect(budget.available).toBe(0);
  });

  it('forgets calls and retries older than the window, bucket by bucket', async () => {
    const clock = new VirtualClock();
    const budget = new RetryBudget({ clock, ratio: 1, minRetriesPerSecond: 0, windowMs: 1000 });
    budget.recordCall(); // t = 0
    await clock.advance(500);
    budget.recordCall(); // t = 500
    expect(budget.tryRetry()).toBe(true);
    expect(budget.available).toBe(1);
    await clock.advance(500); // t = 1000: the t=0 call has left the window
    expect(budget.available).toBe(0);
    await clock.advance(499); // t = 1499: the t=500 call and retry are still in
    expect(budget.available).toBe(0);
    await clock.advance(1); // t = 1500: both gone
    expect(budget.available).toBe(0);
    budget.recordCall();
    expect(budget.available).toBe(1);
    await clock.advance(60_000); // a long idle gap clears everything
    expect(budget.available).toBe(0);
  });

  it('never lets retries exceed reserve + ratio × calls within any window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat(300)), { maxLength: 200 }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (ops, ratio) => {
          let now = 0;
          const clock = { now: () => now } as unknown as VirtualClock;
          const budget = new RetryBudget({ clock, ratio, minRetriesPerSecond: 0, windowMs: 1000 });
          const calls: number[] = [];
          const retries: number[] = [];
          for (const [isRetry, dt] of ops) {
            now += dt;
            if (!isRetry) {
              budget.recordCall();
              calls.push(now);
            } else if (budget.tryRetry()) {
              retries.push(now);
              // The window is made of ten 100 ms buckets: it starts 900 ms before the current one.
              const from = Math.floor(now / 100) * 100 - 900;
              const inCalls = calls.filter((t) => t >= from).length;
              const inRetries = retries.filter((t) => t >= from).length;
              if (inRetries > ratio * inCalls + 1e-9) return false;
            }
          }
          return true;
        },
      ),
    );
  });

  it('rejects bad options', () => {
    expect(() => new RetryBudget({ ratio: -0.1 })).toThrow(
      "RetryBudget: option 'ratio' must be a finite number >= 0, got -0.1",
    );
    expect(() => new RetryBudget({ minRetriesPerSecond: NaN })).toThrow(/'minRetriesPerSecond'/);
    expect(() => new RetryBudget({ windowMs: 0 })).toThrow(
      /'windowMs' must be a finite number > 0/,
    );
  });
});
