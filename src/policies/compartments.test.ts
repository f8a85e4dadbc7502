import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  VirtualClock,
  isBulkheadRejectedError,
  isTimeoutError,
} from '../core/index.ts';
import { bulkhead, type BulkheadPolicy } from './bulkhead.ts';
import { compartments } from './compartments.ts';
import { timeout } from './timeout.ts';
import type { Policy, PolicyFunction } from './types.ts';

describe('compartments', () => {
  it('builds one policy per key on first use and keeps it', () => {
    const built: string[] = [];
    const perAgent = compartments((key) => {
      built.push(key);
      return bulkhead({ maxConcurrent: 1 });
    });
    const a = perAgent.for('a');
    expect(perAgent.for('a')).toBe(a);
    perAgent.for('b');
    expect(built).toEqual(['a', 'b']);
    expect(perAgent.size).toBe(2);
    expect([...perAgent.keys()]).toEqual(['a', 'b']);
    expect(perAgent.has('a')).toBe(true);
    expect(perAgent.delete('a')).toBe(true);
    expect(perAgent.delete('a')).toBe(false);
    expect(perAgent.for('a')).not.toBe(a);
    expect(built).toEqual(['a', 'b', 'a']);
    perAgent.clear();
    expect(perAgent.size).toBe(0);
  });

  it('isolates keys: one full compartment does not affect another', async () => {
    const perAgent = compartments<BulkheadPolicy>(() => bulkhead({ maxConcurrent: 1 }));
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const a1 = perAgent.for('a').execute(() => blocked);
    await expect(perAgent.for('a').execute(() => 1)).rejects.toSatisfy(isBulkheadRejectedError);
    await expect(perAgent.for('b').execute(() => 2)).resolves.toBe(2);
    release();
    await a1;
  });

  it('routes execute() by the key function, with a per-key stack of policies', async () => {
    const clock = new VirtualClock();
    let current = 'fast';
    const stacks = compartments(
      (key): Policy => {
        const limit = bulkhead({ maxConcurrent: 1, clock, name: `limit-${key}` });
        const deadline = timeout({ ms: key === 'fast' ? 10 : 100, clock });
        return {
          execute: <T>(fn: PolicyFunction<T>, input?: AbortSignal) =>
            limit.execute((context) => deadline.execute(fn, context), input),
        };
      },
      { key: () => current },
    );
    const slowWork = () => clock.sleep(50).then(() => 'done');
    const fast = stacks.execute(slowWork);
    current = 'slow';
    const slow = stacks.execute(slowWork);
    const results = await clock.run(Promise.allSettled([fast, slow]));
    expect(results[0].status === 'rejected' && isTimeoutError(results[0].reason)).toBe(true);
    expect(results[1]).toEqual({ status: 'fulfilled', value: 'done' });
    expect([...stacks.keys()]).toEqual(['fast', 'slow']);
  });

  it('rejects execute() without a key function, and passes a key function error through', async () => {
    const plain = compartments(() => bulkhead({ maxConcurrent: 1 }));
    await expect(plain.execute(() => 1)).rejects.toThrow(
      "compartments: option 'key' must be a function to call execute()",
    );
    const failing = compartments(() => bulkhead({ maxConcurrent: 1 }), {
      key: () => {
        throw new Error('no agent in scope');
      },
    });
    await expect(failing.execute(() => 1)).rejects.toThrow('no agent in scope');
  });

  it('rejects bad options', () => {
    expect(() => compartments(undefined as never)).toThrow(InvalidOptionError);
    expect(() => compartments(undefined as never)).toThrow(
      "compartments: option 'factory' must be a function, got undefined",
    );
    expect(() => compartments(() => bulkhead({ maxConcurrent: 1 }), { key: 'a' as never })).toThrow(
      'compartments: option \'key\' must be a function, got "a"',
    );
  });
});
