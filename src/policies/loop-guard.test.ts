import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  LoopDetectedError,
  VirtualClock,
  isLoopDetectedError,
} from '../core/index.ts';
import { loopGuard, type LoopDetectedEvent } from './loop-guard.ts';

describe('loopGuard', () => {
  it('refuses the repeat after maxRepeats without calling fn, per key', async () => {
    const clock = new VirtualClock();
    const guard = loopGuard({ maxRepeats: 3, windowMs: 1_000, clock });
    const events: LoopDetectedEvent[] = [];
    guard.onLoopDetected((e) => events.push(e));
    let calls = 0;
    const act = () => ++calls;
    for (let i = 0; i < 3; i++) await guard.run('search:x', act);
    const refused = guard.run('search:x', act);
    await expect(refused).rejects.toBeInstanceOf(LoopDetectedError);
    const error = (await refused.catch((e: unknown) => e)) as LoopDetectedError;
    expect(error.key).toBe('search:x');
    expect(error.repetitions).toBe(4);
    expect(error.message).toBe(
      'loopGuard: action "search:x" repeated 4 times within 1000 ms (at most 3 allowed)',
    );
    expect(calls).toBe(3);
    await expect(guard.run('search:y', act)).resolves.toBe(4);
    expect(events).toEqual([{ key: 'search:x', repetitions: 4, maxRepeats: 3, windowMs: 1_000 }]);
  });

  it('slides its window in virtual time and does not count refused calls', async () => {
    const clock = new VirtualClock();
    const guard = loopGuard({ maxRepeats: 3, windowMs: 1_000, clock });
    const attempt = async (at: number): Promise<boolean> => {
      await clock.advance(at - clock.now());
      return guard.run('k', () => true).catch(() => false);
    };
    const verdicts: [number, boolean][] = [];
    for (const at of [0, 100, 200, 999, 1_000, 1_050, 1_100, 1_199, 1_200]) {
      verdicts.push([at, await attempt(at)]);
    }
    expect(verdicts).toEqual([
      [0, true],
      [100, true],
      [200, true],
      [999, false],
      [1_000, true], // the call at 0 has left; the refusal at 999 was not recorded
      [1_050, false],
      [1_100, true],
      [1_199, false],
      [1_200, true],
    ]);
    expect(guard.count('k')).toBe(3);
  });

  it('counts over the whole run by default (10 repeats) until reset', async () => {
    const clock = new VirtualClock();
    const guard = loopGuard({ clock });
    expect([guard.maxRepeats, guard.windowMs]).toEqual([10, Infinity]);
    for (let i = 0; i < 10; i++) await guard.run('a', () => i);
    await guard.run('b', () => 0);
    await clock.advance(1e9);
    await expect(guard.run('a', () => 0)).rejects.toThrow(
      'loopGuard: action "a" repeated 11 times in this run (at most 10 allowed)',
    );
    guard.reset('a');
    await expect(guard.run('a', () => 'again')).resolves.toBe('again');
    expect(guard.count('b')).toBe(1);
    guard.reset();
    expect(guard.count('a') + guard.count('b')).toBe(0);
  });

  it('counts failed attempts as repeats', async () => {
    const guard = loopGuard({ maxRepeats: 2 });
    const boom = new Error('tool failed');
    const failing = () => Promise.reject(boom);
    await expect(guard.run('t', failing)).rejects.toBe(boom);
    await expect(
      guard.run('t', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(guard.run('t', failing)).rejects.toSatisfy(isLoopDetectedError);
  });

  it('takes the key from the `key` option in execute()', async () => {
    let step = 'plan';
    const guard = loopGuard({ maxRepeats: 1, key: (context) => `${step}#${context.attempt}` });
    await expect(guard.execute(() => 1)).resolves.toBe(1);
    await expect(guard.execute(() => 1)).rejects.toSatisfy(isLoopDetectedError);
    step = 'act';
    await expect(guard.execute(() => 2)).resolves.toBe(2);
    const signal = new AbortController().signal;
    await expect(
      guard.execute((c) => c.signal === signal, { signal, attempt: 1 }),
    ).rejects.toSatisfy(isLoopDetectedError);
    await expect(guard.execute((c) => c.attempt, { signal, attempt: 2 })).resolves.toBe(2);
  });

  it('rejects execute() without a key option, and passes key function errors through', async () => {
    await expect(loopGuard().execute(() => 1)).rejects.toThrow(
      "loopGuard: option 'key' must be a function (context) => string to call execute(); or call run(key, fn)",
    );
    const broken = loopGuard({
      key: () => {
        throw new Error('no step');
      },
    });
    await expect(broken.execute(() => 1)).rejects.toThrow('no step');
  });

  it('protect() keys calls by their arguments, ignoring object key order', async () => {
    const guard = loopGuard({ maxRepeats: 2 });
    const seen: unknown[] = [];
    const search = guard.protect(async (query: { q: string; page?: number }, limit: number) => {
      seen.push([query, limit]);
      return `${query.q}:${limit}`;
    });
    await expect(search({ q: 'x', page: 1 }, 5)).resolves.toBe('x:5');
    await expect(search({ page: 1, q: 'x' }, 5)).resolves.toBe('x:5');
    await expect(search({ q: 'x', page: 1 }, 5)).rejects.toSatisfy(isLoopDetectedError);
    await expect(search({ q: 'x', page: 2 }, 5)).resolves.toBe('x:5');
    await expect(search({ q: 'x', page: 1 }, 6)).resolves.toBe('x:6');
    expect(seen).toHaveLength(4);
    const error = (await search({ q: 'x', page: 1 }, 5).catch(
      (e: unknown) => e,
    )) as LoopDetectedError;
    expect(error.key).toBe('[{"page":1,"q":"x"},5]');
  });

  it('protect() accepts a key function and survives odd arguments', async () => {
    const guard = loopGuard({ maxRepeats: 1 });
    const byTool = guard.protect(
      (tool: string, args: number) => `${tool}${args}`,
      (tool) => tool,
    );
    await byTool('a', 1);
    await expect(byTool('a', 2)).rejects.toSatisfy(isLoopDetectedError);
    const cyclic: Record<string, unknown> = { n: 1n, f: undefined };
    cyclic.self = cyclic;
    const odd = guard.protect((value: unknown) => typeof value);
    await expect(odd(cyclic)).resolves.toBe('object');
    await expect(odd(cyclic)).rejects.toSatisfy(isLoopDetectedError);
  });

  it('offers check() and record() for code that only observes actions', () => {
    const guard = loopGuard({ maxRepeats: 2 });
    expect(guard.record('x')).toBe(1);
    guard.check('x');
    expect(guard.record('x')).toBe(2);
    expect(() => {
      guard.check('x');
    }).toThrow(LoopDetectedError);
    // record() never refuses; it keeps the latest maxRepeats occurrences.
    expect(guard.record('x')).toBe(2);
    expect(guard.count('x')).toBe(2);
  });

  it('property: admits exactly when fewer than maxRepeats admitted repeats are in the window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.record({ gap: fc.nat(120), key: fc.constantFrom('a', 'b', 'c') }), {
          maxLength: 40,
        }),
        async (maxRepeats, windowMs, steps) => {
          const clock = new VirtualClock();
          const guard = loopGuard({ maxRepeats, windowMs, clock });
          const admitted: { at: number; key: string }[] = [];
          for (const { gap, key } of steps) {
            await clock.advance(gap);
            const now = clock.now();
            const recent = admitted.filter((a) => a.key === key && a.at > now - windowMs).length;
            const ok = await guard.run(key, () => true).catch(() => false);
            expect(ok).toBe(recent < maxRepeats);
            if (ok) admitted.push({ at: now, key });
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each([
    [{ maxRepeats: 0 }, "loopGuard: option 'maxRepeats' must be an integer >= 1, got 0"],
    [{ maxRepeats: 2.5 }, "option 'maxRepeats' must be an integer >= 1, got 2.5"],
    [{ windowMs: 0 }, "option 'windowMs' must be a finite number > 0, got 0"],
    [{ windowMs: Number.NaN }, "option 'windowMs' must be a finite number > 0, got NaN"],
    [{ key: 'step' }, 'loopGuard: option \'key\' must be a function, got "step"'],
  ])('rejects bad options %o', (options, message) => {
    expect(() => loopGuard(options as never)).toThrow(InvalidOptionError);
    expect(() => loopGuard(options as never)).toThrow(message);
  });
});
