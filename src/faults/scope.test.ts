import { describe, expect, it } from 'vitest';
import { VirtualClock, isInjectedFault, injectedFaultInfo } from '../core/index.ts';
import { ChaosScope } from './scope.ts';
import { createFault } from './registry.ts';
import type { InjectionRecord } from './journal.ts';

const site = { operation: 'tool:search', tool: 'search' };

function scopeWith(
  faults: unknown[],
  extra: Record<string, unknown> = {},
  clock = new VirtualClock(),
) {
  return new ChaosScope({
    enabled: true,
    seed: 'test',
    clock,
    killSwitch: false,
    faults: faults as never,
    ...extra,
  });
}

describe('ChaosScope', () => {
  it('does nothing when not enabled', async () => {
    const scope = new ChaosScope({ seed: 1, faults: [{ kind: 'crash', probability: 1 }] });
    expect(scope.active).toBe(false);
    expect(scope.plan(site)).toBeUndefined();
    await expect(scope.execute(site, () => 42)).resolves.toBe(42);
    expect(scope.journal.injections).toHaveLength(0);
  });

  it('fails a call with a marked error carrying fault, kind and seed', async () => {
    const scope = scopeWith([
      { kind: 'error', name: 'llm-down', type: 'unavailable', probability: 1 },
    ]);
    const error: unknown = await scope.execute(site, () => 'ok').catch((e: unknown) => e);
    expect(isInjectedFault(error)).toBe(true);
    expect(injectedFaultInfo(error)).toEqual({ fault: 'llm-down', kind: 'error', seed: 'test' });
    expect((error as { status: number }).status).toBe(503);
    const [record] = scope.journal.injections;
    expect(record).toMatchObject({
      seq: 1,
      time: 0,
      fault: 'llm-down',
      kind: 'error',
      target: { operation: 'tool:search', tool: 'search' },
      effect: {
        type: 'fail',
        error: { name: 'HttpStatusError', code: 'service_unavailable', status: 503 },
      },
      outcome: 'injected',
    });
  });

  it('delays on the virtual clock, then runs the call', async () => {
    const clock = new VirtualClock();
    const scope = scopeWith([{ kind: 'latency', ms: 250, probability: 1 }], {}, clock);
    let ran = -1;
    const result = clock.run(
      scope.execute(site, () => {
        ran = clock.now();
        return 'done';
      }),
    );
    await expect(result).resolves.toBe('done');
    expect(ran).toBe(250);
  });

  it('applies effects in phase order and masks those pre-empted by a failure', async () => {
    const clock = new VirtualClock();
    const scope = scopeWith(
      [
        { kind: 'hallucination', probability: 1 },
        { kind: 'network', probability: 1 },
        { kind: 'latency', ms: 100, probability: 1 },
        { kind: 'crash', probability: 1 },
      ],
      {},
      clock,
    );
    let calls = 0;
    const error: unknown = await clock
      .run(scope.execute(site, () => ++calls))
      .catch((e: unknown) => e);
    expect(calls).toBe(0);
    expect(clock.now()).toBe(100);
    expect((error as { code: string }).code).toBe('ECONNRESET');
    const outcomes = scope.journal.injections.map((r: InjectionRecord) => [
      r.kind,
      r.effect.type,
      r.outcome,
    ]);
    expect(outcomes).toEqual([
      ['latency', 'delay', 'injected'],
      ['network', 'fail', 'injected'],
      ['crash', 'fail', 'masked'],
      ['hallucination', 'transform', 'masked'],
    ]);
  });

  it('stops after its duration, on its clock', async () => {
    const clock = new VirtualClock();
    const scope = scopeWith([{ kind: 'crash', probability: 1 }], { durationMs: 1000 }, clock);
    await expect(scope.execute(site, () => 1)).rejects.toThrow(/injected crash/);
    await clock.advance(999);
    await expect(scope.execute(site, () => 1)).rejects.toThrow(/injected crash/);
    await clock.advance(1);
    await expect(scope.execute(site, () => 1)).resolves.toBe(1);
    expect(scope.stopped).toMatchObject({ reason: 'duration', time: 1000 });
  });

  it('releases a hang when it is ended, and the call proceeds', async () => {
    const clock = new VirtualClock();
    const scope = scopeWith([{ kind: 'hang', probability: 1 }], {}, clock);
    const call = scope.execute(site, () => 'late');
    await clock.advance(60_000);
    scope.end();
    await expect(call).resolves.toBe('late');
    expect(clock.pending).toBe(0);
  });

  it('treats created faults and specs alike', () => {
    const fault = createFault({ kind: 'crash', probability: 1 });
    const scope = scopeWith([fault]);
    expect(scope.plan(site)?.injections[0]?.fault).toBe(fault);
  });
  describe('maxInjections', () => {
    it('applies a fault at most that many times per scope, then lets calls through', async () => {
      const crashOnce = createFault({ kind: 'crash', probability: 1, maxInjections: 1 });
      const scope = scopeWith([crashOnce]);
      await expect(scope.execute(site, () => 1)).rejects.toThrow(/injected crash/);
      await expect(scope.execute(site, () => 2)).resolves.toBe(2);
      await expect(scope.execute(site, () => 3)).resolves.toBe(3);
      expect(scope.journal.injections).toHaveLength(1);
      // A second scope (another run) with the same fault object has its own count.
      const next = scopeWith([crashOnce]);
      await expect(next.execute(site, () => 1)).rejects.toThrow(/injected crash/);
      await expect(next.execute(site, () => 2)).resolves.toBe(2);
    });

    it('counts per fault, and only on matching calls', async () => {
      const scope = scopeWith([
        { kind: 'crash', name: 'twice', probability: 1, maxInjections: 2, target: { tool: 'a' } },
        { kind: 'crash', name: 'always', probability: 1, target: { tool: 'b' } },
      ]);
      const call = (tool: string) =>
        scope
          .execute({ operation: `tool:${tool}`, tool }, () => 'ok')
          .then(
            () => 'ok',
            () => 'crash',
          );
      const outcomes: string[] = [];
      for (const tool of ['b', 'a', 'b', 'a', 'a', 'b', 'a']) outcomes.push(await call(tool));
      expect(outcomes).toEqual(['crash', 'crash', 'crash', 'crash', 'ok', 'crash', 'ok']);
      const byFault = scope.journal.injections.map((r) => r.fault);
      expect(byFault.filter((f) => f === 'twice')).toHaveLength(2);
      expect(byFault.filter((f) => f === 'always')).toHaveLength(3);
    });

    it('does not count a masked injection', async () => {
      const scope = scopeWith([
        { kind: 'error', name: 'first', type: 'unavailable', probability: 1, maxInjections: 1 },
        { kind: 'crash', name: 'masked-once', probability: 1, maxInjections: 1 },
      ]);
      // Call 1: 'first' fails the call, 'masked-once' is masked; call 2: 'masked-once' applies.
      await expect(scope.execute(site, () => 1)).rejects.toMatchObject({ status: 503 });
      await expect(scope.execute(site, () => 1)).rejects.toThrow(/injected crash/);
      await expect(scope.execute(site, () => 1)).resolves.toBe(1);
      expect(scope.journal.injections.map((r) => `${r.fault}:${r.outcome}`)).toEqual([
        'first:injected',
        'masked-once:masked',
        'masked-once:injected',
      ]);
    });

    it('stops drawing once reached, so a later fault of the scope is not shifted', () => {
      const latency = { kind: 'latency', name: 'slow', ms: 5, probability: 0.5 };
      const capped = scopeWith([{ kind: 'crash', probability: 1, maxInjections: 1 }, latency]);
      const free = scopeWith([latency]);
      const pattern = (scope: ChaosScope) =>
        Array.from({ length: 20 }, () =>
          scope.plan(site)?.injections.some((i) => i.fault.name === 'slow') === true ? 1 : 0,
        ).join('');
      expect(pattern(capped)).toBe(pattern(free));
    });
  });
});
