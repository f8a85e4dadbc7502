import { describe, expect, it } from 'vitest';
import { VirtualClock, isInjectedFault } from '../../core/index.ts';
import { createFault } from '../registry.ts';
import { ChaosScope } from '../scope.ts';
import { allocateBallast } from './memory.ts';

describe('memory fault', () => {
  it('alloc-fail throws what V8 throws, marked as injected', async () => {
    const scope = new ChaosScope({
      enabled: true,
      seed: 1,
      killSwitch: false,
      faults: [{ kind: 'MEMORY', probability: 1 }],
    });
    const error: unknown = await scope
      .execute({ operation: 'embed' }, () => 1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('Array buffer allocation failed');
    expect(isInjectedFault(error)).toBe(true);
  });

  it('a ballast really holds memory outside the heap until released', () => {
    const before = process.memoryUsage().arrayBuffers;
    const ballast = allocateBallast(8);
    expect(ballast.bytes).toBe(8 * 1024 * 1024);
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    ballast.release();
    expect(ballast.bytes).toBe(0);
  });

  it('pressure holds one ballast per fault for durationMs on the scope clock, the call runs', async () => {
    const clock = new VirtualClock();
    const scope = new ChaosScope({
      enabled: true,
      seed: 1,
      clock,
      killSwitch: false,
      faults: [{ kind: 'memory', mode: 'pressure', mib: 2, durationMs: 5000, probability: 1 }],
    });
    await expect(scope.execute({ operation: 'a' }, () => 'ran')).resolves.toBe('ran');
    await expect(scope.execute({ operation: 'a' }, () => 'ran')).resolves.toBe('ran');
    // the second call found the ballast still held: no second one
    expect(scope.journal.injections).toHaveLength(1);
    expect(scope.journal.injections[0]?.effect).toEqual({
      type: 'pressure',
      ms: 5000,
      description: 'memory × 2',
    });
    expect(clock.pending).toBe(1);
    await clock.advance(5000);
    expect(clock.pending).toBe(0);
    await scope.execute({ operation: 'a' }, () => 'ran');
    expect(scope.journal.injections).toHaveLength(2);
    scope.end();
    expect(clock.pending).toBe(0);
  });

  it('validates mib and mode', () => {
    expect(() => createFault({ kind: 'memory', mode: 'pressure', mib: 0 })).toThrow(
      /option 'mib' must be a finite number > 0/,
    );
    expect(() => createFault({ kind: 'memory', mib: 4 })).toThrow(
      /absent unless mode is 'pressure'/,
    );
  });
});
