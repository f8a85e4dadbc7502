import { describe, expect, it } from 'vitest';
import { VirtualClock, isInjectedFault } from '../core/index.ts';
import { chaos } from './chaos.ts';
import {
  injectCrash,
  injectDelay,
  injectHallucination,
  injectMessageCorruption,
  injectTimeout,
} from './decorators.ts';
import { isAgentCrashError } from './errors/agent-crash-error.ts';
import { createChaosScope } from './scope.ts';
import { withChaos, type AsyncFunction, type ChaosDecorator } from './with-chaos.ts';

const on = { enabled: true, seed: 'w', killSwitch: false as const };

/** What TypeScript emits for a stage-3 method decorator: `decorator(method, context)`. */
function decorate<F extends AsyncFunction>(decorator: ChaosDecorator, method: F, name: string): F {
  const context = {
    kind: 'method',
    name,
    static: false,
    private: false,
  } as unknown as ClassMethodDecoratorContext;
  return decorator(method, context);
}

describe('withChaos', () => {
  it('passes arguments, this and results through, and keeps the name', async () => {
    const target = {
      factor: 3,
      async times(x: number) {
        return this.factor * x;
      },
    };
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(target)
    const wrapped = withChaos(target.times, { operation: 'times' });
    expect(wrapped.name).toBe('times');
    await expect(wrapped.call(target, 2)).resolves.toBe(6);
    await expect(chaos.run({ ...on, faults: [] }, () => wrapped.call(target, 2))).resolves.toBe(6);
  });

  it('reports the site it was given', async () => {
    const fn = withChaos(async () => 1, {
      operation: 'tool:lookup',
      tool: 'lookup',
      agent: 'product',
      url: 'https://x.test/',
    });
    const journal = await chaos.run(
      { ...on, faults: [{ kind: 'crash', probability: 1 }] },
      async ({ scope }) => {
        await fn().catch(() => undefined);
        return scope.journal.injections;
      },
    );
    expect(journal[0]?.target).toEqual({
      operation: 'tool:lookup',
      tool: 'lookup',
      agent: 'product',
      url: 'https://x.test/',
    });
  });

  it("uses the function's name as operation, else 'anonymous'", async () => {
    async function fetchPrices(): Promise<number> {
      return 1;
    }
    const named = withChaos(fetchPrices);
    const anonymous = withChaos(() => Promise.resolve(1));
    const targets = await chaos.run(
      { ...on, faults: [{ kind: 'latency', ms: 0, probability: 1 }] },
      async ({ scope }) => {
        await named();
        await anonymous();
        return scope.journal.injections.map((r) => r.target.operation);
      },
    );
    expect(targets).toEqual(['fetchPrices', 'anonymous']);
  });

  it('finds the caller signal among the arguments so hangs end with it', async () => {
    const clock = new VirtualClock();
    const fn = withChaos(
      async (input: string, options: { signal: AbortSignal }) =>
        `${input}${String(options.signal.aborted)}`,
    );
    const controller = new AbortController();
    const run = chaos.run({ ...on, clock, faults: [{ kind: 'hang', probability: 1 }] }, () => {
      clock.setTimer(5000, () => {
        controller.abort(new Error('deadline'));
      });
      return fn('x', { signal: controller.signal });
    });
    await expect(clock.run(run)).rejects.toThrow('deadline');
    expect(clock.now()).toBe(5000);
  });

  it('faults declared on the function fire only inside a scope', async () => {
    const fn = withChaos(async () => 'ok', { faults: [{ kind: 'crash', probability: 1 }] });
    await expect(fn()).resolves.toBe('ok');
    await expect(chaos.run({ ...on }, () => fn())).rejects.toSatisfy(isAgentCrashError);
    // a scope restricted to other types ignores them
    await expect(chaos.run({ ...on, types: ['latency'] }, () => fn())).resolves.toBe('ok');
  });

  it('with its own config it injects without a scope, and when disabled it is the function itself', async () => {
    const fn = async (): Promise<string> => 'ok';
    expect(
      withChaos(fn, { config: { enabled: false, faults: [{ kind: 'crash', probability: 1 }] } }),
    ).toBe(fn);
    const own = withChaos(fn, { config: { ...on, faults: [{ kind: 'crash', probability: 1 }] } });
    await expect(own()).rejects.toSatisfy(isInjectedFault);
    const scope = createChaosScope({ ...on, faults: [{ kind: 'error', probability: 1 }] });
    const shared = withChaos(fn, { scope });
    await expect(shared()).rejects.toMatchObject({ status: 500 });
    scope.end();
    await expect(shared()).resolves.toBe('ok');
  });

  it('rejects bad input', () => {
    expect(() => withChaos(async () => 1, { faults: [{ kind: 'crash', probability: 3 }] })).toThrow(
      "withChaos: option 'faults[0].probability'",
    );
    const scope = createChaosScope({});
    expect(() => withChaos(async () => 1, { scope, config: {} })).toThrow(
      /option 'config' must be absent/,
    );
  });
});

describe('decorators', () => {
  it('stage-3 method decorators wrap the method under its name', async () => {
    class Uploader {
      count = 0;
      async upload(n: number): Promise<number> {
        this.count += n;
        return this.count;
      }
    }
    // eslint-disable-next-line @typescript-eslint/unbound-method -- re-installed on the prototype
    const method = Uploader.prototype.upload;
    Uploader.prototype.upload = decorate(injectCrash({ probability: 1 }), method, 'upload');
    const uploader = new Uploader();
    await expect(uploader.upload(2)).resolves.toBe(2);
    const error: unknown = await chaos.run(on, () => uploader.upload(2)).catch((e: unknown) => e);
    expect(isAgentCrashError(error)).toBe(true);
    expect((error as { operation: string }).operation).toBe('upload');
    expect(uploader.count).toBe(2);
  });

  it('legacy (experimentalDecorators) decorators get a descriptor back', async () => {
    const descriptor: PropertyDescriptor = {
      value: async () => 'v',
      writable: true,
      configurable: true,
    };
    const out = injectDelay({ ms: 100, probability: 1 })({}, 'slowOne', descriptor);
    const clock = new VirtualClock();
    const fn = out.value as () => Promise<string>;
    await expect(clock.run(chaos.run({ ...on, clock }, () => fn()))).resolves.toBe('v');
    expect(clock.now()).toBe(100);
  });

  it('refuses non-method members', () => {
    const field = { kind: 'field', name: 'x' } as unknown as ClassMethodDecoratorContext;
    expect(() => injectCrash()(async () => 1, field)).toThrow(/decorated member/);
  });

  it('each inject… works as a plain wrapper too', async () => {
    const clock = new VirtualClock();
    const base = async (): Promise<{ n: number; s: string }> => ({ n: 10, s: 'text' });
    const timeout = injectTimeout({ ms: 1000, then: 'timeout', probability: 1 })(base);
    const hallucinated = injectHallucination({ mode: 'wrong-number', probability: 1 })(base);
    const corrupted = injectMessageCorruption({ mode: 'invalid-json', probability: 1 })(base);
    const results = await clock.run(
      chaos.run({ ...on, clock }, async () => [
        await timeout().catch((e: unknown) => (e as { code: string }).code),
        await hallucinated(),
        await corrupted(),
      ]),
    );
    expect(results[0]).toBe('ETIMEDOUT');
    expect((results[1] as { n: number }).n).not.toBe(10);
    expect(typeof results[2]).toBe('string');
  });
});
