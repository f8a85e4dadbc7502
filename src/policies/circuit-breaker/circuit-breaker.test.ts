import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import {
  type CircuitOpenError,
  VirtualClock,
  createRandom,
  isCircuitOpenError,
  isInvalidOptionError,
  type Random,
} from '../../core/index.ts';
import { exponential, fullJitter, type ScheduleInput } from '../../schedule/index.ts';
import type { PolicyContext } from '../types.ts';
import { circuitBreaker, consecutiveFailures, countWindow, type CircuitBreaker } from './index.ts';

const boom = new Error('boom');

class CountingClock extends VirtualClock {
  reads = 0;
  override now(): number {
    this.reads++;
    return super.now();
  }
}

/** A call whose outcome the test decides later. */
function pending<T = string>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  return Promise.withResolvers<T>();
}

async function failTimes(breaker: CircuitBreaker, n: number, error: unknown = boom): Promise<void> {
  for (let i = 0; i < n; i++) {
    await expect(breaker.execute(() => Promise.reject(error as Error))).rejects.toBe(error);
  }
}

async function refusal(promise: Promise<unknown>): Promise<CircuitOpenError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isCircuitOpenError(error))
    throw new Error(`expected a CircuitOpenError, got ${String(error)}`);
  return error;
}

/** Records every event of a breaker, in order, as short strings. */
function eventLog(breaker: CircuitBreaker): string[] {
  const log: string[] = [];
  breaker.onStateChange((e) => log.push(`state ${e.from}->${e.to} @${e.at}`));
  breaker.onBreak((e) =>
    log.push(
      `break ${e.reason} failures=${e.failureCount} trips=${e.tripCount} wait=${e.retryAfterMs}`,
    ),
  );
  breaker.onHalfOpen((e) => log.push(`half-open trips=${e.tripCount}`));
  breaker.onReset((e) => log.push(`reset ${e.reason}`));
  breaker.onSuccess((e) => log.push(`success ${e.state}`));
  breaker.onFailure((e) => log.push(`failure ${e.state}`));
  breaker.onRejected((e) => log.push(`rejected ${e.state} ${e.retryAfterMs}`));
  return log;
}

describe('circuitBreaker: the issue scenario', () => {
  it('opens after 5 failures, refuses without calling fn, half-opens after 60 s, lets 1 probe through and closes on success', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({ clock });
    let calls = 0;
    const failing = (): Promise<never> => {
      calls++;
      return Promise.reject(boom);
    };

    for (let i = 0; i < 4; i++) await expect(breaker.execute(failing)).rejects.toBe(boom);
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(failing)).rejects.toBe(boom);
    expect(breaker.state).toBe('open');
    expect(calls).toBe(5);

    for (let i = 0; i < 3; i++) {
      const error = await refusal(breaker.execute(failing));
      expect(error.retryAfterMs).toBe(60_000);
      expect(error.cause).toBe(boom);
    }
    expect(calls).toBe(5);

    await clock.advance(59_999);
    expect((await refusal(breaker.execute(failing))).retryAfterMs).toBe(1);
    expect(breaker.state).toBe('open');
    expect(calls).toBe(5);

    await clock.advance(1);
    expect(breaker.state).toBe('half-open');

    const probe = pending();
    const first = breaker.execute(() => {
      calls++;
      return probe.promise;
    });
    const second = await refusal(breaker.execute(failing));
    expect(second.retryAfterMs).toBe(60_000);
    expect(second.message).toMatch(/half-open/);
    expect(calls).toBe(6);

    probe.resolve('fine');
    await expect(first).resolves.toBe('fine');
    expect(breaker.state).toBe('closed');
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', failureCount: 0, tripCount: 0 });
    await expect(breaker.execute(() => 'through')).resolves.toBe('through');
  });

  it('reopens with tripCount + 1 when the probe fails', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({ clock });
    await failTimes(breaker, 5);
    expect(breaker.toJSON()).toMatchObject({
      state: 'open',
      tripCount: 1,
      openUntil: 60_000,
      lastTrip: { at: 0, reason: 'consecutive-failures' },
    });

    await clock.advance(60_000);
    const probeError = new Error('still down');
    await expect(breaker.execute(() => Promise.reject(probeError))).rejects.toBe(probeError);
    expect(breaker.toJSON()).toMatchObject({
      state: 'open',
      tripCount: 2,
      openUntil: 120_000,
      lastTrip: { at: 60_000, reason: 'half-open-failure' },
      lastFailure: { at: 60_000, message: 'still down' },
    });
    expect((await refusal(breaker.execute(() => 'x'))).retryAfterMs).toBe(60_000);
  });
});

describe('circuitBreaker: closed state', () => {
  it('passes values, non-promise results and the context through', async () => {
    const breaker = circuitBreaker({ clock: new VirtualClock() });
    const controller = new AbortController();
    const context: PolicyContext = { signal: controller.signal, attempt: 3 };
    let seen: PolicyContext | undefined;
    await expect(
      breaker.execute((ctx) => {
        seen = ctx;
        return 42;
      }, context),
    ).resolves.toBe(42);
    expect(seen).toBe(context);
    await expect(breaker.execute(async () => 'async')).resolves.toBe('async');
    await expect(
      breaker.execute(({ signal, attempt }) => [signal.aborted, attempt], controller.signal),
    ).resolves.toEqual([false, 1]);
  });

  it('turns a synchronous throw into a rejection and counts it', async () => {
    const breaker = circuitBreaker({
      clock: new VirtualClock(),
      strategy: consecutiveFailures({ threshold: 2 }),
    });
    const throwing = (): never => {
      throw boom;
    };
    let result: Promise<unknown> | undefined;
    expect(() => (result = breaker.execute(throwing))).not.toThrow();
    await expect(result).rejects.toBe(boom);
    await expect(breaker.execute(throwing)).rejects.toBe(boom);
    expect(breaker.state).toBe('open');
  });

  it('a success resets the consecutive count', async () => {
    const breaker = circuitBreaker({ clock: new VirtualClock() });
    await failTimes(breaker, 4);
    await breaker.execute(() => 'ok');
    await failTimes(breaker, 4);
    expect(breaker.state).toBe('closed');
    expect(breaker.toJSON().failureCount).toBe(4);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('does not read the clock on the consecutive-failures success path', async () => {
    const clock = new CountingClock();
    const breaker = circuitBreaker({ clock });
    for (let i = 0; i < 100; i++) await breaker.execute(() => i);
    await breaker.execute(async () => 'async');
    expect(clock.reads).toBe(0);
    await failTimes(breaker, 1);
    expect(clock.reads).toBeGreaterThan(0);
  });

  it('ignores errors that shouldHandle rejects: neither failure nor success', async () => {
    class ValidationError extends Error {}
    const invalid = new ValidationError('bad input');
    const breaker = circuitBreaker({
      clock: new VirtualClock(),
      strategy: consecutiveFailures({ threshold: 2 }),
      shouldHandle: (error) => !(error instanceof ValidationError),
    });
    await failTimes(breaker, 10, invalid);
    expect(breaker.state).toBe('closed');
    expect(breaker.toJSON().lastFailure).toBeNull();
    await failTimes(breaker, 1);
    await failTimes(breaker, 1, invalid);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it("does not count aborts caused by the caller's signal, and refuses to start an aborted call", async () => {
    const breaker = circuitBreaker({
      clock: new VirtualClock(),
      strategy: consecutiveFailures({ threshold: 1 }),
    });
    const controller = new AbortController();
    const call = pending();
    const running = breaker.execute(() => call.promise, controller.signal);
    controller.abort();
    call.reject(controller.signal.reason);
    await expect(running).rejects.toBe(controller.signal.reason);
    expect(breaker.state).toBe('closed');

    let called = false;
    await expect(
      breaker.execute(() => {
        called = true;
      }, controller.signal),
    ).rejects.toBe(controller.signal.reason);
    expect(called).toBe(false);

    // Another abort, not the caller's, is a failure like any other.
    const foreign = new DOMException('upstream aborted', 'AbortError');
    await expect(
      breaker.execute(() => Promise.reject(foreign), new AbortController().signal),
    ).rejects.toBe(foreign);
    expect(breaker.state).toBe('open');
  });

  it('ignores the outcome of calls that started before the breaker opened', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({ clock });
    const slowFailure = pending();
    const slowSuccess = pending();
    const a = breaker.execute(() => slowFailure.promise);
    const b = breaker.execute(() => slowSuccess.promise);
    await failTimes(breaker, 5);
    const log = eventLog(breaker);
    slowFailure.reject(boom);
    await expect(a).rejects.toBe(boom);
    expect(breaker.toJSON()).toMatchObject({ state: 'open', tripCount: 1, failureCount: 5 });

    await clock.advance(60_000);
    expect(breaker.state).toBe('half-open');
    slowSuccess.resolve('late');
    await expect(b).resolves.toBe('late');
    expect(breaker.state).toBe('half-open');
    expect(log).toEqual(['state open->half-open @60000', 'half-open trips=1']);
  });
});

describe('circuitBreaker: half-open', () => {
  async function halfOpen(
    options: Parameters<typeof circuitBreaker>[0] = {},
  ): Promise<{ breaker: CircuitBreaker; clock: VirtualClock }> {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({
      clock,
      strategy: consecutiveFailures({ threshold: 1 }),
      resetTimeout: 1_000,
      ...options,
    });
    await failTimes(breaker, 1);
    await clock.advance(1_000);
    return { breaker, clock };
  }

  it('lets halfOpenMaxProbes calls through at once and needs halfOpenSuccessesToClose successes', async () => {
    const { breaker } = await halfOpen({ halfOpenMaxProbes: 2, halfOpenSuccessesToClose: 3 });
    const probes = [pending(), pending()];
    const running = probes.map((p) => breaker.execute(() => p.promise));
    expect((await refusal(breaker.execute(() => 'x'))).retryAfterMs).toBe(1_000);

    probes[0]!.resolve('a');
    await running[0];
    expect(breaker.state).toBe('half-open');
    const third = pending();
    const thirdRun = breaker.execute(() => third.promise);
    await refusal(breaker.execute(() => 'x'));

    probes[1]!.resolve('b');
    third.resolve('c');
    await Promise.all([running[1], thirdRun]);
    expect(breaker.state).toBe('closed');
  });

  it('a failed probe reopens at once; the other probes no longer count', async () => {
    const { breaker, clock } = await halfOpen({ halfOpenMaxProbes: 2 });
    const good = pending();
    const bad = pending();
    const goodRun = breaker.execute(() => good.promise);
    const badRun = breaker.execute(() => bad.promise);
    bad.reject(boom);
    await expect(badRun).rejects.toBe(boom);
    expect(breaker.toJSON()).toMatchObject({ state: 'open', tripCount: 2 });
    good.resolve('late');
    await goodRun;
    expect(breaker.state).toBe('open');
    await clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
  });

  it('a probe ending with an ignored error or a caller abort frees its slot', async () => {
    const ignored = new Error('ignored');
    const { breaker } = await halfOpen({ shouldHandle: (e) => e !== ignored });
    await expect(breaker.execute(() => Promise.reject(ignored))).rejects.toBe(ignored);
    expect(breaker.state).toBe('half-open');

    const controller = new AbortController();
    const probe = pending();
    const run = breaker.execute(() => probe.promise, controller.signal);
    await refusal(breaker.execute(() => 'x'));
    controller.abort();
    probe.reject(controller.signal.reason);
    await expect(run).rejects.toBe(controller.signal.reason);
    expect(breaker.state).toBe('half-open');

    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});

describe('circuitBreaker: reset timeout', () => {
  it('grows with repeated trips along a schedule and starts over once closed', async () => {
    const clock = new VirtualClock();
    const inputs: ScheduleInput[] = [];
    const doubling = exponential({ initialDelayMs: 1_000, maxDelayMs: 5_000 });
    const breaker = circuitBreaker({
      clock,
      strategy: consecutiveFailures({ threshold: 1 }),
      resetTimeout: (input) => {
        inputs.push(input);
        return doubling(input);
      },
    });
    const waits: number[] = [];
    breaker.onBreak((e) => waits.push(e.retryAfterMs));

    await failTimes(breaker, 1);
    for (const wait of [1_000, 2_000, 4_000]) {
      await clock.advance(wait - 1);
      expect(breaker.state).toBe('open');
      expect((await refusal(breaker.execute(() => 1))).retryAfterMs).toBe(1);
      await clock.advance(1);
      await failTimes(breaker, 1);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(breaker.toJSON().tripCount).toBe(4);
    expect(
      inputs.map(({ attempt, elapsedMs, nowMs, previousDelayMs, error }) => ({
        attempt,
        elapsedMs,
        nowMs,
        previousDelayMs,
        error,
      })),
    ).toEqual([
      { attempt: 1, elapsedMs: 0, nowMs: 0, previousDelayMs: 0, error: boom },
      { attempt: 2, elapsedMs: 1_000, nowMs: 1_000, previousDelayMs: 1_000, error: boom },
      { attempt: 3, elapsedMs: 3_000, nowMs: 3_000, previousDelayMs: 2_000, error: boom },
      { attempt: 4, elapsedMs: 7_000, nowMs: 7_000, previousDelayMs: 4_000, error: boom },
    ]);

    await clock.advance(5_000);
    await breaker.execute(() => 'ok');
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(waits.at(-1)).toBe(1_000);
    expect(inputs.at(-1)).toMatchObject({ attempt: 1, elapsedMs: 0, previousDelayMs: 0 });
  });

  it("passes the breaker's random to the schedule; jitter replays from the seed", async () => {
    const run = async (seed: number): Promise<number[]> => {
      const clock = new VirtualClock();
      const random = createRandom(seed);
      let received: Random | undefined;
      const jittered = fullJitter(exponential({ initialDelayMs: 10_000 }));
      const breaker = circuitBreaker({
        clock,
        random,
        strategy: consecutiveFailures({ threshold: 1 }),
        resetTimeout: (input) => {
          received = input.random;
          return jittered(input);
        },
      });
      const waits: number[] = [];
      breaker.onBreak((e) => waits.push(e.retryAfterMs));
      for (let i = 0; i < 3; i++) {
        await failTimes(breaker, 1);
        await clock.advance(waits.at(-1) ?? 0);
      }
      expect(received).toBe(random);
      return waits;
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(new Set(first).size).toBe(3);
  });

  it('keeps the previous open period when the schedule runs out or returns a bad delay', async () => {
    const clock = new VirtualClock();
    const delays = [Number.NaN, 2_000, undefined, -5, Infinity, 3_000];
    const breaker = circuitBreaker({
      clock,
      strategy: consecutiveFailures({ threshold: 1 }),
      resetTimeout: () => delays.shift(),
    });
    const waits: number[] = [];
    breaker.onBreak((e) => waits.push(e.retryAfterMs));
    for (let i = 0; i < 6; i++) {
      await failTimes(breaker, 1);
      await clock.advance(waits.at(-1) ?? 0);
    }
    expect(waits).toEqual([60_000, 2_000, 2_000, 2_000, 2_000, 3_000]);
  });

  it('derives half-open lazily, from the state getter too', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({ clock, resetTimeout: 500 });
    await failTimes(breaker, 5);
    const log = eventLog(breaker);
    await clock.advance(10_000);
    expect(log).toEqual([]);
    expect(clock.pending).toBe(0);
    expect(breaker.state).toBe('half-open');
    expect(log).toEqual(['state open->half-open @10000', 'half-open trips=1']);
  });
});

describe('circuitBreaker: isolate and close', () => {
  it('isolate() holds the breaker open until every handle is released', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({ clock });
    const log = eventLog(breaker);
    let calls = 0;
    const first = breaker.isolate();
    const second = breaker.isolate();
    expect(breaker.state).toBe('isolated');
    const error = await refusal(
      breaker.execute(() => {
        calls++;
      }),
    );
    expect(error.retryAfterMs).toBe(0);
    expect(error.message).toMatch(/isolated/);
    await clock.advance(3_600_000);
    expect(breaker.state).toBe('isolated');

    first.release();
    first.release();
    expect(breaker.state).toBe('isolated');
    second[Symbol.dispose]();
    expect(breaker.state).toBe('closed');
    await breaker.execute(() => {
      calls++;
    });
    expect(calls).toBe(1);
    expect(log).toEqual([
      'state closed->isolated @0',
      'break isolated failures=0 trips=0 wait=0',
      'rejected isolated 0',
      'state isolated->closed @3600000',
      'reset released',
      'success closed',
    ]);
  });

  it('close() ends an isolation or an open period by hand and forgets old handles', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({ clock });
    const log = eventLog(breaker);
    await failTimes(breaker, 5);
    breaker.close();
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', failureCount: 0, tripCount: 0 });

    const stale = breaker.isolate();
    breaker.close();
    const current = breaker.isolate();
    stale.release();
    expect(breaker.state).toBe('isolated');
    current.release();
    expect(breaker.state).toBe('closed');
    expect(log.filter((line) => line.startsWith('reset'))).toEqual([
      'reset manual',
      'reset manual',
      'reset released',
    ]);
  });

  it('isolating a half-open breaker voids its probes', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({ clock, strategy: consecutiveFailures({ threshold: 1 }) });
    await failTimes(breaker, 1);
    await clock.advance(60_000);
    const probe = pending();
    const run = breaker.execute(() => probe.promise);
    const handle = breaker.isolate();
    probe.resolve('done');
    await run;
    expect(breaker.state).toBe('isolated');
    handle.release();
    expect(breaker.state).toBe('closed');
  });
});

describe('circuitBreaker: events', () => {
  it('fires state changes before break, half-open and reset, in order', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({ clock, strategy: consecutiveFailures({ threshold: 2 }) });
    const log = eventLog(breaker);
    const errors: unknown[] = [];
    breaker.onBreak((e) => errors.push(e.error));
    await failTimes(breaker, 2);
    await refusal(breaker.execute(() => 1));
    await clock.advance(60_000);
    await breaker.execute(() => 1);
    expect(log).toEqual([
      'failure closed',
      'failure closed',
      'state closed->open @0',
      'break consecutive-failures failures=2 trips=1 wait=60000',
      'rejected open 60000',
      'state open->half-open @60000',
      'half-open trips=1',
      'success half-open',
      'state half-open->closed @60000',
      'reset half-open-success',
    ]);
    expect(errors).toEqual([boom]);
  });

  it('publishes on diagnostics channels with the breaker name as source', async () => {
    const messages: unknown[] = [];
    const listener = (message: unknown): void => {
      messages.push(message);
    };
    diagnostics.subscribe('faultline:policy:circuit-breaker-break', listener);
    try {
      const breaker = circuitBreaker({
        name: 'search-tool',
        clock: new VirtualClock(),
        strategy: consecutiveFailures({ threshold: 1 }),
      });
      await failTimes(breaker, 1);
    } finally {
      diagnostics.unsubscribe('faultline:policy:circuit-breaker-break', listener);
    }
    expect(messages).toEqual([
      {
        source: 'search-tool',
        event: {
          reason: 'consecutive-failures',
          error: boom,
          failureCount: 1,
          tripCount: 1,
          retryAfterMs: 60_000,
          at: 0,
        },
      },
    ]);
  });

  it('stops delivering to a disposed listener', async () => {
    const breaker = circuitBreaker({
      clock: new VirtualClock(),
      strategy: consecutiveFailures({ threshold: 1 }),
    });
    let count = 0;
    const subscription = breaker.onFailure(() => count++);
    await failTimes(breaker, 1);
    subscription.dispose();
    breaker.close();
    await failTimes(breaker, 1);
    expect(count).toBe(1);
  });
});

describe('circuitBreaker: options', () => {
  const bad: [string, () => unknown, RegExp][] = [
    [
      'halfOpenMaxProbes 0',
      () => circuitBreaker({ halfOpenMaxProbes: 0 }),
      /'halfOpenMaxProbes'.*integer >= 1.*got 0/,
    ],
    [
      'halfOpenSuccessesToClose 1.5',
      () => circuitBreaker({ halfOpenSuccessesToClose: 1.5 }),
      /'halfOpenSuccessesToClose'.*integer >= 1.*got 1.5/,
    ],
    ['resetTimeout -1', () => circuitBreaker({ resetTimeout: -1 }), /'resetTimeout'.*>= 0.*got -1/],
    [
      'resetTimeout NaN',
      () => circuitBreaker({ resetTimeout: Number.NaN }),
      /'resetTimeout'.*got NaN/,
    ],
    [
      'resetTimeout string',
      () => circuitBreaker({ resetTimeout: '60s' as unknown as number }),
      /'resetTimeout'.*a function.*got "60s"/,
    ],
    [
      'shouldHandle',
      () => circuitBreaker({ shouldHandle: true as unknown as () => boolean }),
      /'shouldHandle'.*a function.*got true/,
    ],
    [
      'threshold -1',
      () => consecutiveFailures({ threshold: -1 }),
      /consecutiveFailures: option 'threshold'.*integer >= 1.*got -1/,
    ],
    ['threshold 0', () => consecutiveFailures({ threshold: 0 }), /'threshold'.*got 0/],
  ];
  it.each(bad)(
    'rejects %s at construction, naming option, value and what is allowed',
    (_, make, message) => {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(isInvalidOptionError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/^(circuitBreaker|consecutiveFailures): /);
    },
  );

  it('refuses a strategy already used by another breaker', () => {
    const strategy = countWindow();
    circuitBreaker({ strategy });
    expect(() => circuitBreaker({ strategy })).toThrow(
      /'strategy' must be a strategy not already used/,
    );
  });

  it('defaults: consecutive failures 5, reset 60 s, name circuit-breaker', async () => {
    const breaker = circuitBreaker({ clock: new VirtualClock() });
    expect(breaker.name).toBe('circuit-breaker');
    expect(breaker.strategy.kind).toBe('consecutive-failures');
    expect(breaker.strategy.settings).toEqual({ threshold: 5 });
    await failTimes(breaker, 5);
    const error = await refusal(breaker.execute(() => 1));
    expect(error.retryAfterMs).toBe(60_000);
    expect(error.message).toBe("Circuit breaker 'circuit-breaker' is open; retry in 60000 ms");
  });
});
