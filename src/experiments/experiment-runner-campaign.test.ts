import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createEcommerceWorkflow, sampleProductInput } from '../../examples/ecommerce/index.ts';
import { VirtualClock } from '../core/index.ts';
import { campaignRunBatch } from './experiment-runner-campaign.ts';
import { loadExperiment, parseExperiment } from './load-experiment.ts';
import { runExperiment } from './run-experiment.ts';

const seeds = join(import.meta.dirname, '..', '..', 'examples', 'ecommerce', 'experiments');

const runBatch = () =>
  campaignRunBatch({
    workflow: () => createEcommerceWorkflow(),
    input: (random) => sampleProductInput(random),
  });

describe('campaignRunBatch: experiments against the e-commerce example', () => {
  test('model-timeout: 3 slow attempts per run, detected at the 30 s timeout, hypothesis confirmed', async () => {
    const experiment = await loadExperiment(join(seeds, 'model-timeout.yaml'));
    const run = await runExperiment(experiment, { runBatch: runBatch(), runs: 10, seed: 1 });
    expect(run.status).toBe('completed');
    expect(run.hypothesisConfirmed).toBe(true);
    expect(run.journal.method?.steps[0]).toMatchObject({ name: 'slow-model', injections: 30 });
    expect(run.journal.method?.observed).toMatchObject({
      detectionMs: 30_000,
      crashed: false,
      stateCorrupted: false,
      basis: 'worst of 10 runs',
    });
    expect(run.journal.method?.batch).toMatchObject({
      scenario: 'Method',
      seed: '1',
      runs: 10,
      aborted: false,
      injections: 30,
      injectionsByKind: { latency: 30 },
    });
    expect(run.journal.steadyStateBefore?.batch).toMatchObject({
      scenario: 'SteadyStateBefore',
      injections: 0,
    });
    expect(run.metrics?.name).toBe('model-timeout/method');
  });

  test('the same seed gives the same figures; the runs replay from <seed>-Method-<i>', async () => {
    const experiment = await loadExperiment(join(seeds, 'agent-loop.yaml'));
    const a = await runExperiment(experiment, { runBatch: runBatch(), runs: 5, seed: 'x' });
    const b = await runExperiment(experiment, { runBatch: runBatch(), runs: 5, seed: 'x' });
    expect(a.result.figures).toEqual(b.result.figures);
    expect(a.journal.expectations).toEqual(b.journal.expectations);
    expect(a.metrics?.faults.injections).toBe(b.metrics?.faults.injections);
  });

  test('a fault that fails every upload: retries, a clear error, graceful failure', async () => {
    const experiment = parseExperiment(
      `
title: Upload server refuses connections
system: ecommerce
hypothesis: When the upload server is down, the product agent will retry 3 times and fail gracefully.
steadyState:
  probes: [{ probe: crashes, tolerance: '== 0' }]
method:
  - type: fault
    fault: { kind: network, error: ECONNREFUSED }
    target: { tool: upload-image }
expected:
  retries: 3
  gracefulFailure: true
  clearErrorMessage: { contains: upload-image }
`,
      'upload-down.yaml',
    );
    const clock = new VirtualClock({ start: 0 });
    const run = await runExperiment(experiment, { runBatch: runBatch(), runs: 5, seed: 2, clock });
    expect(run.journal.method?.figures?.runs).toMatchObject({ total: 5, failed: 5, crashed: 0 });
    expect(run.journal.expectations.map((e) => [e.id, e.passed])).toEqual([
      ['retries', true],
      ['graceful-failure', true],
      ['clear-error', true],
    ]);
    expect(run.journal.method?.observed?.errorMessage).toMatch(/upload-image/);
    expect(run.status).toBe('completed');
    expect(run.passed).toBe(true);
  });

  test('MCP faults on a system without MCP servers fail the experiment with a clear message', async () => {
    const experiment = parseExperiment(
      `
title: MCP tool errors
system: ecommerce
hypothesis: When the tool server errors, the agent will fall back.
steadyState:
  probes: [{ probe: success-rate, tolerance: '> 0%' }]
method:
  - type: mcp-fault
    name: tool-errors
    fault: { kind: mcp-tool-error }
`,
      'mcp.yaml',
    );
    const run = await runExperiment(experiment, { runBatch: runBatch(), runs: 2, seed: 1 });
    expect(run.status).toBe('failed');
    expect(run.journal.error).toMatch(
      /^the method batch failed: .*mcpFaults.*system 'ecommerce' reaches no MCP server/,
    );
  });
});
