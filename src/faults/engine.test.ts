import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import { ChaosEngine } from './engine.ts';
import { withChaos } from './with-chaos.ts';

const lookup = withChaos(async (id: number) => ({ id, price: 10 }), {
  operation: 'tool:lookup',
  tool: 'lookup',
});

async function withRetry<T>(fn: () => Promise<T>, attempts: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts) throw error;
    }
  }
}

describe('ChaosEngine', () => {
  it('counts recoveries, failed recoveries and crashes per operation', async () => {
    const engine = new ChaosEngine({
      enabled: true,
      seed: 'e1',
      failureRate: 0.3,
      types: ['network', 'error'],
      killSwitch: false,
    });
    const resilient = await engine.runChaosTest(() => withRetry(() => lookup(1), 5), {
      iterations: 200,
    });
    const fragile = await engine.runChaosTest(() => lookup(1), { iterations: 200 });

    expect(resilient.operations).toBe(200);
    expect(resilient.totalInjections).toBeGreaterThan(40);
    expect(resilient.successfulRecoveries + resilient.failedRecoveries).toBe(
      resilient.totalInjections,
    );
    expect(resilient.recoveryRate).toBeGreaterThanOrEqual(0.9);
    expect(resilient.crashes).toBeLessThanOrEqual(1);
    expect(Object.keys(resilient.injectionsByType).sort()).toEqual(['error', 'network']);
    expect(resilient.injectionsByType.error! + resilient.injectionsByType.network!).toBe(
      resilient.totalInjections,
    );

    // without retries, every injection is a failed recovery and a crash
    expect(fragile.successfulRecoveries).toBe(0);
    expect(fragile.recoveryRate).toBe(0);
    expect(fragile.crashes).toBe(fragile.totalInjections);
    expect(fragile.totalInjections / 200).toBeGreaterThan(0.2);
    expect(fragile.totalInjections / 200).toBeLessThan(0.4);
    expect(fragile.failedOperations[0]).toMatchObject({ crashed: true, injections: 1 });
  });

  it('describes each injection with its fate', async () => {
    const engine = new ChaosEngine({
      enabled: true,
      seed: 'e2',
      faults: [{ kind: 'network', name: 'net', error: 'ECONNREFUSED', probability: 1 }],
      killSwitch: false,
    });
    const result = await engine.runChaosTest(() => lookup(7));
    expect(result.injections).toEqual([
      expect.objectContaining({
        seq: 1,
        fault: 'net',
        kind: 'network',
        operation: 0,
        recovered: false,
        message:
          "network 'net' on tool:lookup: fail Error ECONNREFUSED: connect ECONNREFUSED localhost",
        error: expect.objectContaining({ code: 'ECONNREFUSED' }) as unknown,
      }),
    ]);
  });

  it('a graceful failure (isSuccess false) is a failed recovery but not a crash', async () => {
    const engine = new ChaosEngine({
      enabled: true,
      seed: 'e3',
      faults: [{ kind: 'error', probability: 1 }],
      killSwitch: false,
    });
    const result = await engine.runChaosTest(
      () =>
        lookup(1).then(
          () => 'fresh',
          () => 'cached fallback',
        ),
      { iterations: 3, isSuccess: (answer) => answer === 'fresh' },
    );
    expect(result).toMatchObject({
      totalInjections: 3,
      successfulRecoveries: 0,
      failedRecoveries: 3,
      crashes: 0,
    });
    expect(result.failedOperations.map((f) => f.crashed)).toEqual([false, false, false]);
  });

  it('measures duration on its clock and replays from its seed', async () => {
    const clock = new VirtualClock();
    const engine = new ChaosEngine({
      enabled: true,
      seed: 'e4',
      clock,
      faults: [{ kind: 'latency', ms: 100, jitterMs: 50, probability: 0.5 }],
    });
    const run = (): ReturnType<typeof engine.runChaosTest> =>
      clock.run(engine.runChaosTest(() => lookup(1), { iterations: 10 }));
    const first = await run();
    const second = await run();
    expect(first.durationMs).toBeGreaterThan(0);
    expect(second.durationMs).toBe(first.durationMs);
    expect(second.injections).toEqual(first.injections);
    expect(first.recoveryRate).toBe(1);
  });

  it('reports a kill switch', async () => {
    const engine = new ChaosEngine({
      enabled: true,
      seed: 'e5',
      faults: [{ kind: 'crash', probability: 1 }],
      killSwitch: { errorRate: { minCalls: 3 } },
    });
    const result = await engine.runChaosTest(() => lookup(1), { iterations: 10 });
    expect(result.killSwitch?.trigger).toBe('error-rate');
    expect(result.stopReason).toBe('kill-switch');
    expect(result.totalInjections).toBe(3);
    expect(result.crashes).toBe(3);
  });

  it('aborts: stops and rejects with the reason', async () => {
    const engine = new ChaosEngine({
      enabled: true,
      seed: 'e6',
      faults: [{ kind: 'hang', probability: 1 }],
    });
    const controller = new AbortController();
    const run = engine.runChaosTest(() => lookup(1), { iterations: 5, signal: controller.signal });
    controller.abort(new Error('stop now'));
    await expect(run).rejects.toThrow('stop now');
  });

  it('rejects bad iterations', async () => {
    await expect(new ChaosEngine({}).runChaosTest(() => 1, { iterations: 0 })).rejects.toThrow(
      /option 'iterations' must be an integer >= 1/,
    );
  });
});
