import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAbortError, isInvalidOptionError, VirtualClock } from '../core/index.ts';
import { hedge, type HedgeEvent } from './hedge.ts';
import type { PolicyContext } from './types.ts';

interface Call {
  attempt: number;
  at: number;
  signal: AbortSignal;
}

/** Attempt n sleeps latencies[n-1] ms, then succeeds with `answer n` or fails with `error n`. */
function attempts(clock: VirtualClock, plan: { ms: number; fail?: boolean }[]) {
  const calls: Call[] = [];
  const fn = async ({ attempt, signal }: PolicyContext): Promise<string> => {
    calls.push({ attempt, at: clock.now(), signal });
    const step = plan[attempt - 1]!;
    await clock.sleep(step.ms, signal);
    if (step.fail === true) throw new Error(`error ${attempt}`);
    return `answer ${attempt}`;
  };
  return { fn, calls };
}

describe('hedge', () => {
  it('does nothing more when the first attempt answers within delayMs', async () => {
    const clock = new VirtualClock();
    const policy = hedge({ clock, delayMs: 100 });
    const events: HedgeEvent[] = [];
    policy.onHedge((e) => events.push(e));
    const { fn, calls } = attempts(clock, [{ ms: 60 }]);
    await expect(clock.run(policy.execute(fn))).resolves.toBe('answer 1');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signal.aborted).toBe(false);
    expect(clock.pending).toBe(0);
    expect(events).toEqual([]);
  });

  it('starts a hedge after delayMs; the first success wins and the loser is aborted', async () => {
    const clock = new VirtualClock();
    const policy = hedge({ clock, delayMs: 100 });
    const events: HedgeEvent[] = [];
    policy.onHedge((e) => events.push(e));
    const { fn, calls } = attempts(clock, [{ ms: 1000 }, { ms: 50 }]);
    await expect(clock.run(policy.execute(fn))).resolves.toBe('answer 2');
    expect(clock.now()).toBe(150);
    expect(calls.map((c) => [c.attempt, c.at])).toEqual([
      [1, 0],
      [2, 100],
    ]);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(isAbortError(calls[0]!.signal.reason)).toBe(true);
    expect(calls[1]!.signal.aborted).toBe(false);
    expect(events).toEqual([{ attempt: 2, reason: 'delay' }]);
    expect(clock.pending).toBe(0);
  });

  it('lets the first attempt win if it answers before the hedge', async () => {
    const clock = new VirtualClock();
    const policy = hedge({ clock, delayMs: 100 });
    const { fn, calls } = attempts(clock, [{ ms: 120 }, { ms: 500 }]);
    await expect(clock.run(policy.execute(fn))).resolves.toBe('answer 1');
    expect(clock.now()).toBe(120);
    expect(calls[1]!.signal.aborted).toBe(true);
  });

  it('starts up to maxHedges extra attempts, delayMs apart', async () => {
    const clock = new VirtualClock();
    const policy = hedge({ clock, delayMs: 100, maxHedges: 2 });
    const { fn, calls } = attempts(clock, [{ ms: 1000 }, { ms: 1000 }, { ms: 1000 }]);
    await expect(clock.run(policy.execute(fn))).resolves.toBe('answer 1');
    expect(calls.map((c) => c.at)).toEqual([0, 100, 200]);
    expect(calls.slice(1).every((c) => c.signal.aborted)).toBe(true);
  });

  it('starts the next attempt at once when one fails', async () => {
    const clock = new VirtualClock();
    const policy = hedge({ clock, delayMs: 100 });
    const events: HedgeEvent[] = [];
    policy.onHedge((e) => events.push(e));
    const { fn, calls } = attempts(clock, [{ ms: 30, fail: true }, { ms: 10 }]);
    await expect(clock.run(policy.execute(fn))).resolves.toBe('answer 2');
    expect(calls.map((c) => c.at)).toEqual([0, 30]);
    expect(events).toEqual([{ attempt: 2, reason: 'failure', error: expect.any(Error) as Error }]);
    expect((events[0]!.error as Error).message).toBe('error 1');
  });

  it("rejects with the first attempt's error when every attempt fails", async () => {
    const clock = new VirtualClock();
    const policy = hedge({ clock, delayMs: 100, maxHedges: 2 });
    const { fn, calls } = attempts(clock, [
      { ms: 500, fail: true },
      { ms: 10, fail: true },
      { ms: 10, fail: true },
    ]);
    await expect(clock.run(policy.execute(fn))).rejects.toThrow('error 1');
    expect(calls.map((c) => c.at)).toEqual([0, 100, 110]);
    expect(clock.now()).toBe(500);
  });

  it('rejects at once on a failure shouldHandle refuses, aborting the others', async () => {
    const clock = new VirtualClock();
    const policy = hedge({
      clock,
      delayMs: 100,
      shouldHandle: (e) => (e as Error).message !== 'error 2',
    });
    const { fn, calls } = attempts(clock, [{ ms: 1000 }, { ms: 10, fail: true }]);
    await expect(clock.run(policy.execute(fn))).rejects.toThrow('error 2');
    expect(clock.now()).toBe(110);
    expect(calls[0]!.signal.aborted).toBe(true);
  });

  it('handles a synchronous throw like a failure', async () => {
    const clock = new VirtualClock();
    const policy = hedge({ clock, delayMs: 100 });
    const seen: number[] = [];
    const result = policy.execute(({ attempt }) => {
      seen.push(attempt);
      if (attempt === 1) throw new Error('sync');
      return 'second';
    });
    await expect(result).resolves.toBe('second');
    expect(seen).toEqual([1, 2]);
    expect(clock.pending).toBe(0);
  });

  it('stops promptly when the caller aborts, aborting every attempt', async () => {
    const clock = new VirtualClock();
    const policy = hedge({ clock, delayMs: 100 });
    const controller = new AbortController();
    const { fn, calls } = attempts(clock, [{ ms: 1000 }, { ms: 1000 }]);
    const outcome = policy.execute(fn, controller.signal);
    outcome.catch(() => undefined);
    await clock.advance(150);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(outcome).rejects.toBe(reason);
    expect(calls.every((c) => c.signal.reason === reason)).toBe(true);
    await clock.runUntilIdle();
    expect(clock.now()).toBe(150);
  });

  it('does not start when the caller has already aborted', async () => {
    const policy = hedge({ clock: new VirtualClock(), delayMs: 10 });
    let called = false;
    const outcome = policy.execute(
      () => {
        called = true;
      },
      AbortSignal.abort(new Error('too late')),
    );
    await expect(outcome).rejects.toThrow('too late');
    expect(called).toBe(false);
  });

  it('always picks the attempt that finishes first among those started', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 50 }).map((n) => n * 2), // even delays...
        fc.array(
          fc.integer({ min: 0, max: 200 }).map((n) => n * 2 + 1),
          { minLength: 4, maxLength: 4 },
        ), // ...odd latencies: a launch never ties with a finish
        async (maxHedges, delayMs, latencies) => {
          // Expected: attempt i starts at i × delay unless an earlier one has finished by then.
          const finishes: number[] = [];
          for (let i = 0; i <= maxHedges; i++) {
            const start = i * delayMs;
            if (finishes.length > 0 && Math.min(...finishes) < start) break;
            finishes.push(start + latencies[i]!);
          }
          fc.pre(new Set(finishes).size === finishes.length);
          const winner = finishes.indexOf(Math.min(...finishes)) + 1;

          const clock = new VirtualClock();
          const policy = hedge({ clock, delayMs, maxHedges });
          const { fn, calls } = attempts(
            clock,
            latencies.map((ms) => ({ ms })),
          );
          await expect(clock.run(policy.execute(fn))).resolves.toBe(`answer ${winner}`);
          expect(calls).toHaveLength(finishes.length);
          expect(clock.now()).toBe(Math.min(...finishes));
          for (const call of calls) expect(call.signal.aborted).toBe(call.attempt !== winner);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('rejects bad options', () => {
    const invalid = (options: Parameters<typeof hedge>[0], message: RegExp) => {
      let caught: unknown;
      try {
        hedge(options);
      } catch (error) {
        caught = error;
      }
      expect(isInvalidOptionError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    };
    invalid({ delayMs: -1 }, /hedge: option 'delayMs' must be a finite number >= 0, got -1/);
    invalid({ delayMs: NaN }, /'delayMs'.*NaN/);
    invalid({} as never, /'delayMs'.*undefined/);
    invalid({ delayMs: 10, maxHedges: 0 }, /'maxHedges' must be an integer >= 1, got 0/);
    invalid({ delayMs: 10, shouldHandle: 'x' as never }, /'shouldHandle' must be a function/);
  });
});
