import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock, faultlineChannel, type ChannelMessage } from '../core/index.ts';
import { chaos } from './chaos.ts';
import type { InjectionRecord } from './journal.ts';
import type { KillSwitchEvent } from './kill-switch.ts';
import { reportProgress } from './progress.ts';
import type { ChaosScope } from './scope.ts';
import { withChaos } from './with-chaos.ts';

type Step =
  | { readonly t: 'call'; readonly op: number; readonly wait: boolean }
  | { readonly t: 'advance'; readonly ms: number }
  | { readonly t: 'leak'; readonly op: number; readonly ms: number }
  | { readonly t: 'trip' };

const ops = ['a', 'b', 'c'] as const;
const calls = ops.map((op) =>
  withChaos(
    async () => {
      await Promise.resolve();
      reportProgress(0.5);
      return { op, total: 12, items: [1, 2, 3] };
    },
    { operation: op, url: `https://${op}.example.com/x` },
  ),
);

const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined });
const chance = fc.integer({ min: 0, max: 20 }).map((x) => x / 20);
const ms = (max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max });

const faultArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ kind: fc.constant('crash'), atProgress: opt(fc.constantFrom(0, 0.25, 0.5, 1)) }),
  fc.record({ kind: fc.constant('latency'), ms: ms(500), jitterMs: opt(ms(100)) }),
  fc.record({
    kind: fc.constant('hang'),
    ms: ms(2000),
    then: fc.constantFrom('continue', 'timeout'),
  }),
  fc.record({
    kind: fc.constant('error'),
    type: fc.constantFrom('rate-limited', 'internal', 'unavailable'),
  }),
  fc.record({
    kind: fc.constant('network'),
    mode: fc.constantFrom('fail', 'drop', 'partition'),
  }),
  fc.record({ kind: fc.constant('corruption') }),
  fc.record({ kind: fc.constant('hallucination') }),
  fc.record({ kind: fc.constant('disk') }),
);

const configArb = fc
  .record({
    seed: fc.integer(),
    failureRate: chance,
    durationMs: opt(ms(3000)),
    faults: fc.array(
      fc.record({
        fault: faultArb,
        probability: opt(chance),
        target: opt(fc.constantFrom('a', 'b', 'c', '*')),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    killSwitch: fc.oneof(
      fc.constant(false as const),
      fc.record({
        errorRate: fc.record({
          threshold: fc.integer({ min: 6, max: 20 }).map((x) => x / 20),
          windowMs: fc.integer({ min: 1, max: 5000 }),
          minCalls: fc.integer({ min: 1, max: 10 }),
        }),
        unresponsiveMs: opt(fc.integer({ min: 1, max: 3000 })),
      }),
    ),
  })
  .map(({ faults, ...rest }) => ({
    ...rest,
    enabled: true,
    faults: faults.map(({ fault, probability, target }, i) => {
      const spec: Record<string, unknown> = { name: `f${i}` };
      for (const [k, v] of Object.entries(fault)) if (v !== undefined) spec[k] = v;
      if (probability !== undefined) spec.probability = probability;
      if (target !== undefined) spec.target = { operation: target };
      return spec;
    }),
  }));

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('call' as const),
      op: fc.integer({ min: 0, max: 2 }),
      wait: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: ms(1500) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('leak' as const),
      op: fc.integer({ min: 0, max: 2 }),
      ms: ms(5000),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'trip' as const }) },
);

const settle = (p: Promise<unknown>): Promise<void> =>
  p.then(
    () => undefined,
    () => undefined,
  );

interface Violation {
  readonly why: string;
  readonly record: InjectionRecord;
}

async function runProgram(
  config: Record<string, unknown>,
  steps: readonly Step[],
): Promise<{ journal: string; violations: Violation[]; injections: number }> {
  const clock = new VirtualClock({ start: 1_000 });
  let phase: 'before' | 'during' | 'after' = 'before';
  let scope: ChaosScope | undefined;
  let tripped = false;
  let injections = 0;
  const violations: Violation[] = [];
  const onInjected = (message: unknown): void => {
    const record = (message as ChannelMessage<InjectionRecord>).event;
    if (record.outcome !== 'injected') return;
    injections++;
    if (phase !== 'during') violations.push({ why: `injected ${phase} the scope`, record });
    if (tripped) violations.push({ why: 'injected after the kill switch', record });
    const duration = config.durationMs as number | undefined;
    if (
      scope !== undefined &&
      duration !== undefined &&
      clock.now() - scope.startedAt >= duration
    ) {
      violations.push({ why: 'injected after the duration', record });
    }
  };
  const onKill = (message: unknown): void => {
    if ((message as ChannelMessage<KillSwitchEvent>).event.seed === scope?.seed) tripped = true;
  };
  const injectedChannel = faultlineChannel('faultline:faults:injected');
  const killChannel = faultlineChannel('faultline:faults:kill-switch');
  injectedChannel.subscribe(onInjected);
  killChannel.subscribe(onKill);
  try {
    await settle(clock.run(calls[0]!()));
    phase = 'during';
    const run = chaos.run({ ...config, clock }, async ({ scope: s }) => {
      scope = s;
      for (const step of steps) {
        switch (step.t) {
          case 'call': {
            const call = settle(calls[step.op]!());
            if (step.wait) await call;
            break;
          }
          case 'advance':
            await clock.sleep(step.ms);
            break;
          case 'leak':
            clock.setTimer(step.ms, () => {
              void settle(calls[step.op]!());
            });
            break;
          case 'trip':
            s.killSwitch.trip('property test');
            break;
        }
      }
    });
    await clock.run(
      run.then(() => {
        phase = 'after';
      }),
    );
    await clock.advance(10_000);
    await clock.runUntilIdle();
    await settle(calls[1]!());
  } finally {
    injectedChannel.unsubscribe(onInjected);
    killChannel.unsubscribe(onKill);
  }
  return { journal: scope?.journal.toJsonLines() ?? '', violations, injections };
}

describe('chaos scope properties', () => {
  it('never injects outside a scope, after its duration or after its kill switch; journals replay byte for byte', async () => {
    let injected = 0;
    let runs = 0;
    let runsWithInjections = 0;
    await fc.assert(
      fc.asyncProperty(
        configArb,
        fc.array(stepArb, { minLength: 1, maxLength: 30, size: 'medium' }),
        async (config, steps) => {
          const first = await runProgram(config, steps);
          expect(first.violations).toEqual([]);
          const second = await runProgram(config, steps);
          expect(second.journal).toBe(first.journal);
          injected += first.injections;
          runs++;
          if (first.injections > 0) runsWithInjections++;
        },
      ),
      { numRuns: 1000 },
    );
    expect(runs).toBe(1000);
    // the property was exercised, not vacuous
    expect(runsWithInjections).toBeGreaterThan(500);
    expect(injected).toBeGreaterThan(1000);
  });
});
