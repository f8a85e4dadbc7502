import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimeoutError } from '../core/index.ts';
import {
  InvalidOptionError,
  VirtualClock,
  isTimeoutError,
  type Clock,
  type TimerHandle,
} from '../core/index.ts';
import { timeout, type TimeoutEvent } from './timeout.ts';
import type { PolicyContext } from './types.ts';

interface Outcome<T> {
  settledAt: number | undefined;
  value?: T;
  error?: unknown;
}

function track<T>(clock: Clock, promise: Promise<T>): Outcome<T> {
  const outcome: Outcome<T> = { settledAt: undefined };
  promise.then(
    (value) => {
      outcome.settledAt = clock.now();
      outcome.value = value;
    },
    (error: unknown) => {
      outcome.settledAt = clock.now();
      outcome.error = error;
    },
  );
  return outcome;
}

/** A function that never settles on its own but rejects with its signal's reason. */
function listening(context: PolicyContext): Promise<never> {
  const { signal } = context;
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => {
      reject(signal.reason as Error);
    });
  });
}

const never = (): Promise<never> => new Promise(() => {});

describe('timeout (aggressive, the default)', () => {
  it('rejects with TimeoutError exactly at the deadline even if fn ignores its signal', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock });
    expect(policy.strategy).toBe('aggressive');
    const events: TimeoutEvent[] = [];
    policy.onTimeout((e) => events.push(e));
    let seen: AbortSignal | undefined;
    const outcome = track(
      clock,
      policy.execute((context) => {
        seen = context.signal;
        return never();
      }),
    );
    await clock.advance(99);
    expect(outcome.settledAt).toBeUndefined();
    expect(seen?.aborted).toBe(false);
    await clock.advance(1);
    expect(outcome.settledAt).toBe(100);
    expect(isTimeoutError(outcome.error)).toBe(true);
    expect((outcome.error as TimeoutError).timeoutMs).toBe(100);
    expect((outcome.error as TimeoutError).message).toBe('timeout: timed out after 100 ms');
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(outcome.error);
    expect(events).toEqual([{ timeoutMs: 100, strategy: 'aggressive' }]);
    expect(clock.pending).toBe(0);
  });

  it('returns the value of a call that settles in time and leaves no timer behind', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock });
    let timedOut = 0;
    policy.onTimeout(() => timedOut++);
    const outcome = track(
      clock,
      policy.execute(() => clock.sleep(60).then(() => 'done')),
    );
    await clock.advance(60);
    expect(outcome).toEqual({ settledAt: 60, value: 'done' });
    expect(clock.pending).toBe(0);
    await clock.advance(1_000);
    expect(timedOut).toBe(0);
  });

  it("passes fn's own rejection through unchanged", async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock });
    const boom = new Error('boom');
    await expect(policy.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(
      policy.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(policy.execute(() => 7)).resolves.toBe(7);
    expect(clock.pending).toBe(0);
  });

  it('gives a signal first read after the deadline already aborted', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 10, clock });
    let late: AbortSignal | undefined;
    const outcome = track(
      clock,
      policy.execute(async (context) => {
        await clock.sleep(20);
        late = context.signal;
      }),
    );
    await clock.runUntilIdle();
    expect(isTimeoutError(outcome.error)).toBe(true);
    expect(late?.reason).toBe(outcome.error);
  });

  it('ignores what fn does after the deadline (no unhandled rejection)', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 10, clock });
    const outcome = track(
      clock,
      policy.execute(() => clock.sleep(50).then(() => Promise.reject(new Error('late')))),
    );
    await clock.runUntilIdle();
    expect(outcome.settledAt).toBe(10);
    expect(isTimeoutError(outcome.error)).toBe(true);
    expect(clock.now()).toBe(50);
  });

  it("rejects with the caller's reason when the caller aborts first, and aborts fn's signal", async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock });
    let timedOut = 0;
    policy.onTimeout(() => timedOut++);
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const outcome = track(
      clock,
      policy.execute((context) => {
        seen = context.signal;
        return never();
      }, caller.signal),
    );
    await clock.advance(30);
    const reason = new Error('user cancelled');
    caller.abort(reason);
    await clock.advance(0);
    expect(outcome.settledAt).toBe(30);
    expect(outcome.error).toBe(reason);
    expect(seen?.reason).toBe(reason);
    await clock.advance(100);
    expect(timedOut).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('turns a non-Error abort reason into an AbortError', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock });
    const caller = new AbortController();
    const outcome = track(clock, policy.execute(never, caller.signal));
    caller.abort('stop');
    await clock.advance(0);
    expect(outcome.error).toBeInstanceOf(DOMException);
    expect((outcome.error as DOMException).name).toBe('AbortError');
    expect((outcome.error as DOMException).message).toBe('stop');
  });

  it('does not call fn when the caller has already aborted', async () => {
    const clock = new VirtualClock();
    const reason = new Error('gone');
    let calls = 0;
    for (const strategy of ['aggressive', 'cooperative'] as const) {
      const policy = timeout({ ms: 100, clock, strategy });
      await expect(policy.execute(() => ++calls, AbortSignal.abort(reason))).rejects.toBe(reason);
    }
    expect(calls).toBe(0);
  });

  it('aborts every call sharing a caller signal, in call order, with one listener', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock });
    const caller = new AbortController();
    const order: number[] = [];
    const outcomes = [0, 1, 2].map((i) =>
      track(
        clock,
        policy.execute(
          (context) =>
            new Promise((_, reject) => {
              context.signal.addEventListener('abort', () => {
                order.push(i);
                reject(context.signal.reason as Error);
              });
            }),
          caller.signal,
        ),
      ),
    );
    // The middle call settles first: it must leave the shared watch cleanly.
    await clock.advance(10);
    caller.abort(new Error('stop'));
    await clock.advance(0);
    expect(order).toEqual([0, 1, 2]);
    expect(outcomes.map((o) => (o.error as Error).message)).toEqual(['stop', 'stop', 'stop']);
  });

  it('keeps the attempt number of the context it is given', async () => {
    const clock = new VirtualClock();
    const caller = new AbortController();
    for (const strategy of ['aggressive', 'cooperative'] as const) {
      const policy = timeout({ ms: 100, clock, strategy });
      const attempt = await policy.execute((c) => c.attempt, {
        signal: caller.signal,
        attempt: 3,
      });
      expect(attempt).toBe(3);
      expect(await policy.execute((c) => c.attempt)).toBe(1);
    }
  });

  it('accepts a bare number of milliseconds', () => {
    const policy = timeout(250);
    expect(policy.ms).toBe(250);
    expect(policy.strategy).toBe('aggressive');
  });
});

describe('timeout (cooperative)', () => {
  it('creates nothing when fn never reads its signal, and returns even a late value', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock, strategy: 'cooperative' });
    let timedOut = 0;
    policy.onTimeout(() => timedOut++);
    const outcome = track(
      clock,
      policy.execute(() => clock.sleep(300).then(() => 'late')),
    );
    expect(clock.pending).toBe(1); // only fn's own sleep
    await clock.runUntilIdle();
    expect(outcome).toEqual({ settledAt: 300, value: 'late' });
    expect(timedOut).toBe(0);
  });

  it('aborts the signal at the deadline with a TimeoutError and waits for fn', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock, strategy: 'cooperative' });
    const events: TimeoutEvent[] = [];
    policy.onTimeout((e) => events.push(e));
    const outcome = track(clock, policy.execute(listening));
    await clock.advance(99);
    expect(outcome.settledAt).toBeUndefined();
    await clock.advance(1);
    expect(outcome.settledAt).toBe(100);
    expect(isTimeoutError(outcome.error)).toBe(true);
    expect(events).toEqual([{ timeoutMs: 100, strategy: 'cooperative' }]);
    expect(clock.pending).toBe(0);
  });

  it('lets fn return a partial result when its signal aborts', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock, strategy: 'cooperative' });
    const outcome = track(
      clock,
      policy.execute(
        ({ signal }) =>
          new Promise<string>((resolve) => {
            signal.addEventListener('abort', () => {
              // Finishes its cleanup 20 ms later.
              clock.setTimer(20, () => {
                resolve('partial');
              });
            });
          }),
      ),
    );
    await clock.runUntilIdle();
    expect(outcome).toEqual({ settledAt: 120, value: 'partial' });
  });

  it('times a signal read late from the start of the call, not from the read', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock, strategy: 'cooperative' });
    let abortedAt: number | undefined;
    const early = track(
      clock,
      policy.execute(async (context) => {
        await clock.sleep(40);
        context.signal.addEventListener('abort', () => (abortedAt = clock.now()));
        await clock.sleep(1_000);
        return 'ignored the signal';
      }),
    );
    let lateSignal: AbortSignal | undefined;
    const late = track(
      clock,
      policy.execute(async (context) => {
        await clock.sleep(150);
        lateSignal = context.signal;
        return lateSignal.aborted;
      }),
    );
    await clock.runUntilIdle();
    expect(abortedAt).toBe(100);
    expect(early).toEqual({ settledAt: 1_040, value: 'ignored the signal' });
    expect(late).toEqual({ settledAt: 150, value: true });
    expect(isTimeoutError(lateSignal?.reason)).toBe(true);
  });

  it("aborts fn's signal with the caller's reason and stops timing", async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock, strategy: 'cooperative' });
    let timedOut = 0;
    policy.onTimeout(() => timedOut++);
    const caller = new AbortController();
    const outcome = track(clock, policy.execute(listening, caller.signal));
    await clock.advance(10);
    const reason = new Error('cancel');
    caller.abort(reason);
    await clock.advance(0);
    expect(outcome).toEqual({ settledAt: 10, error: reason });
    await clock.advance(200);
    expect(timedOut).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('clears its timer once a call that read its signal settles', async () => {
    const clock = new VirtualClock();
    const policy = timeout({ ms: 100, clock, strategy: 'cooperative' });
    const outcome = track(
      clock,
      policy.execute(async ({ signal }) => {
        await clock.sleep(10, signal);
        return signal.aborted;
      }),
    );
    await clock.advance(10);
    expect(outcome).toEqual({ settledAt: 10, value: false });
    expect(clock.pending).toBe(0);
    const syncRead = await policy.execute(({ signal }) => signal.aborted);
    expect(syncRead).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('works inside an outer timeout: the inner one reads the outer signal lazily', async () => {
    const clock = new VirtualClock();
    const outer = timeout({ ms: 50, clock });
    const inner = timeout({ ms: 500, clock, strategy: 'cooperative' });
    const outcome = track(
      clock,
      outer.execute((context) => inner.execute(listening, context)),
    );
    await clock.runUntilIdle();
    expect(outcome.settledAt).toBe(50);
    expect((outcome.error as TimeoutError).timeoutMs).toBe(50);
  });
});

describe('timeout deadline queue', () => {
  it('times many overlapping calls with a single pending timer', async () => {
    const clock = new VirtualClock();
    const a = timeout({ ms: 100, clock });
    const b = timeout({ ms: 100, clock, name: 'other' });
    const outcomes: Outcome<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      outcomes.push(track(clock, (i % 2 === 0 ? a : b).execute(never)));
      expect(clock.pending).toBe(1);
      await clock.advance(7);
    }
    await clock.runUntilIdle();
    expect(outcomes.map((o) => o.settledAt)).toEqual([
      100, 107, 114, 121, 128, 135, 142, 149, 156, 163,
    ]);
    expect((outcomes[1]?.error as Error).message).toBe('other: timed out after 100 ms');
  });

  it('property: each call times out exactly at start + ms unless fn settles first', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 200 }),
        fc.array(
          fc.record({
            startAt: fc.integer({ min: 0, max: 500 }),
            takes: fc.integer({ min: 0, max: 400 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.constantFrom('aggressive' as const, 'cooperative' as const),
        async (ms, calls, strategy) => {
          const clock = new VirtualClock();
          const policy = timeout({ ms, clock, strategy });
          const outcomes = calls.map(({ startAt, takes }) => {
            const outcome: Outcome<string> = { settledAt: undefined };
            clock.setTimer(startAt, () => {
              const run = policy.execute(async ({ signal }) => {
                await clock.sleep(takes, signal);
                return 'ok';
              });
              run.then(
                () => (outcome.settledAt = clock.now()),
                (error: unknown) => {
                  outcome.settledAt = clock.now();
                  outcome.error = error;
                },
              );
            });
            return outcome;
          });
          await clock.runUntilIdle();
          calls.forEach(({ startAt, takes }, i) => {
            const outcome = outcomes[i];
            // Ties go to whichever timer was created first; skip them.
            if (takes === ms) return;
            if (takes < ms) {
              expect(outcome?.error).toBeUndefined();
              expect(outcome?.settledAt).toBe(startAt + takes);
            } else {
              expect(isTimeoutError(outcome?.error)).toBe(true);
              expect(outcome?.settledAt).toBe(startAt + ms);
            }
          });
          expect(clock.pending).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps a timer that can be unref-ed for the next call instead of clearing it', async () => {
    const virtual = new VirtualClock();
    const log: string[] = [];
    interface Handle {
      inner: TimerHandle;
      ref(): void;
      unref(): void;
    }
    const clock: Clock = {
      now: () => virtual.now(),
      sleep: (ms, signal) => virtual.sleep(ms, signal),
      setTimer(ms, callback) {
        log.push(`set ${ms}`);
        const handle: Handle = {
          inner: virtual.setTimer(ms, callback),
          ref: () => log.push('ref'),
          unref: () => log.push('unref'),
        };
        return handle as unknown as TimerHandle;
      },
      clearTimer(handle) {
        log.push('clear');
        virtual.clearTimer((handle as unknown as Handle).inner);
      },
    };
    const policy = timeout({ ms: 100, clock });
    await policy.execute(() => 1);
    await policy.execute(() => 2);
    await virtual.advance(30);
    await policy.execute(() => 3);
    expect(log).toEqual(['set 100', 'unref', 'ref', 'unref', 'ref', 'unref']);
    // The kept timer fires at 100 with nothing to do; the next call arms a new one.
    await virtual.advance(70);
    const outcome = track(virtual, policy.execute(never));
    await virtual.advance(100);
    expect(outcome.settledAt).toBe(200);
    expect(log.slice(6)).toEqual(['set 100']);
  });
});

describe('timeout options', () => {
  it.each([
    [{ ms: 0 }, "timeout: option 'ms' must be a finite number > 0, got 0"],
    [{ ms: -5 }, "timeout: option 'ms' must be a finite number > 0, got -5"],
    [{ ms: Number.NaN }, "timeout: option 'ms' must be a finite number > 0, got NaN"],
    [{ ms: Infinity }, "timeout: option 'ms' must be a finite number > 0, got Infinity"],
    [
      { ms: 10, strategy: 'eager' },
      "timeout: option 'strategy' must be one of 'aggressive', 'cooperative', got \"eager\"",
    ],
    [{ ms: 10, name: 'llm', strategy: 7 }, "llm: option 'strategy' must be one of"],
  ])('rejects %o', (options, message) => {
    expect(() => timeout(options as never)).toThrow(InvalidOptionError);
    expect(() => timeout(options as never)).toThrow(message);
  });
});
