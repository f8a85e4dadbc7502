import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  VirtualClock,
  isRateLimitedError,
  type RateLimitedError,
} from '../../core/index.ts';
import type { RateLimitPolicy } from './rate-limit-policy.ts';
import { slidingWindow } from './sliding-window.ts';

interface Run {
  started: (number | undefined)[];
  errors: unknown[];
}

async function arrive(
  clock: VirtualClock,
  policy: RateLimitPolicy,
  arrivals: readonly number[],
): Promise<Run> {
  const run: Run = {
    started: arrivals.map(() => undefined),
    errors: arrivals.map(() => undefined),
  };
  const settled = arrivals.map(
    (at, i) =>
      new Promise<void>((done) => {
        clock.setTimer(at - clock.now(), () => {
          policy
            .execute(() => {
              run.started[i] = clock.now();
            })
            .then(done, (error: unknown) => {
              run.errors[i] = error;
              done();
            });
        });
      }),
  );
  await clock.run(Promise.all(settled));
  return run;
}

describe('slidingWindow, reject mode', () => {
  it('admits at most `limit` calls in any window and says when the oldest leaves', async () => {
    const clock = new VirtualClock();
    const policy = slidingWindow({ limit: 3, windowMs: 1_000, mode: 'reject', clock });
    const run = await arrive(clock, policy, [0, 100, 200, 300, 999, 1_000, 1_050, 1_100]);
    expect(run.started).toEqual([0, 100, 200, undefined, undefined, 1_000, undefined, 1_100]);
    const retryAfter = run.errors.map((e) => (isRateLimitedError(e) ? e.retryAfterMs : undefined));
    expect(retryAfter).toEqual([undefined, undefined, undefined, 700, 1, undefined, 50, undefined]);
    expect((run.errors[3] as Error).message).toBe('slidingWindow: no capacity; retry after 700 ms');
  });

  it('property: a call is refused only when the window already holds `limit` admissions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 25 }),
        async (limit, windowMs, raw) => {
          const arrivals = raw.sort((a, b) => a - b);
          const clock = new VirtualClock();
          const policy = slidingWindow({ limit, windowMs, mode: 'reject', clock });
          const run = await arrive(clock, policy, arrivals);
          const admitted: number[] = [];
          arrivals.forEach((at, i) => {
            const inWindow = admitted.filter((t) => t > at - windowMs).length;
            if (run.started[i] === undefined) {
              expect(inWindow).toBe(limit);
              const oldest = admitted[admitted.length - limit] as number;
              expect((run.errors[i] as RateLimitedError).retryAfterMs).toBe(oldest + windowMs - at);
            } else {
              expect(inWindow).toBeLessThan(limit);
              admitted.push(at);
            }
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('slidingWindow, wait mode (the default)', () => {
  it('lets a burst through `limit` at a time, one window apart', async () => {
    const clock = new VirtualClock();
    const policy = slidingWindow({ limit: 3, windowMs: 1_000, clock });
    const run = await arrive(clock, policy, [0, 0, 0, 0, 0, 0, 0]);
    expect(run.started).toEqual([0, 0, 0, 1_000, 1_000, 1_000, 2_000]);
    expect(clock.pending).toBe(0);
  });

  it('refuses a call that would wait longer than maxWaitMs', async () => {
    const clock = new VirtualClock();
    const policy = slidingWindow({ limit: 2, windowMs: 100, maxWaitMs: 150, clock });
    const run = await arrive(clock, policy, [0, 10, 20, 30, 40, 50]);
    // Slots free at 100 and 110, then at 200: from 40 that is 160 ms (refused), from 50 150 ms.
    expect(run.started).toEqual([0, 10, 100, 110, undefined, 200]);
    expect((run.errors[4] as RateLimitedError).retryAfterMs).toBe(160);
  });

  it('property: each call gets in at the earliest time the window and the queue allow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 25 }),
        async (limit, windowMs, raw) => {
          const arrivals = raw.sort((a, b) => a - b);
          const clock = new VirtualClock();
          const policy = slidingWindow({ limit, windowMs, clock });
          const run = await arrive(clock, policy, arrivals);
          const expected: number[] = [];
          arrivals.forEach((at, i) => {
            const previous = expected[i - 1] ?? -Infinity;
            const lapped = (expected[i - limit] ?? -Infinity) + windowMs;
            expected.push(Math.max(at, previous, lapped));
          });
          expect(run.started).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('slidingWindow options', () => {
  it.each([
    [{ limit: 0, windowMs: 10 }, "slidingWindow: option 'limit' must be an integer >= 1, got 0"],
    [{ limit: 2.5, windowMs: 10 }, "option 'limit' must be an integer >= 1, got 2.5"],
    [{ limit: 2, windowMs: 0 }, "option 'windowMs' must be a finite number > 0, got 0"],
    [{ limit: 2 }, "option 'windowMs' must be a finite number > 0, got undefined"],
    [{ limit: 2, windowMs: 10, mode: 'queue' }, "option 'mode' must be one of 'wait', 'reject'"],
  ])('rejects %o', (options, message) => {
    expect(() => slidingWindow(options as never)).toThrow(InvalidOptionError);
    expect(() => slidingWindow(options as never)).toThrow(message);
  });
});
