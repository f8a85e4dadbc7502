import { describe, expect, it } from 'vitest';
import { VirtualClock, isInjectedFault } from '../../core/index.ts';
import { createFault } from '../registry.ts';
import { ChaosScope } from '../scope.ts';

function scope(clock: VirtualClock, spec: Record<string, unknown> = {}): ChaosScope {
  return new ChaosScope({
    enabled: true,
    seed: 1,
    clock,
    killSwitch: false,
    faults: [{ kind: 'hang', probability: 1, ...spec }],
  });
}

describe('hang fault', () => {
  it('never answers until the caller aborts, then rejects with the abort reason', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let ran = false;
    const call = scope(clock).execute(
      { operation: 'llm' },
      () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    clock.setTimer(30_000, () => {
      controller.abort(new Error('timed out after 30 s'));
    });
    await expect(clock.run(call)).rejects.toThrow('timed out after 30 s');
    expect(clock.now()).toBe(30_000);
    expect(ran).toBe(false);
  });

  it('rejects at once with an already-aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(
      scope(new VirtualClock()).execute({ operation: 'x' }, () => 1, { signal: controller.signal }),
    ).rejects.toThrow('gone');
  });

  it('with ms, answers late', async () => {
    const clock = new VirtualClock();
    await expect(
      clock.run(scope(clock, { ms: 5000 }).execute({ operation: 'x' }, () => 'late')),
    ).resolves.toBe('late');
    expect(clock.now()).toBe(5000);
  });

  it("with then: 'timeout', fails with ETIMEDOUT after ms", async () => {
    const clock = new VirtualClock();
    const error: unknown = await clock
      .run(scope(clock, { ms: 2000, then: 'timeout' }).execute({ operation: 'x' }, () => 1))
      .catch((e: unknown) => e);
    expect(clock.now()).toBe(2000);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', syscall: 'read' });
    expect(isInjectedFault(error)).toBe(true);
  });

  it("refuses then: 'timeout' without ms", () => {
    expect(() => createFault({ kind: 'timeout', then: 'timeout' })).toThrow(/option 'then'/);
  });
});
