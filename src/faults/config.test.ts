import { describe, expect, it } from 'vitest';
import { VirtualClock, createRandom } from '../core/index.ts';
import { resolveChaosConfig } from './config.ts';

describe('chaos config', () => {
  it('defaults: off, 10% failure rate, kill switch on error rate', () => {
    const config = resolveChaosConfig({});
    expect(config.enabled).toBe(false);
    expect(config.failureRate).toBe(0.1);
    expect(config.faults).toEqual([]);
    expect(config.killSwitch).toEqual({
      errorRate: { threshold: 0.5, windowMs: 10_000, minCalls: 10 },
      unresponsiveMs: undefined,
    });
    expect(config.seed).toMatch(/^\d+$/);
  });

  it('types filter the faults and add a default fault for kinds not listed', () => {
    const config = resolveChaosConfig({
      types: ['NETWORK', 'delay', 'DISK_IO'],
      faults: [{ kind: 'latency', ms: 5 }, { kind: 'crash' }],
    });
    expect(config.faults.map((f) => f.kind)).toEqual(['latency', 'network', 'disk']);
  });

  it('takes the seed from a Random, and probabilities by name or kind', () => {
    const config = resolveChaosConfig({
      random: createRandom('abc'),
      probabilities: { delay: 0.2, 'my-crash': 0.3 },
    });
    expect(config.seed).toBe('abc');
    expect([...config.probabilities]).toEqual([
      ['latency', 0.2],
      ['my-crash', 0.3],
    ]);
  });

  it('accepts a clock and a disabled kill switch', () => {
    const clock = new VirtualClock();
    const config = resolveChaosConfig({ clock, killSwitch: false });
    expect(config.clock).toBe(clock);
    expect(config.killSwitch).toEqual({ errorRate: undefined, unresponsiveMs: undefined });
  });

  it.each([
    [
      { failureRate: 1.5 },
      "chaos config: option 'failureRate' must be a finite number >= 0 <= 1, got 1.5",
    ],
    [{ types: ['network', 'gremlins'] }, "option 'types[1]' must be one of 'crash'"],
    [
      { faults: [{ kind: 'crash' }, { kind: 'crash' }] },
      "option 'faults[1].name' must be a name no other fault has",
    ],
    [
      { faults: [{ kind: 'latency', ms: 'slow' }] },
      'chaos config: option \'faults[0].ms\' must be a finite number >= 0, got "slow"',
    ],
    [{ enable: true }, "option 'enable' must be absent (unknown field"],
    [{ seed: Number.NaN }, "option 'seed' must be a finite number or a string"],
    [
      { probabilities: { crash: 2 } },
      "option 'probabilities.crash' must be a finite number >= 0 <= 1",
    ],
    [{ killSwitch: { errorRate: { threshold: 2 } } }, "option 'killSwitch.errorRate.threshold'"],
    [
      { killSwitch: { unresponsiveMs: 0 } },
      "option 'killSwitch.unresponsiveMs' must be a finite number > 0",
    ],
    [{ target: { tool: 7 } }, "option 'target.tool'"],
    [{ durationMs: -1 }, "option 'durationMs'"],
    [{ seed: 1, random: createRandom(1) }, "option 'random' must be absent when 'seed' is set"],
  ])('rejects %j', (config, message) => {
    expect(() => resolveChaosConfig(config)).toThrow(message);
  });
});
