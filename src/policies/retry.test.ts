import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  createRandom,
  isInvalidOptionError,
  VirtualClock,
} from '../core/index.ts';
import { constant, delayFromError, exponential, fullJitter, upTo } from '../schedule/index.ts';
import { defaultErrorClassifier } from './error-classifier.ts';
import { retry, type RetryEvent, type RetryGiveUpEvent } from './retry.ts';
import { RetryBudget } from './retry-budget.ts';
import type { PolicyContext } from './types.ts';

function setup() {
  return { clock: new VirtualClock(), random: createRandom('retry-test') };
}

/** A function failing with the given errors in turn, then returning 'ok'; records each call. */
function script(clock: VirtualClock, failures: Error[]) {
  const calls: { at: number; attempt: number; signal: AbortSignal }[] = [];
  const fn = (ctx: PolicyContext): Promise<string> => {
    calls.push({ at: clock.now(), attempt: ctx.attempt, signal: ctx.signal });
    const failure = failures[calls.length - 1];
    return failure === undefined ? Promise.resolve('ok') : Promise.reject(failure);
  };
  return { fn, calls };
}

function httpError(status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`HTTP ${status}`), { status, headers });
}

function netError(code = 'ECONNRESET'): Error {
  return Object.assign(new Error(code), { code });
}

describe('retry: first attempt', () => {
  it('returns the value of a first success without timers or extra calls', async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random });
    const { fn, calls } = script(clock, []);
    await expect(policy.execute(fn)).resolves.toBe('ok');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.attempt).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('accepts a synchronous value and a synchronous throw', async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random, schedule: constant(0) });
    await expect(policy.execute(() => 5)).resolves.toBe(5);
    let n = 0;
    const result = await policy.execute(() => {
      if (++n < 3) throw new Error('sync');
      return n;
    });
    expect(result).toBe(3);
  });

  it("passes the caller's signal and numbers attempts from 1 even inside an outer attempt", async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random, schedule: constant(0) });
    const controller = new AbortController();
    const { fn, calls } = script(clock, [new Error('a')]);
    await policy.execute(fn, { signal: controller.signal, attempt: 4 });
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(calls.every((c) => c.signal === controller.signal)).toBe(true);
  });
});

describe('retry: backoff in virtual time', () => {
  it('waits exactly the exponential delays between attempts', async () => {
    const { clock, random } = setup();
    const policy = retry({
      clock,
      random,
      maxAttempts: 5,
      schedule: exponential({ initialDelayMs: 100, maxDelayMs: 350 }),
    });
    const { fn, calls } = script(
      clock,
      [1, 2, 3, 4].map((i) => new Error(`e${i}`)),
    );
    await expect(clock.run(policy.execute(fn))).resolves.toBe('ok');
    expect(calls.map((c) => c.at)).toEqual([0, 100, 300, 650, 1000]);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5]);
  });

  it('emits onRetry with the failed attempt, the delay and the error, in order', async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random, schedule: exponential({ initialDelayMs: 10 }) });
    const events: RetryEvent[] = [];
    policy.onRetry((e) => events.push(e));
    const errors = [new Error('first'), new Error('second')];
    const { fn } = script(clock, errors);
    await clock.run(policy.execute(fn));
    expect(events).toEqual([
      { attempt: 1, delayMs: 10, error: errors[0] },
      { attempt: 2, delayMs: 20, error: errors[1] },
    ]);
  });

  it('gives up after maxAttempts by rethrowing the original last error', async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random, maxAttempts: 3, schedule: constant(1000) });
    const giveUps: RetryGiveUpEvent[] = [];
    policy.onGiveUp((e) => giveUps.push(e));
    const errors = [new Error('1'), new Error('2'), new Error('3'), new Error('never')];
    const { fn, calls } = script(clock, errors);
    const outcome = clock.run(policy.execute(fn));
    await expect(outcome).rejects.toBe(errors[2]);
    expect(calls.map((c) => c.at)).toEqual([0, 1000, 2000]);
    expect(giveUps).toEqual([{ attempts: 3, reason: 'attempts', error: errors[2] }]);
    expect(clock.pending).toBe(0);
  });

  it('retries at once, without a timer, when the delay is 0', async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random, schedule: constant(0) });
    const { fn, calls } = script(clock, [new Error('x')]);
    await expect(policy.execute(fn)).resolves.toBe('ok'); // no clock driving needed
    expect(calls).toHaveLength(2);
  });

  it('stops when the schedule stops, even with maxAttempts Infinity', async () => {
    const { clock, random } = setup();
    const policy = retry({
      clock,
      random,
      maxAttempts: Infinity,
      schedule: upTo({ durationMs: 1000 }, constant(300)),
    });
    const reasons: string[] = [];
    policy.onGiveUp((e) => reasons.push(e.reason));
    const err = new Error('down');
    const outcome = clock.run(policy.execute(() => Promise.reject(err)));
    await expect(outcome).rejects.toBe(err);
    expect(clock.now()).toBe(900);
    expect(reasons).toEqual(['schedule']);
  });

  it('gives the schedule attempt, elapsed time since the first failure and previous delay', async () => {
    const { clock, random } = setup();
    const seen: [number, number, number][] = [];
    const policy = retry({
      clock,
      random,
      maxAttempts: 4,
      schedule: (input) => {
        seen.push([input.attempt, input.elapsedMs, input.previousDelayMs]);
        return 100 * input.attempt;
      },
    });
    let n = 0;
    const fn = async () => {
      n++;
      await clock.sleep(50); // each attempt takes 50 ms
      if (n < 4) throw new Error('slow failure');
      return n;
    };
    await expect(clock.run(policy.execute(fn))).resolves.toBe(4);
    expect(seen).toEqual([
      [1, 0, 0],
      [2, 150, 100],
      [3, 400, 200],
    ]);
  });

  it('is reproducible from the seed when jittered', async () => {
    const delaysFor = async (seed: string) => {
      const clock = new VirtualClock();
      const policy = retry({ clock, random: createRandom(seed), maxAttempts: 6 });
      const delays: number[] = [];
      policy.onRetry((e) => delays.push(e.delayMs));
      await clock.run(policy.execute(() => Promise.reject(new Error('x')))).catch(() => undefined);
      return delays;
    };
    const a = await delaysFor('s1');
    expect(a).toHaveLength(5);
    expect(await delaysFor('s1')).toEqual(a);
    expect(await delaysFor('s2')).not.toEqual(a);
    // default schedule: full jitter over 200, 400, 800, ... ms
    a.forEach((d, i) => {
      expect(d).toBeLessThan(200 * 2 ** i);
    });
  });

  it('makes exactly min(failures + 1, maxAttempts) calls in failures × delay of virtual time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 5000 }),
        async (failures, maxAttempts, delay) => {
          const clock = new VirtualClock();
          const policy = retry({ clock, maxAttempts, schedule: constant(delay) });
          const { fn, calls } = script(
            clock,
            Array.from({ length: failures }, (_, i) => new Error(String(i))),
          );
          const result = await clock.run(policy.execute(fn)).catch((e: unknown) => e);
          const expectedCalls = Math.min(failures + 1, maxAttempts);
          expect(calls).toHaveLength(expectedCalls);
          expect(clock.now()).toBe((expectedCalls - 1) * delay);
          if (failures < maxAttempts) expect(result).toBe('ok');
          else expect((result as Error).message).toBe(String(maxAttempts - 1));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('retry: abort', () => {
  it('stops promptly when the caller aborts during a delay, with the signal reason', async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random, maxAttempts: 5, schedule: constant(10_000) });
    const reasons: string[] = [];
    policy.onGiveUp((e) => reasons.push(e.reason));
    const controller = new AbortController();
    const { fn, calls } = script(clock, [new Error('a'), new Error('b')]);
    const outcome = policy.execute(fn, controller.signal);
    outcome.catch(() => undefined);
    await clock.advance(3000);
    expect(clock.pending).toBe(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(outcome).rejects.toBe(reason);
    expect(clock.now()).toBe(3000);
    expect(clock.pending).toBe(0);
    expect(calls).toHaveLength(1);
    expect(reasons).toEqual(['aborted']);
  });

  it('does not retry a failure once the caller has aborted, and rethrows that failure', async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random, schedule: constant(0) });
    const controller = new AbortController();
    const failure = new Error('fn saw the abort');
    let calls = 0;
    const outcome = policy.execute(() => {
      calls++;
      controller.abort();
      return Promise.reject(failure);
    }, controller.signal);
    await expect(outcome).rejects.toBe(failure);
    expect(calls).toBe(1);
  });
});

describe('retry: what to retry', () => {
  it('does not retry errors shouldRetry refuses', async () => {
    const { clock, random } = setup();
    const fatal = new TypeError('bug');
    const policy = retry({
      clock,
      random,
      schedule: constant(0),
      shouldRetry: (e) => !(e instanceof TypeError),
    });
    const giveUps: RetryGiveUpEvent[] = [];
    policy.onGiveUp((e) => giveUps.push(e));
    const { fn, calls } = script(clock, [new Error('transient'), fatal]);
    await expect(policy.execute(fn)).rejects.toBe(fatal);
    expect(calls).toHaveLength(2);
    expect(giveUps[0]).toMatchObject({ attempts: 2, reason: 'not-retryable' });
  });

  it("does not retry faultline's permanent refusals by default", async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random, schedule: constant(0) });
    const refusal = new BudgetExceededError('out of tokens', {
      budget: 'tokens',
      limit: 10,
      used: 10,
    });
    const { fn, calls } = script(clock, [refusal]);
    await expect(policy.execute(fn)).rejects.toBe(refusal);
    expect(calls).toHaveLength(1);
  });

  it('retries results accepted by retryOnResult, returning the last one when attempts run out', async () => {
    const { clock, random } = setup();
    const policy = retry({
      clock,
      random,
      maxAttempts: 3,
      schedule: constant(100),
      retryOnResult: (r) => (r as { status: number }).status >= 500,
    });
    const events: RetryEvent[] = [];
    const giveUps: RetryGiveUpEvent[] = [];
    policy.onRetry((e) => events.push(e));
    policy.onGiveUp((e) => giveUps.push(e));
    const statuses = [503, 502, 200];
    let i = 0;
    await expect(
      clock.run(policy.execute(() => Promise.resolve({ status: statuses[i++]! }))),
    ).resolves.toEqual({ status: 200 });
    expect(events.map((e) => [e.attempt, e.delayMs, e.error, e.result])).toEqual([
      [1, 100, undefined, { status: 503 }],
      [2, 100, undefined, { status: 502 }],
    ]);
    const always503 = await clock.run(policy.execute(() => ({ status: 503 })));
    expect(always503).toEqual({ status: 503 });
    expect(giveUps).toEqual([
      { attempts: 3, reason: 'attempts', error: undefined, result: { status: 503 } },
    ]);
  });

  it('honours Retry-After on a retried result in virtual time', async () => {
    const { clock, random } = setup();
    const policy = retry({
      clock,
      random,
      retryOnResult: (r) => (r as Response).status === 429,
      schedule: delayFromError({ fallback: constant(1) }),
    });
    const at: number[] = [];
    const fn = () => {
      at.push(clock.now());
      return at.length === 1
        ? new Response(null, { status: 429, headers: { 'Retry-After': '30' } })
        : new Response('fine');
    };
    const response = await clock.run(policy.execute(fn));
    expect(await response.text()).toBe('fine');
    expect(at).toEqual([0, 30_000]);
  });
});

describe('retry: per-class table', () => {
  const table = {
    network: { maxAttempts: 5, schedule: exponential({ initialDelayMs: 100 }) },
    rateLimit: { maxAttempts: 3, schedule: delayFromError({ fallback: constant(60_000) }) },
    validation: { maxAttempts: 2, schedule: constant(0) },
    auth: { maxAttempts: 1 },
    contextLength: { maxAttempts: 1 },
  };

  function classified(clock: VirtualClock) {
    const policy = retry({
      clock,
      random: createRandom(1),
      maxAttempts: 2,
      schedule: constant(7),
      classify: defaultErrorClassifier,
      classes: table,
    });
    const events: RetryEvent[] = [];
    const giveUps: RetryGiveUpEvent[] = [];
    policy.onRetry((e) => events.push(e));
    policy.onGiveUp((e) => giveUps.push(e));
    return { policy, events, giveUps };
  }

  it('gives network errors 5 attempts with exponential backoff', async () => {
    const clock = new VirtualClock();
    const { policy, giveUps } = classified(clock);
    const errors = Array.from({ length: 9 }, () => netError());
    const { fn, calls } = script(clock, errors);
    await expect(clock.run(policy.execute(fn))).rejects.toBe(errors[4]);
    expect(calls.map((c) => c.at)).toEqual([0, 100, 300, 700, 1500]);
    expect(giveUps).toEqual([
      { attempts: 5, reason: 'attempts', error: errors[4], errorClass: 'network' },
    ]);
  });

  it('gives rate limits 3 attempts, honouring Retry-After and falling back to 60 s', async () => {
    const clock = new VirtualClock();
    const { policy, events } = classified(clock);
    const { fn, calls } = script(clock, [
      httpError(429, { 'retry-after': '20' }),
      httpError(429),
      httpError(429),
    ]);
    await expect(clock.run(policy.execute(fn))).rejects.toMatchObject({ status: 429 });
    expect(calls.map((c) => c.at)).toEqual([0, 20_000, 80_000]);
    expect(events.map((e) => [e.errorClass, e.delayMs])).toEqual([
      ['rateLimit', 20_000],
      ['rateLimit', 60_000],
    ]);
  });

  it('retries validation once at once, and never retries auth or context length', async () => {
    const clock = new VirtualClock();
    const { policy, giveUps } = classified(clock);
    const parse = () => new SyntaxError('Unexpected token');
    const validation = script(clock, [parse(), parse(), parse()]);
    await expect(policy.execute(validation.fn)).rejects.toBeInstanceOf(SyntaxError);
    expect(validation.calls.map((c) => c.at)).toEqual([0, 0]);

    const auth = script(clock, [httpError(401)]);
    await expect(policy.execute(auth.fn)).rejects.toMatchObject({ status: 401 });
    expect(auth.calls).toHaveLength(1);

    const tooLong = Object.assign(new Error("This model's maximum context length is 8192"), {
      status: 400,
    });
    const context = script(clock, [tooLong]);
    await expect(policy.execute(context.fn)).rejects.toBe(tooLong);
    expect(context.calls).toHaveLength(1);
    expect(giveUps.map((g) => [g.errorClass, g.attempts])).toEqual([
      ['validation', 2],
      ['auth', 1],
      ['contextLength', 1],
    ]);
  });

  it('counts each class separately within a call, and unlisted classes by the defaults', async () => {
    const clock = new VirtualClock();
    const { policy, events } = classified(clock);
    // 'server' has no entry: maxAttempts 2 and constant(7) apply to it.
    const { fn, calls } = script(clock, [
      netError(),
      new SyntaxError('bad json'),
      netError('ETIMEDOUT'),
      httpError(500),
      httpError(503),
    ]);
    await expect(clock.run(policy.execute(fn))).rejects.toMatchObject({ status: 503 });
    expect(events.map((e) => e.errorClass)).toEqual(['network', 'validation', 'network', 'server']);
    expect(calls.map((c) => c.at)).toEqual([0, 100, 100, 300, 307]);
  });
});

describe('retry: budget', () => {
  it('stops retrying when a shared budget is spent, and recovers as the window slides', async () => {
    const clock = new VirtualClock();
    // reserve: 0.2/s × 10 s = 2 retries; ratio 0 so traffic adds none.
    const budget = new RetryBudget({ clock, ratio: 0, minRetriesPerSecond: 0.2, windowMs: 10_000 });
    const a = retry({ clock, budget, maxAttempts: 3, schedule: constant(0) });
    const b = retry({ clock, budget, maxAttempts: 3, schedule: constant(0) });
    const reasons: string[] = [];
    a.onGiveUp((e) => reasons.push(`a:${e.reason}`));
    b.onGiveUp((e) => reasons.push(`b:${e.reason}`));
    const failing = () =>
      script(
        clock,
        [1, 2, 3].map((i) => new Error(String(i))),
      );

    const first = failing();
    await expect(a.execute(first.fn)).rejects.toThrow('3');
    expect(first.calls).toHaveLength(3); // two retries, the whole budget

    const second = failing();
    await expect(b.execute(second.fn)).rejects.toThrow('1');
    expect(second.calls).toHaveLength(1);
    expect(reasons).toEqual(['a:attempts', 'b:budget']);
    expect(budget.available).toBe(0);

    await clock.advance(10_000);
    expect(budget.available).toBe(2);
    const third = failing();
    await expect(b.execute(third.fn)).rejects.toThrow('3');
    expect(third.calls).toHaveLength(3);
  });

  it('allows retries in proportion to calls', async () => {
    const clock = new VirtualClock();
    const budget = new RetryBudget({ clock, ratio: 0.5, minRetriesPerSecond: 0 });
    const policy = retry({ clock, budget, maxAttempts: 2, schedule: constant(0) });
    for (let i = 0; i < 4; i++) await policy.execute(() => 'ok');
    // 4 successful calls + the failing call = 5 calls → 2.5 retries allowed.
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('x'));
    };
    for (let i = 0; i < 3; i++) await policy.execute(failing).catch(() => undefined);
    // calls: 4 + 3 = 7 → 3.5 allowed; 3 failing calls each wanted one retry.
    expect(calls).toBe(6);
  });
});

describe('retry: events and options', () => {
  it('reports success with the attempts taken', async () => {
    const { clock, random } = setup();
    const policy = retry({ clock, random, schedule: constant(0) });
    const successes: number[] = [];
    policy.onSuccess((e) => successes.push(e.attempts));
    await policy.execute(() => 'first');
    await policy.execute(script(clock, [new Error('x'), new Error('y')]).fn);
    expect(successes).toEqual([1, 3]);
  });

  it('rejects bad options with the option, the value and what is allowed', () => {
    const bad = (options: Parameters<typeof retry>[0], message: RegExp | string) => {
      let caught: unknown;
      try {
        retry(options);
      } catch (error) {
        caught = error;
      }
      expect(isInvalidOptionError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    };
    bad(
      { maxAttempts: 0 },
      "retry: option 'maxAttempts' must be an integer >= 1 or Infinity, got 0",
    );
    bad({ maxAttempts: NaN }, /'maxAttempts'.*got NaN/);
    bad({ maxAttempts: 2.5 }, /'maxAttempts'.*got 2.5/);
    bad({ schedule: 100 as never }, "retry: option 'schedule' must be a function, got 100");
    bad({ shouldRetry: true as never }, /'shouldRetry' must be a function/);
    bad(
      { classes: { network: { maxAttempts: 3 } } },
      /'classify' must be a function when 'classes'/,
    );
    bad(
      { classify: () => 'x', classes: { x: { maxAttempts: -1 } } },
      /'classes.x.maxAttempts' must be an integer >= 1/,
    );
    bad({ classify: () => 'x', classes: { x: null as never } }, /'classes.x' must be an object/);
  });

  it('type-checks class names against the classifier', () => {
    retry({
      classify: defaultErrorClassifier,
      // @ts-expect-error 'netwrok' is not an ErrorClass
      classes: { netwrok: { maxAttempts: 2 } },
    });
    expect(fullJitter).toBeTypeOf('function');
  });
});
