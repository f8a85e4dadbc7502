import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, isInjectedFault } from '../core/index.ts';
import { chaos } from './chaos.ts';
import { ambient } from './frames.ts';
import { withChaos } from './with-chaos.ts';

const alwaysCrash = {
  enabled: true,
  seed: 's',
  killSwitch: false as const,
  faults: [{ kind: 'crash', probability: 1 }],
};

const call = withChaos(async (x: number) => x * 2, { operation: 'double' });

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (isInjectedFault(e) ? 'injected' : 'error'),
  );
}

afterEach(() => {
  chaos.configure(undefined);
  expect(ambient.runs).toBe(0);
});

describe('chaos.run scope', () => {
  it('injects only inside the scope', async () => {
    expect(await outcome(call(1))).toBe('ok');
    const inside = await chaos.run(alwaysCrash, () => outcome(call(1)));
    expect(inside).toBe('injected');
    expect(await outcome(call(1))).toBe('ok');
  });

  it('reaches calls made asynchronously from inside (timers, microtasks)', async () => {
    const clock = new VirtualClock();
    const result = await chaos.run({ ...alwaysCrash, clock }, async () => {
      await Promise.resolve();
      const later = new Promise<string>((resolve) => {
        clock.setTimer(10, () => {
          resolve(outcome(call(1)));
        });
      });
      await clock.advance(10);
      return later;
    });
    expect(result).toBe('injected');
  });

  it('never injects into callbacks it left behind once it has ended', async () => {
    const clock = new VirtualClock();
    let leaked: Promise<string> | undefined;
    await chaos.run({ ...alwaysCrash, clock }, () => {
      clock.setTimer(100, () => {
        leaked = outcome(call(1));
      });
    });
    await clock.advance(100);
    expect(await leaked).toBe('ok');
  });

  it('ends when the function throws, and rethrows', async () => {
    let scopeSeen: ReturnType<typeof chaos.current>;
    await expect(
      chaos.run(alwaysCrash, ({ scope }) => {
        scopeSeen = scope;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(scopeSeen?.stopped?.reason).toBe('scope-end');
    expect(chaos.current()).toBeUndefined();
  });

  it('isolates concurrent scopes from each other', async () => {
    const calm = { enabled: true, seed: 's', faults: [] };
    const [a, b] = await Promise.all([
      chaos.run(alwaysCrash, async () => {
        await Promise.resolve();
        return outcome(call(1));
      }),
      chaos.run(calm, async () => {
        await Promise.resolve();
        return outcome(call(1));
      }),
    ]);
    expect([a, b]).toEqual(['injected', 'ok']);
  });

  it('the inner of nested scopes wins, the outer resumes after', async () => {
    const seen = await chaos.run(alwaysCrash, async () => {
      const inner = await chaos.run({ enabled: true, seed: 1, faults: [] }, () => outcome(call(1)));
      return [inner, await outcome(call(1))];
    });
    expect(seen).toEqual(['ok', 'injected']);
  });

  it('abort stops injection at once, releases a hung call, and rejects with the reason', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const hang = withChaos(async () => 'answered', { operation: 'llm' });
    let hung: Promise<string> | undefined;
    const run = chaos.run(
      {
        enabled: true,
        seed: 1,
        clock,
        killSwitch: false,
        faults: [{ kind: 'hang', probability: 1 }],
      },
      async ({ scope }) => {
        hung = hang();
        await new Promise(() => undefined); // never ends on its own
        return scope;
      },
      { signal: controller.signal },
    );
    controller.abort(new Error('operator stop'));
    await expect(run).rejects.toThrow('operator stop');
    await expect(hung).resolves.toBe('answered');
    expect(clock.pending).toBe(0);
  });

  it('leaves nothing behind when the function throws mid-flight: no timer, no held resource', async () => {
    const clock = new VirtualClock();
    const slow = withChaos(async () => 'late', { operation: 'slow' });
    const heavy = withChaos(async () => 'ok', { operation: 'heavy' });
    let delayed: Promise<string> | undefined;
    const run = chaos.run(
      {
        enabled: true,
        seed: 1,
        clock,
        faults: [
          { kind: 'latency', ms: 60_000, probability: 1, target: { operation: 'slow' } },
          {
            kind: 'memory',
            mode: 'pressure',
            mib: 1,
            durationMs: 60_000,
            probability: 1,
            target: { operation: 'heavy' },
          },
        ],
        killSwitch: { unresponsiveMs: 120_000 },
      },
      async () => {
        await heavy();
        delayed = slow();
        expect(clock.pending).toBe(3); // the delay, the ballast's release, the watchdog
        throw new Error('agent bug');
      },
    );
    await expect(run).rejects.toThrow('agent bug');
    expect(clock.pending).toBe(0);
    await expect(delayed).resolves.toBe('late');
  });

  it('does not run the function when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('no'));
    let ran = false;
    await expect(
      chaos.run(
        alwaysCrash,
        () => {
          ran = true;
        },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('no');
    expect(ran).toBe(false);
  });

  it('chaos.execute runs a one-off call as an injection point', async () => {
    expect(await chaos.execute({ operation: 'x' }, () => 5)).toBe(5);
    await expect(
      chaos.run(alwaysCrash, () => chaos.execute({ operation: 'x' }, () => 5)),
    ).rejects.toThrow(/injected crash in x/);
  });

  it('a global scope applies outside any run; a disabled config clears it', async () => {
    expect(chaos.configure({ ...alwaysCrash, enabled: false })).toBeUndefined();
    expect(await outcome(call(1))).toBe('ok');
    const global = chaos.configure(alwaysCrash);
    expect(chaos.current()).toBe(global);
    expect(await outcome(call(1))).toBe('injected');
    chaos.configure(undefined);
    expect(global?.stopped?.reason).toBe('scope-end');
    expect(await outcome(call(1))).toBe('ok');
  });
});
