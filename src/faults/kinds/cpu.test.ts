import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/index.ts';
import { ChaosScope } from '../scope.ts';
import { saturateCpu } from './cpu.ts';

describe('cpu fault', () => {
  it('starts busy worker threads and stops them on release', async () => {
    const load = saturateCpu(1);
    expect(load.workers).toHaveLength(1);
    const worker = load.workers[0];
    await new Promise<void>((resolve) =>
      worker?.once('online', () => {
        resolve();
      }),
    );
    load.release();
    expect(load.workers).toHaveLength(0);
    await load.stopped;
  });

  it('holds the load for durationMs on the scope clock, then releases it', async () => {
    const clock = new VirtualClock();
    const scope = new ChaosScope({
      enabled: true,
      seed: 1,
      clock,
      killSwitch: false,
      faults: [{ kind: 'cpu', workers: 1, durationMs: 50, probability: 1 }],
    });
    await expect(scope.execute({ operation: 'x' }, () => 'ran')).resolves.toBe('ran');
    const effect = scope.plan({ operation: 'x' });
    expect(effect).toBeUndefined(); // still held: no second load
    expect(clock.pending).toBe(1);
    await clock.advance(50);
    expect(clock.pending).toBe(0);
    expect(scope.journal.injections[0]?.effect).toEqual({
      type: 'pressure',
      ms: 50,
      description: 'cpu × 1',
    });
  });
});
