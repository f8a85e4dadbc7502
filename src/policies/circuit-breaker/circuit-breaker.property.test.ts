import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock, isCircuitOpenError } from '../../core/index.ts';
import {
  circuitBreaker,
  consecutiveFailures,
  countWindow,
  timeWindow,
  type CircuitIsolation,
  type CircuitState,
} from './index.ts';

type Op =
  | { kind: 'start' }
  | { kind: 'settle'; pick: number; ok: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'read' }
  | { kind: 'isolate' }
  | { kind: 'release'; pick: number }
  | { kind: 'close' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'start' } as const) },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      pick: fc.nat(),
      ok: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.constantFrom(1, 499, 500, 999, 1_000)),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'read' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'isolate' } as const) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' } as const) },
);

const config = fc.record({
  strategy: fc.constantFrom('consecutive', 'count', 'time'),
  threshold: fc.integer({ min: 1, max: 3 }),
  growing: fc.boolean(),
  halfOpenMaxProbes: fc.integer({ min: 1, max: 3 }),
  halfOpenSuccessesToClose: fc.integer({ min: 1, max: 3 }),
  manual: fc.boolean(),
});

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('circuitBreaker properties', () => {
  it('never runs fn while open or isolated, and never more than halfOpenMaxProbes probes at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        config,
        fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }),
        async (cfg, ops) => {
          const clock = new VirtualClock();
          const strategy =
            cfg.strategy === 'consecutive'
              ? consecutiveFailures({ threshold: cfg.threshold })
              : cfg.strategy === 'count'
                ? countWindow({ size: 4, minimumThroughput: cfg.threshold })
                : timeWindow({ durationMs: 2_000, buckets: 4, minimumThroughput: cfg.threshold });
          const breaker = circuitBreaker({
            clock,
            strategy,
            resetTimeout: cfg.growing ? ({ attempt }) => 500 * attempt : 1_000,
            halfOpenMaxProbes: cfg.halfOpenMaxProbes,
            halfOpenSuccessesToClose: cfg.halfOpenSuccessesToClose,
          });

          // Assertions inside fn or a listener would be caught by the breaker or the emitter, so
          // they are collected and checked after every step.
          const violations: string[] = [];
          const check = (ok: boolean, what: string): void => {
            if (!ok) violations.push(`${what} at ${clock.now()}`);
          };
          // The state as told by the events alone.
          let state = 'closed' as CircuitState;
          let openUntil = Number.NaN;
          let halfOpenPeriod = 0;
          breaker.onStateChange((e) => {
            check(e.from === state, `state change from ${e.from}, but events said ${state}`);
            state = e.to;
            if (e.to === 'half-open') halfOpenPeriod++;
          });
          breaker.onBreak((e) => {
            check(
              state === (e.reason === 'isolated' ? 'isolated' : 'open'),
              `break while ${state}`,
            );
            openUntil = e.at + e.retryAfterMs;
          });

          const running: { period: number; settle: (ok: boolean) => void }[] = [];
          const handles: CircuitIsolation[] = [];
          const outcomes: Promise<unknown>[] = [];

          for (const step of ops) {
            switch (step.kind) {
              case 'start': {
                const stateBefore = state;
                const now = clock.now();
                let ran = false;
                const call = breaker.execute(() => {
                  ran = true;
                  check(state === 'closed' || state === 'half-open', `fn ran while ${state}`);
                  if (state === 'half-open') {
                    check(
                      now >= openUntil,
                      `probe at ${now} before the reset timeout (${openUntil})`,
                    );
                    const probes = running.filter((r) => r.period === halfOpenPeriod).length;
                    check(probes < cfg.halfOpenMaxProbes, `probe ${probes + 1} let through`);
                  }
                  const { promise, resolve, reject } = Promise.withResolvers<string>();
                  running.push({
                    period: state === 'half-open' ? halfOpenPeriod : -1,
                    settle: (ok) => {
                      if (ok) resolve('ok');
                      else reject(new Error('down'));
                    },
                  });
                  return promise;
                });
                const refused = call.then(
                  () => undefined,
                  (error: unknown) => (isCircuitOpenError(error) ? error : undefined),
                );
                outcomes.push(refused);
                if (stateBefore === 'closed') expect(ran).toBe(true);
                if (stateBefore === 'isolated') expect(ran).toBe(false);
                if (stateBefore === 'open' && now < openUntil) {
                  expect(ran).toBe(false);
                  const error = await refused;
                  expect(error?.retryAfterMs).toBe(openUntil - now);
                }
                break;
              }
              case 'settle': {
                if (running.length === 0) break;
                const [call] = running.splice(step.pick % running.length, 1);
                call?.settle(step.ok);
                break;
              }
              case 'advance':
                await clock.advance(step.ms);
                break;
              case 'read':
                expect(breaker.state).toBe(state);
                expect(breaker.toJSON().state).toBe(state);
                break;
              case 'isolate':
                if (!cfg.manual) break;
                handles.push(breaker.isolate());
                expect(state).toBe('isolated');
                break;
              case 'release':
                if (handles.length > 0) handles.splice(step.pick % handles.length, 1)[0]?.release();
                break;
              case 'close':
                if (!cfg.manual) break;
                breaker.close();
                handles.length = 0;
                expect(state).toBe('closed');
                break;
            }
            await flush();
            expect(violations).toEqual([]);
          }
          for (const call of running) call.settle(true);
          await Promise.all(outcomes);
        },
      ),
      { numRuns: 500 },
    );
  });
});
