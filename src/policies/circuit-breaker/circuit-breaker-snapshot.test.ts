import { describe, expect, it } from 'vitest';
import { VirtualClock, isCircuitOpenError, isInvalidOptionError } from '../../core/index.ts';
import {
  circuitBreaker,
  consecutiveFailures,
  countWindow,
  timeWindow,
  type BreakingStrategy,
  type CircuitBreaker,
  type CircuitBreakerSnapshotInput,
} from './index.ts';
import type { ScheduleInput } from '../../schedule/index.ts';

const boom = new Error('upstream 503');

async function run(breaker: CircuitBreaker, outcomes: string): Promise<void> {
  for (const o of outcomes) {
    await breaker.execute(() => (o === 'f' ? Promise.reject(boom) : 'ok')).catch(() => undefined);
  }
}

function roundTrip(breaker: CircuitBreaker): unknown {
  return JSON.parse(JSON.stringify(breaker)) as unknown;
}

describe('circuit breaker snapshots', () => {
  it('writes the documented JSON', async () => {
    const clock = new VirtualClock({ start: 1_000 });
    const breaker = circuitBreaker({ clock });
    await run(breaker, 'fffff');
    expect(roundTrip(breaker)).toEqual({
      state: 'open',
      failureCount: 5,
      lastFailure: { at: 1_000, message: 'upstream 503' },
      tripCount: 1,
      lastTrip: { at: 1_000, reason: 'consecutive-failures' },
      openUntil: 61_000,
      strategy: { kind: 'consecutive-failures' },
    });
    expect(circuitBreaker({ clock }).toJSON()).toEqual({
      state: 'closed',
      failureCount: 0,
      lastFailure: null,
      tripCount: 0,
      lastTrip: null,
      openUntil: null,
      strategy: { kind: 'consecutive-failures' },
    });
  });

  const strategies: [string, () => BreakingStrategy, string][] = [
    ['consecutive failures', () => consecutiveFailures({ threshold: 4 }), 'fsfff'],
    ['count window', () => countWindow({ size: 5, minimumThroughput: 5 }), 'sfsssf'],
    ['time window', () => timeWindow({ durationMs: 10_000, minimumThroughput: 20 }), 'fsfsf'],
  ];

  it.each(strategies)('round-trips a closed %s breaker', async (_, make, outcomes) => {
    const clock = new VirtualClock();
    const original = circuitBreaker({ clock, strategy: make() });
    for (const o of outcomes) {
      await run(original, o);
      await clock.advance(700);
    }
    expect(original.state).toBe('closed');
    const json = roundTrip(original);
    const copy = circuitBreaker({
      clock,
      strategy: make(),
      initialState: json as CircuitBreakerSnapshotInput,
    });
    expect(copy.toJSON()).toEqual(original.toJSON());
    // Both go on identically.
    await run(original, 'ff');
    await run(copy, 'ff');
    expect(copy.toJSON()).toEqual(original.toJSON());
  });

  it('restores an open breaker that opens on time and keeps its growing timeout', async () => {
    const clock = new VirtualClock();
    const timeout = ({ attempt }: ScheduleInput): number => 1_000 * attempt;
    const original = circuitBreaker({
      clock,
      resetTimeout: timeout,
      strategy: consecutiveFailures({ threshold: 1 }),
    });
    await run(original, 'f');
    await clock.advance(1_000);
    await run(original, 'f'); // probe fails: trip 2, open for 2 s
    await clock.advance(500);
    const saved = roundTrip(original) as CircuitBreakerSnapshotInput;
    expect(saved).toMatchObject({ state: 'open', tripCount: 2, openUntil: 3_000 });

    const restored = circuitBreaker({ clock, resetTimeout: timeout, initialState: saved });
    const error: unknown = await restored.execute(() => 1).catch((e: unknown) => e);
    expect(isCircuitOpenError(error) && error.retryAfterMs).toBe(1_500);
    await clock.advance(1_500);
    expect(restored.state).toBe('half-open');
    await run(restored, 'f');
    expect(restored.toJSON()).toMatchObject({ state: 'open', tripCount: 3, openUntil: 6_000 });
  });

  it('restore() replaces the state of a live breaker', async () => {
    const clock = new VirtualClock();
    const breaker = circuitBreaker({ clock, strategy: consecutiveFailures({ threshold: 1 }) });
    const changes: string[] = [];
    breaker.onStateChange((e) => changes.push(`${e.from}->${e.to}`));
    const inFlight = Promise.withResolvers<string>();
    const running = breaker.execute(() => inFlight.promise);
    breaker.restore({ state: 'open', openUntil: 5_000 });
    expect(breaker.toJSON()).toMatchObject({ state: 'open', tripCount: 1, openUntil: 5_000 });
    inFlight.reject(boom); // finishes while open: not counted
    await expect(running).rejects.toBe(boom);
    expect(breaker.toJSON()).toMatchObject({ state: 'open', tripCount: 1, lastFailure: null });
    breaker.restore({ state: 'closed' });
    expect(breaker.state).toBe('closed');
    breaker.restore({ state: 'half-open', tripCount: 2 });
    expect(breaker.state).toBe('half-open');
    await run(breaker, 's');
    expect(breaker.state).toBe('closed');
    breaker.restore({ state: 'isolated' });
    expect(breaker.state).toBe('isolated');
    breaker.close();
    expect(changes).toEqual([
      'closed->open',
      'open->closed',
      'closed->half-open',
      'half-open->closed',
      'closed->isolated',
      'isolated->closed',
    ]);
  });

  const invalid: [string, unknown, RegExp][] = [
    ['not an object', 'open', /option 'initialState' must be an object, got "open"/],
    ['an array', [], /option 'initialState' must be an object, got an array/],
    [
      'an unknown state',
      { state: 'opened' },
      /'initialState.state' must be one of 'closed', 'open', 'half-open', 'isolated', got "opened"/,
    ],
    [
      'a negative tripCount',
      { state: 'closed', tripCount: -1 },
      /'initialState.tripCount' must be an integer >= 0, got -1/,
    ],
    [
      'an open state with tripCount 0',
      { state: 'open', tripCount: 0, openUntil: 5 },
      /'initialState.tripCount' must be an integer >= 1, got 0/,
    ],
    [
      'an open state without openUntil',
      { state: 'open' },
      /'initialState.openUntil' must be a finite number \(clock time in ms\), got undefined/,
    ],
    [
      'a fractional failureCount',
      { state: 'closed', failureCount: 1.5 },
      /'initialState.failureCount' must be an integer >= 0, got 1.5/,
    ],
    [
      'a lastFailure without message',
      { state: 'closed', lastFailure: { at: 1 } },
      /'initialState.lastFailure.message' must be a string, got undefined/,
    ],
    [
      'a lastTrip with a bad reason',
      { state: 'closed', lastTrip: { at: 1, reason: 'tired' } },
      /'initialState.lastTrip.reason' must be one of .*got "tired"/,
    ],
    [
      'another kind of strategy',
      { state: 'closed', strategy: { kind: 'count-window' } },
      /'initialState.strategy.kind' must be 'consecutive-failures', the kind of this breaker's strategy, got "count-window"/,
    ],
  ];

  it.each(invalid)('rejects %s with a clear error', (_, snapshot, message) => {
    let error: unknown;
    try {
      circuitBreaker({ initialState: snapshot as CircuitBreakerSnapshotInput });
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^circuitBreaker: /);
    expect((error as Error).message).toMatch(message);
  });

  it('validates window strategy states', () => {
    const make = (strategy: BreakingStrategy, snapshot: unknown) => () =>
      circuitBreaker({ strategy, initialState: snapshot as CircuitBreakerSnapshotInput });
    expect(
      make(countWindow(), { state: 'closed', strategy: { kind: 'count-window', outcomes: 'sxf' } }),
    ).toThrow(
      /'initialState.strategy.outcomes' must be a string of s \(success\), f \(failure\), S \(slow success\), F \(slow failure\), got "sxf"/,
    );
    expect(make(countWindow(), { state: 'closed', failureCount: 3 })).toThrow(
      /'initialState.strategy.outcomes' must be the window's outcomes .* when failureCount is 3/,
    );
    expect(
      make(timeWindow(), {
        state: 'closed',
        strategy: {
          kind: 'time-window',
          buckets: [{ start: 0, calls: 2, failures: 3, slowCalls: 0 }],
        },
      }),
    ).toThrow(/'initialState.strategy.buckets\[0\].failures' must be at most calls \(2\), got 3/);
    expect(
      make(timeWindow(), { state: 'closed', strategy: { kind: 'time-window', buckets: {} } }),
    ).toThrow(/'initialState.strategy.buckets' must be an array, got an object/);
    // A count window that shrank keeps the newest outcomes.
    const shrunk = circuitBreaker({
      strategy: countWindow({ size: 3, minimumThroughput: 3 }),
      initialState: { state: 'closed', strategy: { kind: 'count-window', outcomes: 'ffssf' } },
    });
    expect(shrunk.toJSON()).toMatchObject({ failureCount: 1, strategy: { outcomes: 'ssf' } });
  });

  it('a failed restore() changes nothing, and the strategy can still be used', async () => {
    const clock = new VirtualClock();
    const strategy = countWindow({ size: 4, minimumThroughput: 4 });
    const breaker = circuitBreaker({ clock, strategy });
    await run(breaker, 'sf');
    const before = breaker.toJSON();
    expect(() => {
      breaker.restore({ state: 'open', strategy: { kind: 'count-window', outcomes: 'ff' } });
    }).toThrow(/openUntil/);
    expect(() => {
      breaker.restore({ state: 'closed', strategy: { kind: 'count-window', outcomes: 42 } });
    }).toThrow(/outcomes/);
    expect(breaker.toJSON()).toEqual(before);
    // A breaker that failed to construct did not take its strategy.
    const spare = countWindow();
    expect(() =>
      circuitBreaker({ strategy: spare, initialState: { state: 'x' } as never }),
    ).toThrow(/initialState.state/);
    expect(() => circuitBreaker({ strategy: spare })).not.toThrow();
  });
});
