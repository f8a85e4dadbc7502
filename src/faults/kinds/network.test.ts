import { describe, expect, it } from 'vitest';
import { VirtualClock, createRandom, isInjectedFault } from '../../core/index.ts';
import { createFault } from '../registry.ts';
import { ChaosScope } from '../scope.ts';
import { networkError } from './network.ts';

function scope(clock: VirtualClock, spec: Record<string, unknown>, probability = 1): ChaosScope {
  return new ChaosScope({
    enabled: true,
    seed: 'net',
    clock,
    killSwitch: false,
    faults: [{ kind: 'network', probability, ...spec }],
  });
}

const api = { operation: 'fetch', url: 'https://api.example.com/v1/chat' };
const other = { operation: 'fetch', url: 'http://tools.internal:8080/search' };

describe('network fault', () => {
  it('creates errors shaped like Node', () => {
    expect(networkError('ECONNREFUSED', api)).toMatchObject({
      message: 'connect ECONNREFUSED api.example.com:443',
      code: 'ECONNREFUSED',
      syscall: 'connect',
      address: 'api.example.com',
      port: 443,
      errno: -111,
    });
    expect(networkError('ENOTFOUND', other)).toMatchObject({
      message: 'getaddrinfo ENOTFOUND tools.internal',
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: 'tools.internal',
      errno: -3008,
    });
    expect(networkError('ETIMEDOUT', other)).toMatchObject({ port: 8080, syscall: 'connect' });
    expect(networkError('ECONNRESET', api)).toMatchObject({
      message: 'read ECONNRESET',
      errno: -104,
    });
    expect(networkError('EPIPE', api)).toMatchObject({
      message: 'write EPIPE',
      syscall: 'write',
      errno: -32,
    });
  });

  it('fails before the call by default', async () => {
    let calls = 0;
    const error: unknown = await scope(new VirtualClock(), {})
      .execute(api, () => ++calls)
      .catch((e: unknown) => e);
    expect(calls).toBe(0);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(isInjectedFault(error)).toBe(true);
  });

  it("'drop' lets the server do the work, then loses the response", async () => {
    let calls = 0;
    await expect(
      scope(new VirtualClock(), { mode: 'drop' }).execute(api, () => ++calls),
    ).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    expect(calls).toBe(1);
  });

  it("'drop' with afterMs cuts a slow response mid-way", async () => {
    const clock = new VirtualClock();
    const s = scope(clock, { mode: 'drop', afterMs: 100 });
    const slow = s.execute(api, () => clock.sleep(1000).then(() => 'body'));
    await expect(clock.run(slow)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(clock.now()).toBe(100);
    const fast = s.execute(api, () => clock.sleep(50).then(() => 'body'));
    await expect(clock.run(fast)).resolves.toBe('body');
  });

  it("'partition' fails every call to the host for durationMs, and only that host", async () => {
    const clock = new VirtualClock();
    const s = new ChaosScope({
      enabled: true,
      seed: 'p',
      clock,
      killSwitch: false,
      faults: [
        {
          kind: 'network',
          mode: 'partition',
          error: 'ETIMEDOUT',
          durationMs: 10_000,
          probability: 1,
          target: { host: 'api.example.com' },
        },
      ],
    });
    await expect(s.execute(api, () => 'ok')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await clock.advance(9_999);
    await expect(s.execute(api, () => 'ok')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await expect(s.execute(other, () => 'ok')).resolves.toBe('ok');
    expect(s.journal.injections).toHaveLength(2);
  });

  it('a partition holds through sticky(), without any draw, until it ends', () => {
    const fault = createFault({ kind: 'network', mode: 'partition', durationMs: 1000 });
    const state = new Map<string, unknown>();
    const at = (now: number, site = api) => ({
      site,
      random: createRandom('unused'),
      clock: new VirtualClock(),
      now,
      seed: 's',
      state,
    });
    expect(fault.sticky?.(at(0))).toBeUndefined();
    expect(fault.effect(at(0))?.type).toBe('fail');
    expect(fault.sticky?.(at(999))?.type).toBe('fail');
    expect(fault.sticky?.(at(500, other))).toBeUndefined();
    expect(fault.sticky?.(at(1000))).toBeUndefined();
  });

  it('validates its fields', () => {
    expect(() => createFault({ kind: 'network', error: 'EFOO' })).toThrow(
      /option 'error' must be one of 'ECONNRESET'/,
    );
    expect(() => createFault({ kind: 'network', durationMs: 5 })).toThrow(/durationMs/);
    expect(() => createFault({ kind: 'network', mode: 'drop', afterMs: -1 })).toThrow(/afterMs/);
  });
});
