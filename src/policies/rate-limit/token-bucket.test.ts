import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RateLimitedError } from '../../core/index.ts';
import { InvalidOptionError, VirtualClock, isRateLimitedError } from '../../core/index.ts';
import type { RateLimitPolicy } from './rate-limit-policy.ts';
import { tokenBucket } from './token-bucket.ts';
import type { RateLimitEvent } from './index.ts';

interface Run {
  /** When each call's function started, or `undefined` if it never did. */
  started: (number | undefined)[];
  /** The refusal of each call, if any. */
  errors: unknown[];
}

/** Makes one call per arrival time (in order) and drives the clock until all settle. */
async function arrive(
  clock: VirtualClock,
  policy: RateLimitPolicy,
  arrivals: readonly number[],
  signals: readonly (AbortSignal | undefined)[] = [],
): Promise<Run> {
  const run: Run = {
    started: arrivals.map(() => undefined),
    errors: arrivals.map(() => undefined),
  };
  const settled: Promise<unknown>[] = [];
  arrivals.forEach((at, i) => {
    settled.push(
      new Promise<void>((done) => {
        clock.setTimer(at - clock.now(), () => {
          policy
            .execute(() => {
              run.started[i] = clock.now();
              return i;
            }, signals[i])
            .then(
              () => {
                done();
              },
              (error: unknown) => {
                run.errors[i] = error;
                done();
              },
            );
        });
      }),
    );
  });
  await clock.run(Promise.all(settled));
  return run;
}

const burst = (n: number, at = 0): number[] => Array.from({ length: n }, () => at);

/** Reference model: first-come first-served, each call at the first whole ms with a token. */
function greedy(
  arrivals: readonly number[],
  capacity: number,
  perInterval: number,
  intervalMs: number,
): number[] {
  const full = capacity * intervalMs;
  let credit = full;
  let last = arrivals[0] ?? 0;
  let previous = -Infinity;
  return arrivals.map((arrival) => {
    for (let t = Math.max(arrival, previous); ; t++) {
      const available = Math.min(full, credit + (t - last) * perInterval);
      if (available >= intervalMs) {
        credit = available - intervalMs;
        last = t;
        previous = t;
        return t;
      }
    }
  });
}

describe('tokenBucket, reject mode', () => {
  it('admits exactly the bucket and refuses the rest with the time to the next token', async () => {
    const clock = new VirtualClock();
    const policy = tokenBucket({
      capacity: 5,
      tokensPerInterval: 1,
      intervalMs: 100,
      mode: 'reject',
      clock,
    });
    const events: RateLimitEvent[] = [];
    policy.onRateLimited((e) => events.push(e));
    const first = await arrive(clock, policy, burst(10));
    expect(first.started).toEqual([
      0,
      0,
      0,
      0,
      0,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(first.errors.slice(5).every(isRateLimitedError)).toBe(true);
    expect(first.errors.slice(5).map((e) => (e as RateLimitedError).retryAfterMs)).toEqual(
      burst(5, 100),
    );
    expect((first.errors[5] as Error).message).toBe('tokenBucket: no capacity; retry after 100 ms');
    expect(events).toHaveLength(5);
    expect(events[0]).toEqual({ action: 'rejected', waitMs: 100, queued: 0 });
    // 250 ms later 2.5 tokens have come back: two calls pass, the third needs 50 ms more.
    const second = await arrive(clock, policy, burst(3, 250));
    expect(second.started).toEqual([250, 250, undefined]);
    expect((second.errors[2] as RateLimitedError).retryAfterMs).toBe(50);
  });

  it('never holds more than its capacity, however long it idles', async () => {
    const clock = new VirtualClock();
    const policy = tokenBucket({
      capacity: 3,
      tokensPerInterval: 1,
      intervalMs: 10,
      clock,
      mode: 'reject',
    });
    await arrive(clock, policy, [0]);
    const run = await arrive(clock, policy, burst(6, 60_000));
    expect(run.started.filter((t) => t !== undefined)).toHaveLength(3);
  });

  it('starts with initialTokens and refills tokensPerInterval per second by default', async () => {
    const clock = new VirtualClock();
    const policy = tokenBucket({ capacity: 4, initialTokens: 1, clock, mode: 'reject' });
    const run = await arrive(clock, policy, [0, 0, 250, 250, 500]);
    // 4 tokens per 1000 ms: one token every 250 ms.
    expect(run.started).toEqual([0, undefined, 250, undefined, 500]);
  });
});

describe('tokenBucket, wait mode (the default)', () => {
  it('paces a burst at the refill rate, in arrival order', async () => {
    const clock = new VirtualClock();
    const policy = tokenBucket({ capacity: 5, tokensPerInterval: 1, intervalMs: 100, clock });
    expect(policy.mode).toBe('wait');
    const events: RateLimitEvent[] = [];
    policy.onRateLimited((e) => events.push(e));
    const run = await arrive(clock, policy, burst(10));
    expect(run.started).toEqual([0, 0, 0, 0, 0, 100, 200, 300, 400, 500]);
    expect(run.errors.every((e) => e === undefined)).toBe(true);
    expect(events.map((e) => [e.waitMs, e.queued])).toEqual([
      [100, 0],
      [200, 1],
      [300, 2],
      [400, 3],
      [500, 4],
    ]);
    expect(policy.queued).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('refuses a call whose wait would exceed maxWaitMs, counting the queue ahead', async () => {
    const clock = new VirtualClock();
    const policy = tokenBucket({
      capacity: 5,
      tokensPerInterval: 1,
      intervalMs: 100,
      maxWaitMs: 250,
      clock,
    });
    const run = await arrive(clock, policy, burst(10));
    expect(run.started).toEqual([0, 0, 0, 0, 0, 100, 200, undefined, undefined, undefined]);
    const refused = run.errors.slice(7) as RateLimitedError[];
    expect(refused.map((e) => e.retryAfterMs)).toEqual([300, 300, 300]);
    expect(refused[0]?.message).toBe(
      'tokenBucket: capacity is 300 ms away, more than maxWaitMs (250 ms); retry after 300 ms',
    );
  });

  it('does not let a newcomer overtake a waiting call', async () => {
    const clock = new VirtualClock();
    const policy = tokenBucket({ capacity: 1, tokensPerInterval: 1, intervalMs: 100, clock });
    // The newcomer's timer (at 100) fires before the queue's, when a token is already back.
    const run = await arrive(clock, policy, [100, 0, 0]);
    expect(run.started).toEqual([200, 0, 100]);
  });

  it('drops a waiting call whose signal aborts; the next one moves up', async () => {
    const clock = new VirtualClock();
    const policy = tokenBucket({ capacity: 1, tokensPerInterval: 1, intervalMs: 100, clock });
    const caller = new AbortController();
    const reason = new Error('cancelled');
    clock.setTimer(50, () => {
      caller.abort(reason);
    });
    const run = await arrive(clock, policy, [0, 0, 0], [undefined, caller.signal, undefined]);
    expect(run.started).toEqual([0, undefined, 100]);
    expect(run.errors[1]).toBe(reason);
    expect(policy.queued).toBe(0);
  });

  it('rejects at once, taking no token, when the caller has already aborted', async () => {
    const clock = new VirtualClock();
    const policy = tokenBucket({ capacity: 1, clock });
    const reason = new Error('gone');
    await expect(policy.execute(() => 1, AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(policy.execute(() => 2)).resolves.toBe(2);
  });

  it("passes fn's outcome through (sync throw included) and keeps the context", async () => {
    const clock = new VirtualClock();
    const policy = tokenBucket({ capacity: 3, clock });
    const boom = new Error('boom');
    await expect(
      policy.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(policy.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    const signal = new AbortController().signal;
    await expect(policy.execute((c) => c.attempt, { signal, attempt: 2 })).resolves.toBe(2);
  });

  it('property: admits each call at the earliest time the bucket allows, and no more', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 25 }),
        async (capacity, tokensPerInterval, intervalMs, raw) => {
          const arrivals = raw.sort((a, b) => a - b);
          const clock = new VirtualClock();
          const policy = tokenBucket({ capacity, tokensPerInterval, intervalMs, clock });
          const run = await arrive(clock, policy, arrivals);
          const times = run.started as number[];
          expect(times.every((t, i) => t >= (arrivals[i] as number))).toBe(true);
          for (let i = 0; i < times.length; i++) {
            for (let j = i; j < times.length; j++) {
              const span = (times[j] as number) - (times[i] as number);
              expect(j - i + 1).toBeLessThanOrEqual(
                capacity + Math.floor((span * tokensPerInterval) / intervalMs),
              );
            }
          }
          expect(times).toEqual(greedy(arrivals, capacity, tokensPerInterval, intervalMs));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('tokenBucket options', () => {
  it.each([
    [{ capacity: 0 }, "tokenBucket: option 'capacity' must be an integer >= 1, got 0"],
    [
      { capacity: 2, tokensPerInterval: 0 },
      "option 'tokensPerInterval' must be a finite number > 0, got 0",
    ],
    [{ capacity: 2, intervalMs: -1 }, "option 'intervalMs' must be a finite number > 0, got -1"],
    [
      { capacity: 2, initialTokens: 3 },
      "tokenBucket: option 'initialTokens' must be an integer between 0 and capacity (2), got 3",
    ],
    [{ capacity: 2, mode: 'drop' }, "option 'mode' must be one of 'wait', 'reject', got \"drop\""],
    [{ capacity: 2, maxWaitMs: -5 }, "option 'maxWaitMs' must be a finite number >= 0, got -5"],
    [{ capacity: 2, name: 'llm', intervalMs: Number.NaN }, "llm: option 'intervalMs'"],
  ])('rejects %o', (options, message) => {
    expect(() => tokenBucket(options as never)).toThrow(InvalidOptionError);
    expect(() => tokenBucket(options as never)).toThrow(message);
  });
});
