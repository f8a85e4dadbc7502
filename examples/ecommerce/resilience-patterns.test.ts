import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { channelNames, createRandom, VirtualClock } from '../../src/core/index.ts';
import { chaos } from '../../src/faults/index.ts';
import { defaultResilienceSettings } from './resilience-kit.ts';
import { resiliencePatterns } from './resilience-patterns.ts';
import { createEcommerceWorkflow, sampleProductInput } from './index.ts';

describe('resiliencePatterns', () => {
  it('follows the settings', () => {
    const patterns = resiliencePatterns({ ...defaultResilienceSettings, toolAttempts: 7 });
    expect(patterns.retries.find((r) => r.name === 'upload-image-retry')?.maxAttempts).toBe(7);
    expect(patterns.breakers.map((b) => b.name)).toEqual([
      'llm-breaker',
      'upload-image-breaker',
      'publish-product-breaker',
      'schedule-campaign-breaker',
    ]);
  });

  it('names the policies as the running example names them', async () => {
    const seen = new Set<string>();
    const onMessage = (message: unknown): void => {
      const source = (message as { source?: string }).source;
      if (source !== undefined) seen.add(source);
    };
    for (const name of Object.values(channelNames)) subscribe(name, onMessage);
    try {
      const clock = new VirtualClock();
      const workflow = createEcommerceWorkflow();
      const random = createRandom('patterns');
      await clock.run(
        chaos.run(
          {
            enabled: true,
            seed: 1,
            clock,
            killSwitch: false,
            faults: [
              {
                kind: 'network',
                error: 'ECONNRESET',
                maxInjections: 1,
                target: { operation: 'tool:upload-image' },
              },
            ],
          },
          () => workflow.run(sampleProductInput(random), { clock, random, runId: 'r1' }),
        ),
      );
    } finally {
      for (const name of Object.values(channelNames)) unsubscribe(name, onMessage);
    }
    const patterns = resiliencePatterns();
    const named = new Set(
      [patterns.breakers, patterns.bulkheads, patterns.retries, patterns.timeouts]
        .flat()
        .map((p) => p.name),
    );
    const policies = [...seen].filter((name) => /-(retry|breaker|bulkhead|timeout)$/.test(name));
    expect(policies).toContain('upload-image-retry');
    expect(policies).toContain('llm-breaker');
    for (const name of policies) expect(named).toContain(name);
  });
});
