/**
 * The resilience bar: for each chaos type, at a 30% failure rate over every injection site of
 * the e-commerce example, the system with faultline's policies shows "≥ 90% recovery, 0
 * crashes" (`expectResilient`), and the same system without them (`resilience: false`, the
 * control) does not, so each test can fail.
 *
 * How it is measured: `ChaosEngine.runChaosTest` runs the workflow 500 times under one seeded
 * scope on a `VirtualClock` (memory mode: no real I/O, so `clock.run` drives it). An injection
 * is recovered when its run completes (degraded answers, from a fallback, count as completed);
 * a crash is a run that fails with nothing handling the failure (the example's `crashed`), or
 * that throws. 500 runs keep the figure stable: across seeds it moves by about ±1.5 points,
 * while the resilient system sits at 92–95%.
 *
 * Not here, on purpose: latency (the control does not fail under it, so it proves nothing at
 * this bar; see network.test.ts and service.test.ts for timeouts), and CPU or memory pressure
 * (they slow calls down rather than fail them; see service.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createRandom, VirtualClock } from '../../src/core/index.ts';
import { ChaosEngine, type ChaosConfig, type ChaosTestResult } from '../../src/faults/index.ts';
import { expectResilient } from '../../src/testing/index.ts';
import {
  createEcommerceWorkflow,
  sampleProductInput,
  type EcommerceRunResult,
  type EcommerceWorkflowOptions,
} from '../../examples/ecommerce/index.ts';

const RUNS = 500;

interface ChaosType {
  readonly type: string;
  readonly chaos: Partial<ChaosConfig>;
  readonly workflow?: EcommerceWorkflowOptions;
}

const chaosTypes: readonly ChaosType[] = [
  {
    type: 'network (ECONNRESET, ECONNREFUSED, ETIMEDOUT)',
    chaos: { faults: [{ kind: 'network', error: ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT'] }] },
  },
  {
    type: 'service errors (500, 502, 503, 429)',
    chaos: {
      faults: [{ kind: 'error', type: ['internal', 'bad-gateway', 'unavailable', 'rate-limited'] }],
    },
  },
  {
    type: 'crashes (before the work, and at 50% progress)',
    chaos: {
      faults: [
        { kind: 'crash', name: 'crash-at-start' },
        { kind: 'crash', name: 'crash-mid-way', atProgress: 0.5 },
      ],
    },
  },
  { type: 'hangs (no answer until a timeout)', chaos: { types: ['hang'] } },
  {
    type: 'corrupted messages (garbled, wrong types, dropped fields, truncated, invalid JSON)',
    chaos: { types: ['corruption'] },
  },
  { type: 'hallucinated model answers', chaos: { types: ['hallucination'] } },
  {
    type: 'memory allocation failures',
    chaos: { faults: [{ kind: 'memory', mode: 'alloc-fail' }] },
  },
  {
    // Only the checkpoint store's reads and writes; the default of 3 store attempts recovers
    // 88–92% here, so the store's retry is given 5 (see docs/failure-modes.md).
    type: 'storage failures (ENOSPC, EIO on checkpoint reads and writes)',
    chaos: {
      faults: [{ kind: 'disk', error: ['ENOSPC', 'EIO'] }],
      target: { operation: 'checkpoint.*' },
    },
    workflow: { storageFaults: true },
  },
];

/** `RUNS` runs of the example under `chaosType` at a 30% failure rate, in virtual time. */
async function campaign(chaosType: ChaosType, resilience: boolean): Promise<ChaosTestResult> {
  const workflow = createEcommerceWorkflow({ ...chaosType.workflow, resilience });
  const clock = new VirtualClock();
  const seed = `bar:${chaosType.type}`;
  const engine = new ChaosEngine({
    enabled: true,
    seed,
    clock,
    killSwitch: false,
    failureRate: 0.3,
    ...chaosType.chaos,
  });
  return clock.run(
    engine.runChaosTest(
      async ({ iteration }): Promise<EcommerceRunResult> => {
        const random = createRandom(`${seed}:${iteration}`);
        const result = await workflow.run(sampleProductInput(random.fork('input')), {
          clock,
          random,
        });
        if (result.crashed) {
          throw new Error(
            `crashed: ${result.rootError?.name ?? '?'}: ${result.error?.message ?? ''}`,
          );
        }
        return result;
      },
      { iterations: RUNS, isSuccess: (r) => r.status === 'completed' },
    ),
  );
}

describe('the resilience bar: ≥ 90% recovery, 0 crashes at a 30% failure rate', () => {
  it.each(chaosTypes)('$type', async (chaosType) => {
    const resilient = await campaign(chaosType, true);
    // About 30% of ~10 injection sites per run: thousands of injections, in every run.
    expect(resilient.operations).toBe(RUNS);
    expect(resilient.totalInjections).toBeGreaterThan(RUNS);
    expectResilient(resilient, { minRecoveryRate: 0.9, maxCrashes: 0, minInjections: RUNS });

    const control = await campaign(chaosType, false);
    expect(control.totalInjections).toBeGreaterThan(RUNS * 0.5);
    expect(() => {
      expectResilient(control, { minRecoveryRate: 0.9, maxCrashes: 0 });
    }).toThrow(/Not resilient enough/);
    expect(control.recoveryRate).toBeLessThan(0.75);
    expect(control.crashes).toBeGreaterThan(RUNS * 0.2);
  });
});
