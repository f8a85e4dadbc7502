import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadExperiment } from '../../../src/experiments/load-experiment.ts';

const dir = join(import.meta.dirname, '.');

describe('the seed experiments of the example system', () => {
  test('are the five the issue names', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual([
      'agent-loop.yaml',
      'budget-exhausted.yaml',
      'model-timeout.yaml',
      'partial-orchestration-failure.yaml',
      'tool-server-down.yaml',
    ]);
  });

  test.each([
    ['tool-server-down', 'network', { tool: 'upload-image' }],
    ['model-timeout', 'latency', { operation: 'llm:*', agent: 'product' }],
    ['agent-loop', 'hallucination', { operation: 'llm:review-campaign' }],
    ['partial-orchestration-failure', 'crash', { agent: 'marketing' }],
    ['budget-exhausted', 'error', { operation: 'llm:*' }],
  ])(
    '%s validates, runs the ecommerce system with a fixed seed and injects %s',
    async (id, kind, target) => {
      const experiment = await loadExperiment(join(dir, `${id}.yaml`), { systems: ['ecommerce'] });
      expect(experiment.id).toBe(id);
      expect(experiment.system).toBe('ecommerce');
      expect(experiment.seed).toMatch(/^\d+$/);
      expect(experiment.runs).toBe(200);
      expect(experiment.hypothesis).toMatch(/^When .+ will /);
      expect(experiment.steadyState.probes[0]?.probe).toBe('success-rate');
      expect(experiment.method).toHaveLength(1);
      expect(experiment.method[0]).toMatchObject({
        type: 'fault',
        fault: { kind, probability: 1 },
        target,
      });
      expect(Object.keys(experiment.expected)).toContain('gracefulFailure');
    },
  );
});
