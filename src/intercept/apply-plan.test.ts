import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import { createChaosScope, type ChaosScope, type FaultSpec } from '../faults/index.ts';
import { applyPlan, applyPlanSync } from './apply-plan.ts';

const site = { operation: 'fs.writeFile', path: '/tmp/x' };

function scopeWith(clock: VirtualClock, ...faults: FaultSpec[]): ChaosScope {
  return createChaosScope({
    enabled: true,
    seed: 'apply',
    clock,
    killSwitch: false,
    faults: faults.map((f, i) => ({ name: `f${i}`, probability: 1, ...f })),
  });
}

function planOf(scope: ChaosScope) {
  const plan = scope.plan(site);
  if (plan === undefined) throw new Error('expected a plan');
  return plan;
}

describe('applyPlan', () => {
  it('waits a delay on the scope clock, then runs the call', async () => {
    const clock = new VirtualClock();
    const scope = scopeWith(clock, { kind: 'latency', ms: 300 });
    const log: string[] = [];
    const work = applyPlan(scope, planOf(scope), {
      run: () => {
        log.push(`run@${clock.now()}`);
        return Promise.resolve('done');
      },
    });
    await clock.advance(299);
    expect(log).toEqual([]);
    await clock.advance(1);
    expect(await work).toBe('done');
    expect(log).toEqual(['run@300']);
  });

  it('a fail never runs the call', async () => {
    const scope = scopeWith(new VirtualClock(), { kind: 'disk', error: 'EROFS' });
    let ran = false;
    const work = applyPlan(scope, planOf(scope), {
      run: () => {
        ran = true;
        return Promise.resolve();
      },
    });
    await expect(work).rejects.toMatchObject({ code: 'EROFS' });
    expect(ran).toBe(false);
  });

  it('a partial write writes the prefix instead of the call, then throws', async () => {
    const scope = scopeWith(new VirtualClock(), {
      kind: 'disk',
      mode: 'partial-write',
      fraction: 0.3,
    });
    const log: string[] = [];
    const work = applyPlan(scope, planOf(scope), {
      run: () => {
        log.push('run');
        return Promise.resolve();
      },
      partial: (fraction) => {
        log.push(`partial ${fraction}`);
        return Promise.resolve();
      },
    });
    await expect(work).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(log).toEqual(['partial 0.3']);
  });

  it('without a partial writer, a partial write runs the call and then throws', async () => {
    const scope = scopeWith(new VirtualClock(), { kind: 'disk', mode: 'partial-write' });
    let ran = false;
    const work = applyPlan(scope, planOf(scope), {
      run: () => {
        ran = true;
        return Promise.resolve();
      },
    });
    await expect(work).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(ran).toBe(true);
  });

  it('an interrupt cuts off a call still running after afterMs, not a quicker one', async () => {
    const clock = new VirtualClock();
    const fault: FaultSpec = { kind: 'network', mode: 'drop', afterMs: 100 };
    const slowScope = scopeWith(clock, fault);
    const slow = applyPlan(slowScope, planOf(slowScope), { run: () => clock.sleep(500) });
    const slowResult = slow.catch((e: unknown) => e);
    const quickScope = scopeWith(clock, fault);
    const quick = applyPlan(quickScope, planOf(quickScope), {
      run: () => clock.sleep(50).then(() => 'quick'),
    });
    await clock.advance(500);
    expect(await quick).toBe('quick');
    expect(await slowResult).toMatchObject({ code: 'ECONNRESET' });
  });

  it('transforms the result through the call transform', async () => {
    const scope = scopeWith(new VirtualClock(), {
      kind: 'corruption',
      mode: 'drop-fields',
      fields: ['a'],
    });
    const value = await applyPlan(scope, planOf(scope), {
      run: () => Promise.resolve({ a: 1, b: 2 }),
      transform: (v, transform) => transform(v) as { a: number; b: number },
    });
    expect(value).toEqual({ b: 2 });
  });

  it('when the scope ends during a delay, the call proceeds and the rest is dropped', async () => {
    const clock = new VirtualClock();
    const scope = scopeWith(clock, { kind: 'latency', ms: 1000 }, { kind: 'disk' });
    const plan = planOf(scope);
    expect(plan.injections.map((i) => i.effect.type)).toEqual(['delay', 'fail']);
    const work = applyPlan(scope, plan, { run: () => Promise.resolve('ran') });
    await clock.advance(10);
    scope.end();
    expect(await work).toBe('ran');
  });
});

describe('applyPlanSync', () => {
  it('skips delays (a sync call cannot wait) and applies the failure', () => {
    const clock = new VirtualClock();
    const scope = scopeWith(clock, { kind: 'latency', ms: 1000 }, { kind: 'disk', error: 'EIO' });
    expect(() => applyPlanSync(scope, planOf(scope), { run: () => 'x' })).toThrow(/EIO/);
    expect(clock.pending).toBe(0);
  });

  it('a hang that times out fails at once', () => {
    const scope = scopeWith(new VirtualClock(), { kind: 'hang', ms: 5000, then: 'timeout' });
    expect(() => applyPlanSync(scope, planOf(scope), { run: () => 'x' })).toThrow(/ETIMEDOUT/);
  });

  it('a hang that continues runs the call', () => {
    const scope = scopeWith(new VirtualClock(), { kind: 'hang', ms: 5000 });
    expect(applyPlanSync(scope, planOf(scope), { run: () => 'x' })).toBe('x');
  });

  it('a partial write writes the prefix, then throws', () => {
    const scope = scopeWith(new VirtualClock(), { kind: 'crash', atProgress: 0.5 });
    const log: number[] = [];
    expect(() =>
      applyPlanSync(scope, planOf(scope), {
        run: () => 'x',
        partial: (fraction) => log.push(fraction),
      }),
    ).toThrow(/crash/i);
    expect(log).toEqual([0.5]);
  });
});
