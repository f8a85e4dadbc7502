import { describe, expect, it } from 'vitest';
import { isInvalidOptionError } from '../core/index.ts';
import { resolveChaosConfig } from './config.ts';
import { chaosConfigFromEnv } from './env.ts';

describe('chaosConfigFromEnv', () => {
  it('reads nothing from an empty environment', () => {
    expect(chaosConfigFromEnv({})).toEqual({});
    expect(chaosConfigFromEnv({ CHAOS_ENABLED: '', CHAOS_TYPES: '  ' })).toEqual({});
  });

  it('maps every variable', () => {
    const config = chaosConfigFromEnv({
      CHAOS_ENABLED: 'true',
      CHAOS_RANDOM_SEED: '42',
      CHAOS_TYPES: 'network, DISK_IO,delay,crash,timeout,hallucination,corruption',
      CHAOS_FAILURE_RATE: '0.3',
      CHAOS_DURATION: '5m',
      CHAOS_CRASH_PROBABILITY: '0.05',
      CHAOS_DELAY_MS: '250',
      CHAOS_DELAY_PROBABILITY: '0.2',
      CHAOS_TIMEOUT_SECONDS: '30',
      CHAOS_TIMEOUT_PROBABILITY: '0.01',
      CHAOS_HALLUCINATION_PROBABILITY: '0.1',
      CHAOS_CORRUPTION_PROBABILITY: '0.02',
    });
    expect(config).toEqual({
      enabled: true,
      seed: '42',
      failureRate: 0.3,
      durationMs: 300_000,
      types: ['network', 'disk', 'latency', 'crash', 'hang', 'hallucination', 'corruption'],
      faults: [
        { kind: 'crash', name: 'crash', probability: 0.05 },
        { kind: 'latency', name: 'delay', ms: 250, probability: 0.2 },
        { kind: 'hang', name: 'timeout', ms: 30_000, then: 'timeout', probability: 0.01 },
        { kind: 'hallucination', probability: 0.1 },
        { kind: 'corruption', probability: 0.02 },
      ],
    });
    const resolved = resolveChaosConfig(config);
    expect(resolved.faults.map((f) => f.name)).toEqual([
      'crash',
      'delay',
      'timeout',
      'hallucination',
      'corruption',
      'network',
      'disk',
    ]);
  });

  it.each([
    ['1500ms', 1500],
    ['30s', 30_000],
    ['2h', 7_200_000],
    ['90', 90_000],
  ])('CHAOS_DURATION=%s', (text, ms) => {
    expect(chaosConfigFromEnv({ CHAOS_DURATION: text }).durationMs).toBe(ms);
  });

  it.each([
    ['CHAOS_ENABLED', 'maybe', 'true or false'],
    ['CHAOS_FAILURE_RATE', '1.5', 'a number between 0 and 1'],
    ['CHAOS_FAILURE_RATE', '30%', 'a number between 0 and 1'],
    ['CHAOS_CRASH_PROBABILITY', '-0.1', 'a number between 0 and 1'],
    ['CHAOS_DELAY_MS', 'fast', 'a number of milliseconds >= 0'],
    ['CHAOS_TIMEOUT_SECONDS', '1e', 'a number of seconds >= 0'],
    ['CHAOS_DURATION', '5 minutes', "a duration such as '30s'"],
    ['CHAOS_TYPES', 'network,gremlins', "unknown: 'gremlins'"],
  ])('%s=%s is an error naming the variable', (variable, value, expected) => {
    let caught: unknown;
    try {
      chaosConfigFromEnv({ [variable]: value });
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionError(caught)).toBe(true);
    expect(caught).toMatchObject({ owner: 'environment', option: variable, value });
    expect((caught as Error).message).toContain(`environment variable ${variable} must be`);
    expect((caught as Error).message).toContain(expected);
  });
});
