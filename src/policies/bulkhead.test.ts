import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BulkheadRejectedError } from '../core/index.ts';
import {
  InvalidOptionError,
  VirtualClock,
  isBulkheadRejectedError,
  type Clock,
} from '../core/index.ts';
import { bulkhead, type BulkheadRejectEvent } from './bulkhead.ts';

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

/** A function whose completion the test controls. */
function gate<T>(): { fn: () => Promise<T>; open: (value: T) => void; calls: () => number } {
  let calls = 0;
  let resolve: ((value: T) => void) | undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return {
    fn: () => {
      calls++;
      return promise;
    },
    open: (value) => resolve?.(value),
    calls: () => calls,
  };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('bulkhead', () => {
  it('runs up to maxConcurrent calls and rejects the next one without calling it', async () => {
    const clock = new VirtualClock();
    const policy = bulkhead({ maxConcurrent: 2, clock });
    const events: BulkheadRejectEvent[] = [];
    policy.onReject((e) => events.push(e));
    const g = gate<string>();
    const first = track(clock, policy.execute(g.fn));
    const second = track(clock, policy.execute(g.fn));
    expect(policy.executing).toBe(2);
    let thirdCalled = false;
    const third = track(
      clock,
      policy.execute(() => {
        thirdCalled = true;
        return 'no';
      }),
    );
    await flush();
    expect(thirdCalled).toBe(false);
    expect(isBulkheadRejectedError(third.error)).toBe(true);
    const error = third.error as BulkheadRejectedError;
    expect([error.executing, error.queued]).toEqual([2, 0]);
    expect(error.message).toBe('bulkhead: all 2 slots are busy and 0 of 0 queue places taken');
    expect(events).toEqual([{ reason: 'full', executing: 2, queued: 0, key: undefined }]);
    g.open('yes');
    await flush();
    expect([first.value, second.value]).toEqual(['yes', 'yes']);
    expect(policy.executing).toBe(0);
    await expect(policy.execute(() => 'again')).resolves.toBe('again');
  });

  it('frees the slot whatever the outcome: value, rejection, sync throw, sync value', async () => {
    const policy = bulkhead({ maxConcurrent: 1 });
    const boom = new Error('boom');
    await expect(policy.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(policy.executing).toBe(0);
    await expect(
      policy.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(policy.executing).toBe(0);
    await expect(policy.execute(() => 5)).resolves.toBe(5);
    await expect(policy.execute(async () => 6)).resolves.toBe(6);
    expect(policy.executing).toBe(0);
  });

  it('queues the overflow in arrival order and rejects beyond maxQueued', async () => {
    const clock = new VirtualClock();
    const policy = bulkhead({ maxConcurrent: 1, maxQueued: 2, clock });
    const started: string[] = [];
    const job = (name: string, ms: number) => async () => {
      started.push(`${name}@${clock.now()}`);
      await clock.sleep(ms);
      if (name === 'b') throw new Error('b failed');
      return name;
    };
    const a = track(clock, policy.execute(job('a', 10)));
    const b = track(clock, policy.execute(job('b', 20)));
    const c = track(clock, policy.execute(job('c', 30)));
    expect([policy.executing, policy.queued]).toEqual([1, 2]);
    const d = track(clock, policy.execute(job('d', 1)));
    await clock.runUntilIdle();
    expect(started).toEqual(['a@0', 'b@10', 'c@30']);
    expect(a).toEqual({ settledAt: 10, value: 'a' });
    expect((b.error as Error).message).toBe('b failed');
    expect(c).toEqual({ settledAt: 60, value: 'c' });
    expect(d.settledAt).toBe(0);
    expect((d.error as BulkheadRejectedError).queued).toBe(2);
    expect([policy.executing, policy.queued]).toEqual([0, 0]);
  });

  it('rejects calls that wait longer than queueTimeoutMs, with one timer for the queue', async () => {
    const clock = new VirtualClock();
    const policy = bulkhead({ maxConcurrent: 1, maxQueued: 10, queueTimeoutMs: 100, clock });
    const events: BulkheadRejectEvent[] = [];
    policy.onReject((e) => events.push(e));
    const running = track(
      clock,
      policy.execute(() => clock.sleep(130).then(() => 'slow')),
    );
    const waiting: Outcome<string>[] = [];
    for (let i = 0; i < 4; i++) {
      waiting.push(
        track(
          clock,
          policy.execute(() => clock.sleep(5).then(() => `w${i}`)),
        ),
      );
      await clock.advance(20);
    }
    // Queued at 0, 20, 40, 60: two expire (100, 120) before the slot frees at 130.
    expect(clock.pending).toBe(2); // the running sleep and the queue's single timer
    await clock.runUntilIdle();
    expect(running.value).toBe('slow');
    expect(waiting.map((w) => w.settledAt)).toEqual([100, 120, 135, 140]);
    expect(isBulkheadRejectedError(waiting[0]?.error)).toBe(true);
    expect((waiting[0]?.error as Error).message).toBe(
      'bulkhead: no slot came free within the queue timeout of 100 ms',
    );
    expect(waiting.slice(2).map((w) => w.value)).toEqual(['w2', 'w3']);
    expect(events.map((e) => [e.reason, e.executing, e.queued])).toEqual([
      ['queue-timeout', 1, 3],
      ['queue-timeout', 1, 2],
    ]);
    expect(clock.pending).toBe(0);
  });

  it('removes a queued call whose signal aborts and rejects it with the reason', async () => {
    const clock = new VirtualClock();
    const policy = bulkhead({ maxConcurrent: 1, maxQueued: 5, queueTimeoutMs: 1_000, clock });
    const g = gate<string>();
    const running = track(clock, policy.execute(g.fn));
    const caller = new AbortController();
    let abortedCalled = false;
    const aborted = track(
      clock,
      policy.execute(() => {
        abortedCalled = true;
        return 'no';
      }, caller.signal),
    );
    const alsoAborted = track(
      clock,
      policy.execute(() => 'no', caller.signal),
    );
    const next = track(
      clock,
      policy.execute(() => 'next'),
    );
    expect(policy.queued).toBe(3);
    const reason = new Error('user left');
    caller.abort(reason);
    expect(policy.queued).toBe(1);
    await flush();
    expect(aborted.error).toBe(reason);
    expect(alsoAborted.error).toBe(reason);
    g.open('done');
    await flush();
    await flush();
    expect(running.value).toBe('done');
    expect(next.value).toBe('next');
    expect(abortedCalled).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('rejects at once when the caller has already aborted', async () => {
    const policy = bulkhead({ maxConcurrent: 1 });
    const reason = new Error('gone');
    let called = false;
    await expect(policy.execute(() => (called = true), AbortSignal.abort(reason))).rejects.toBe(
      reason,
    );
    expect(called).toBe(false);
    expect(policy.executing).toBe(0);
  });

  it('passes the context through and keeps its attempt', async () => {
    const policy = bulkhead({ maxConcurrent: 1 });
    const signal = new AbortController().signal;
    const context = await policy.execute((c) => c, { signal, attempt: 4 });
    expect(context.signal).toBe(signal);
    expect(context.attempt).toBe(4);
  });

  it('gives each key its own compartment, reported on the parent with the key', async () => {
    const clock = new VirtualClock();
    const tools = bulkhead({ maxConcurrent: 1, clock });
    const events: BulkheadRejectEvent[] = [];
    tools.onReject((e) => events.push(e));
    const own: BulkheadRejectEvent[] = [];
    tools.for('a').onReject((e) => own.push(e));
    expect(tools.for('a')).toBe(tools.for('a'));
    expect(tools.for('a').key).toBe('a');
    expect(tools.key).toBeUndefined();
    const g = gate<number>();
    const a1 = track(clock, tools.for('a').execute(g.fn));
    const b1 = track(clock, tools.for('b').execute(g.fn));
    const a2 = track(clock, tools.for('a').execute(g.fn));
    await flush();
    expect(g.calls()).toBe(2);
    expect(tools.executing).toBe(0);
    expect((a2.error as Error).message).toBe(
      'bulkhead[a]: all 1 slots are busy and 0 of 0 queue places taken',
    );
    expect(events).toEqual([{ reason: 'full', executing: 1, queued: 0, key: 'a' }]);
    expect(own).toEqual(events);
    g.open(1);
    await flush();
    expect([a1.value, b1.value]).toEqual([1, 1]);
  });

  it('property: never exceeds its limits and starts calls in arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 100 }),
            takes: fc.integer({ min: 0, max: 60 }),
            fails: fc.boolean(),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        async (maxConcurrent, maxQueued, calls) => {
          const clock = new VirtualClock();
          const policy = bulkhead({ maxConcurrent, maxQueued, clock });
          let running = 0;
          let peak = 0;
          let peakQueued = 0;
          const admitted: number[] = [];
          const started: number[] = [];
          const settled: boolean[] = calls.map(() => false);
          const refused: number[] = [];
          calls.forEach(({ at, takes, fails }, i) => {
            clock.setTimer(at, () => {
              const full = policy.executing === maxConcurrent && policy.queued === maxQueued;
              if (!full) admitted.push(i);
              policy
                .execute(async () => {
                  started.push(i);
                  running++;
                  peak = Math.max(peak, running);
                  await clock.sleep(takes);
                  running--;
                  if (fails) throw new Error(`${i}`);
                  return i;
                })
                .then(
                  () => (settled[i] = true),
                  (error: unknown) => {
                    settled[i] = true;
                    if (isBulkheadRejectedError(error)) refused.push(i);
                  },
                );
              peakQueued = Math.max(peakQueued, policy.queued);
            });
          });
          await clock.runUntilIdle();
          expect(peak).toBeLessThanOrEqual(maxConcurrent);
          expect(peakQueued).toBeLessThanOrEqual(maxQueued);
          expect(started).toEqual(admitted);
          expect(refused.length + admitted.length).toBe(calls.length);
          expect(settled.every(Boolean)).toBe(true);
          expect([policy.executing, policy.queued]).toEqual([0, 0]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it.each([
    [{ maxConcurrent: 0 }, "bulkhead: option 'maxConcurrent' must be an integer >= 1, got 0"],
    [{ maxConcurrent: 1.5 }, "option 'maxConcurrent' must be an integer >= 1, got 1.5"],
    [{}, "option 'maxConcurrent' must be an integer >= 1, got undefined"],
    [
      { maxConcurrent: 1, maxQueued: -1 },
      "option 'maxQueued' must be an integer >= 0 or Infinity, got -1",
    ],
    [
      { maxConcurrent: 1, queueTimeoutMs: Number.NaN },
      "option 'queueTimeoutMs' must be a finite number > 0, got NaN",
    ],
    [
      { maxConcurrent: 1, queueTimeoutMs: 0 },
      "option 'queueTimeoutMs' must be a finite number > 0",
    ],
  ])('rejects bad options %o', (options, message) => {
    expect(() => bulkhead(options as never)).toThrow(InvalidOptionError);
    expect(() => bulkhead(options as never)).toThrow(message);
  });

  it('accepts an unbounded queue', () => {
    expect(bulkhead({ maxConcurrent: 1, maxQueued: Infinity }).maxQueued).toBe(Infinity);
  });
});
