import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import type { KillSwitchEvent } from './kill-switch.ts';
import { ChaosScope } from './scope.ts';

const site = { operation: 'op' };

function settle(p: Promise<unknown>): Promise<boolean> {
  return p.then(
    () => true,
    () => false,
  );
}

describe('kill switch', () => {
  it('trips when the error rate in the window exceeds the threshold, then nothing is injected', async () => {
    const clock = new VirtualClock();
    const scope = new ChaosScope({
      enabled: true,
      seed: 'k',
      clock,
      faults: [{ kind: 'error', probability: 0.8 }],
      killSwitch: { errorRate: { threshold: 0.5, windowMs: 1000, minCalls: 10 } },
    });
    const events: KillSwitchEvent[] = [];
    scope.onKillSwitch((e) => events.push(e));
    const results: boolean[] = [];
    for (let i = 0; i < 40; i++) {
      results.push(await settle(scope.execute(site, () => 'ok')));
      await clock.advance(10);
    }
    expect(scope.killSwitch.tripped).toBe(true);
    expect(scope.killSwitch.trigger).toBe('error-rate');
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toMatch(
      /^error rate \d+(\.\d)?% \(\d+ of \d+ calls in 1000 ms\) exceeded 50%$/,
    );
    const trippedAt = events[0]?.time ?? -1;
    expect(trippedAt).toBeGreaterThanOrEqual(90); // not before minCalls calls
    const injectedAfter = scope.journal.injections.filter((r) => r.time > trippedAt);
    expect(injectedAfter).toEqual([]);
    expect(results.slice(-10)).toEqual(Array(10).fill(true));
    expect(scope.stopped).toMatchObject({ reason: 'kill-switch', trigger: 'error-rate' });
  });

  it('ignores old outcomes outside the window', async () => {
    const clock = new VirtualClock();
    const scope = new ChaosScope({
      enabled: true,
      seed: 'k',
      clock,
      faults: [{ kind: 'error', probability: 1, target: { operation: 'bad' } }],
      killSwitch: { errorRate: { threshold: 0.5, windowMs: 100, minCalls: 4 } },
    });
    for (let i = 0; i < 3; i++) await settle(scope.execute({ operation: 'bad' }, () => 1));
    await clock.advance(100);
    for (let i = 0; i < 4; i++) await settle(scope.execute(site, () => 1));
    expect(scope.killSwitch.tripped).toBe(false);
  });

  it('trips when calls hang unanswered, and releases them', async () => {
    const clock = new VirtualClock();
    const scope = new ChaosScope({
      enabled: true,
      seed: 'k',
      clock,
      faults: [{ kind: 'hang', probability: 1 }],
      killSwitch: { errorRate: false, unresponsiveMs: 30_000 },
    });
    const hung = [scope.execute(site, () => 'a'), scope.execute(site, () => 'b')];
    await expect(clock.run(Promise.all(hung))).resolves.toEqual(['a', 'b']);
    expect(clock.now()).toBe(30_000);
    expect(scope.stopped).toMatchObject({
      reason: 'kill-switch',
      trigger: 'unresponsive',
      detail: '2 call(s) in flight and none completed for 30000 ms (limit 30000 ms)',
    });
    expect(clock.pending).toBe(0);
  });

  it('does not trip while calls keep completing', async () => {
    const clock = new VirtualClock();
    const scope = new ChaosScope({
      enabled: true,
      seed: 'k',
      clock,
      faults: [{ kind: 'latency', ms: 20_000, probability: 1 }],
      killSwitch: { errorRate: false, unresponsiveMs: 30_000 },
    });
    for (let i = 0; i < 5; i++) await clock.run(scope.execute(site, () => i));
    expect(clock.now()).toBe(100_000);
    expect(scope.killSwitch.tripped).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('trips by hand, records why, and restores normal operation for calls in flight', async () => {
    const clock = new VirtualClock();
    const scope = new ChaosScope({
      enabled: true,
      seed: 'k',
      clock,
      faults: [{ kind: 'latency', ms: 60_000, probability: 1 }],
    });
    const events: KillSwitchEvent[] = [];
    scope.onKillSwitch((e) => events.push(e));
    const delayed = scope.execute(site, () => 'done');
    await clock.advance(1000);
    scope.killSwitch.trip('operator pressed the button');
    await expect(delayed).resolves.toBe('done');
    expect(clock.now()).toBe(1000);
    expect(events).toEqual([
      {
        scope: 'chaos',
        seed: 'k',
        time: 1000,
        trigger: 'manual',
        detail: 'operator pressed the button',
      },
    ]);
    expect(scope.plan(site)).toBeUndefined();
    scope.killSwitch.trip('again');
    expect(events).toHaveLength(1);
  });
});
