import { describe, expect, expectTypeOf, it } from 'vitest';
import { isInvalidOptionError, VirtualClock } from '../core/index.ts';
import {
  fallback,
  fallbackChain,
  type FallbackEvent,
  type FallbackPolicy,
  type FallbackReport,
} from './fallback.ts';
import type { PolicyContext } from './types.ts';
import { wrap } from './wrap.ts';

const fail = (message: string) => () => Promise.reject(new Error(message));

describe('fallback', () => {
  it('passes a success through without running the fallback', async () => {
    let ran = false;
    const policy = fallback(() => {
      ran = true;
      return 'fallback';
    });
    await expect(policy.execute(() => Promise.resolve('primary'))).resolves.toBe('primary');
    await expect(policy.execute(() => 'sync')).resolves.toBe('sync');
    expect(ran).toBe(false);
  });

  it('answers with a value when the function fails (async or sync throw)', async () => {
    const policy = fallback('cached answer');
    await expect(policy.execute(fail('down'))).resolves.toBe('cached answer');
    await expect(
      policy.execute(() => {
        throw new Error('sync');
      }),
    ).resolves.toBe('cached answer');
  });

  it("calls a handler with the failure and the caller's context", async () => {
    const seen: [unknown, PolicyContext][] = [];
    const policy = fallback((reason: unknown, context: PolicyContext) => {
      seen.push([reason, context]);
      return Promise.resolve(`recovered from ${(reason as Error).message}`);
    });
    const controller = new AbortController();
    await expect(policy.execute(fail('boom'), controller.signal)).resolves.toBe(
      'recovered from boom',
    );
    expect(seen).toHaveLength(1);
    expect((seen[0]![0] as Error).message).toBe('boom');
    expect(seen[0]![1].signal).toBe(controller.signal);
  });

  it("rethrows the handler's own error when the handler fails", async () => {
    const handlerError = new Error('fallback failed too');
    const policy = fallback(() => Promise.reject(handlerError));
    await expect(policy.execute(fail('primary'))).rejects.toBe(handlerError);
  });

  it('tries a chain in order until one answers, recording each reason', async () => {
    const a = new Error('model A down');
    const b = new Error('model B down');
    const errors = [a, b];
    const policy = fallback(
      fallbackChain<string>(
        { name: 'model-b', run: () => Promise.reject(b) },
        function cache() {
          return 'from cache';
        },
        () => 'never reached',
      ),
    );
    const events: FallbackEvent[] = [];
    policy.onFallback((e) => events.push(e));
    const report = await policy.executeWithReport(() => Promise.reject(a));
    expect(report).toEqual({ value: 'from cache', index: 2, name: 'cache', reasons: errors });
    expect(events).toEqual([
      { reason: a, index: 1, name: 'model-b' },
      { reason: b, index: 2, name: 'cache' },
    ]);
    await expect(policy.execute(() => Promise.reject(a))).resolves.toBe('from cache');
  });

  it('rethrows the last alternative error when the whole chain fails', async () => {
    const last = new Error('c');
    const policy = fallback(
      fallbackChain(fail('b'), () => {
        throw last;
      }),
    );
    await expect(policy.execute(fail('a'))).rejects.toBe(last);
  });

  it('names unnamed alternatives by position and reports a primary answer', async () => {
    const policy = fallback(fallbackChain(fail('x'), () => 2));
    expect(await policy.executeWithReport(fail('p'))).toMatchObject({
      index: 2,
      name: 'alternative-2',
    });
    const primary: FallbackReport<number> = await policy.executeWithReport(() => 1);
    expect(primary).toEqual({ value: 1, index: 0, name: 'primary', reasons: [] });
    expect(await fallback(0).executeWithReport(fail('p'))).toMatchObject({ name: 'value' });
  });

  it('falls back only from handled errors, in the primary and in alternatives', async () => {
    const isTransient = (e: unknown) => (e as Error).message.startsWith('transient');
    const policy = fallback(
      fallbackChain(fail('fatal in alternative'), () => 'never'),
      {
        shouldHandle: isTransient,
      },
    );
    await expect(policy.execute(fail('fatal bug'))).rejects.toThrow('fatal bug');
    await expect(policy.execute(fail('transient'))).rejects.toThrow('fatal in alternative');
  });

  it('does not fall back once the caller has aborted', async () => {
    let ran = false;
    const policy = fallback(() => {
      ran = true;
      return 'late';
    });
    const controller = new AbortController();
    const failure = new Error('aborted work');
    const outcome = policy.execute(() => {
      controller.abort();
      return Promise.reject(failure);
    }, controller.signal);
    await expect(outcome).rejects.toBe(failure);
    expect(ran).toBe(false);
  });

  it('composes with wrap as the outermost policy', async () => {
    const clock = new VirtualClock();
    const inner = {
      execute: <T>(fn: (ctx: PolicyContext) => T | PromiseLike<T>) =>
        clock.sleep(10).then(() => fn({ signal: new AbortController().signal, attempt: 1 })),
    };
    const policy = wrap(fallback('degraded'), inner);
    await expect(clock.run(policy.execute(fail('down')))).resolves.toBe('degraded');
  });

  it('infers the answer type', () => {
    expectTypeOf(fallback('x')).toEqualTypeOf<FallbackPolicy<string>>();
    expectTypeOf(fallback(() => Promise.resolve(3))).toEqualTypeOf<FallbackPolicy<number>>();
    expectTypeOf(fallback(7).execute(() => 'a')).toEqualTypeOf<Promise<string | number>>();
  });

  it('rejects bad options', () => {
    const invalid = (make: () => unknown, message: RegExp) => {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect(isInvalidOptionError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    };
    invalid(() => fallbackChain(), /fallbackChain: option 'alternatives' must be at least one/);
    invalid(() => fallbackChain(5 as never), /'alternatives\[0\]' must be a function or/);
    invalid(
      () => fallbackChain({ name: 'x', run: 'nope' as never }),
      /'alternatives\[0\].run' must be a function/,
    );
    invalid(() => fallback(1, { shouldHandle: 1 as never }), /'shouldHandle' must be a function/);
  });
});
