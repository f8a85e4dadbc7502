import { describe, expect, it } from 'vitest';
import { isInvalidOptionError } from '../../core/index.ts';
import {
  createEcommerceWorkflow,
  sampleProductInput,
  type EcommerceRunResult,
} from '../../../examples/ecommerce/index.ts';
import { replayRun, runCampaign, runSeed, type RunOutcome } from '../campaign/index.ts';
import {
  builtinScenarios,
  defineScenario,
  expectationLines as line,
  findScenario,
  type Scenario,
} from './index.ts';

const resilient = createEcommerceWorkflow();
const input = (random: Parameters<typeof sampleProductInput>[0]) => sampleProductInput(random);

/** Runs `runs` runs of `scenario` on the resilient example; returns every outcome. */
async function outcomes(
  scenario: Scenario,
  runs = 4,
  workflow = resilient,
): Promise<RunOutcome<EcommerceRunResult>[]> {
  const all: RunOutcome<EcommerceRunResult>[] = [];
  await runCampaign({
    workflow,
    input,
    scenarios: [scenario],
    runsPerScenario: runs,
    seed: 'scenario-test',
    onRun: (o) => all.push(o),
  });
  return all.sort((a, b) => a.index - b.index);
}

function scenario(name: string): Scenario {
  const found = findScenario(name);
  if (found === undefined) throw new Error(name);
  return found;
}

function lineOf(outcome: RunOutcome, id: string) {
  const found = outcome.lines.find((l) => l.id === id);
  if (found === undefined) throw new Error(`no line ${id}`);
  return found;
}

describe('the ten built-in scenarios on the resilient e-commerce example', () => {
  it('are ten named, documented scenarios with hypotheses and expected behaviour', () => {
    expect(builtinScenarios.map((s) => s.name)).toEqual([
      'ProductCrashMidUpload',
      'MarketingTimeout',
      'HandoffCorruption',
      'DelayedRecovery',
      'CascadeFailure',
      'ToolServerDown',
      'ModelTimeout',
      'AgentLoop',
      'PartialOrchestrationFailure',
      'BudgetExhausted',
    ]);
    for (const s of builtinScenarios) {
      expect(s.hypothesis).toMatch(/^When /);
      expect(s.description.length).toBeGreaterThan(40);
      expect(s.expectations.length).toBeGreaterThanOrEqual(4);
      expect(s.expectations.some((e) => e.id === 'state-corrupted')).toBe(true);
      expect(s.faultKinds.length).toBeGreaterThan(0);
      for (const fault of s.chaos.faults ?? []) expect(fault.target).toBeDefined();
    }
  });

  it('ProductCrashMidUpload: restarted once from its checkpoint, completed, nothing twice', async () => {
    for (const o of await outcomes(scenario('ProductCrashMidUpload'))) {
      expect(o.passed).toBe(true);
      const r = o.observed.result;
      expect(r.status).toBe('completed');
      expect(r.stats.restarts).toBe(1);
      expect(r.stats.tools.duplicates).toBe(0);
      expect(o.analysis.incidents).toHaveLength(1);
      const [incident] = o.analysis.incidents;
      expect(incident).toMatchObject({
        agent: 'product',
        detectionMs: 0,
        reconstructionAccuracy: 1,
      });
      // The crash surfaced when the agent reached 50%, not when the fault was planned (at 0).
      expect(incident?.atMs).toBeGreaterThan(incident?.injectedAtMs ?? Infinity);
      expect(lineOf(o, 'restarts-product').actual).toBe('1');
    }
  });

  it('MarketingTimeout: the 2-minute agent timeout detects the hang, one restart', async () => {
    for (const o of await outcomes(scenario('MarketingTimeout'))) {
      expect(o.passed).toBe(true);
      expect(o.analysis.detectionMs).toBe(120_000);
      expect(o.observed.policyEvents.filter((p) => p.type === 'timeout')).toEqual([
        expect.objectContaining({ source: 'marketing-timeout', value: 120_000 }),
      ]);
      expect(o.analysis.agents.get('product')).toBe('completed');
      expect(o.observed.result.stats.tools.calls['publish-product']).toBe(1);
    }
  });

  it('HandoffCorruption: rejected before marketing sees it, re-delivered from the peer checkpoint', async () => {
    for (const o of await outcomes(scenario('HandoffCorruption'))) {
      expect(o.passed).toBe(true);
      expect(o.observed.result.stats.handoffRejections).toBe(1);
      expect(o.analysis.incidents[0]).toMatchObject({ agent: 'marketing', usedPeerContext: true });
      expect(lineOf(o, 'retries').actual).toBe('1 (waits 100 ms)');
    }
  });

  it('DelayedRecovery: a slow agent is waited for, not declared dead', async () => {
    for (const o of await outcomes(scenario('DelayedRecovery'))) {
      expect(o.passed).toBe(true);
      expect(o.analysis.liveness).toEqual([
        { agent: 'marketing', declaredDead: false, actuallyDead: false },
      ]);
      expect(o.analysis.incidents).toEqual([]);
      const delay = o.observed.injections[0]?.effect.ms ?? 0;
      expect(delay).toBeGreaterThanOrEqual(20_000);
      expect(delay).toBeLessThanOrEqual(100_000);
      expect(o.observed.result.durationMs).toBeGreaterThan(delay);
    }
  });

  it('DelayedRecovery counts false positives when the deadline is too short', async () => {
    const hasty = createEcommerceWorkflow({ settings: { agentTimeoutMs: 30_000 } });
    const runs = await outcomes(scenario('DelayedRecovery'), 4, hasty);
    expect(runs.every((o) => lineOf(o, 'false-positives').passed === false)).toBe(true);
    expect(lineOf(runs[0] as RunOutcome, 'false-positives').actual).toBe(
      'yes: marketing restarted while alive',
    );
    const result = await runCampaign({
      workflow: hasty,
      input,
      scenarios: [scenario('DelayedRecovery')],
      runsPerScenario: 4,
      seed: 'scenario-test',
    });
    expect(result.scenarios[0]?.falsePositiveRate).toBe(1);
    expect(result.metrics.scenarios.DelayedRecovery?.liveness.falsePositives).toBe(4);
  });

  it('CascadeFailure: both crashes healed, no escalation', async () => {
    for (const o of await outcomes(scenario('CascadeFailure'))) {
      expect(o.passed).toBe(true);
      expect(o.analysis.incidents.map((i) => i.agent)).toEqual(['product', 'marketing']);
      expect(o.analysis.healed).toBe(2);
      expect(o.analysis.escalations).toBe(0);
    }
  });

  it('ToolServerDown: detected within 10 s, 3 retries with backoff, graceful, clear, nothing published', async () => {
    for (const o of await outcomes(scenario('ToolServerDown'))) {
      expect(o.passed).toBe(true);
      const r = o.observed.result;
      expect(r).toMatchObject({ status: 'failed', crashed: false, failedAgent: 'product' });
      expect(r.rootError?.message).toMatch(/^tool 'upload-image' unavailable after 4 attempt\(s\)/);
      const retries = o.observed.policyEvents.filter((p) => p.type === 'retry');
      expect(retries.map((p) => p.source)).toEqual([
        'upload-image-retry',
        'upload-image-retry',
        'upload-image-retry',
      ]);
      expect(o.analysis.detectionMs).toBeLessThanOrEqual(10_000);
      expect(o.analysis.executedSideEffects.size).toBe(0);
      expect(r.stats.tools.calls['publish-product']).toBe(0);
      expect(r.durationMs).toBeLessThan(60_000);
    }
  });

  it('ModelTimeout: each slow attempt cut at 30 s (timeouts fire in the run), then templates', async () => {
    for (const o of await outcomes(scenario('ModelTimeout'))) {
      expect(o.passed).toBe(true);
      const timeouts = o.observed.policyEvents.filter((p) => p.type === 'timeout');
      // Timer callbacks fire from the campaign's driver; they are still attributed to the run.
      expect(timeouts.length).toBeGreaterThanOrEqual(4);
      expect(timeouts.every((p) => p.source === 'llm-timeout' && p.value === 30_000)).toBe(true);
      expect(o.analysis.detectionMs).toBe(30_000);
      expect(o.observed.result.output).toMatchObject({
        source: 'template',
        descriptionSource: 'template',
      });
    }
  });

  it('AgentLoop: stopped after 10 repeats, template campaign', async () => {
    for (const o of await outcomes(scenario('AgentLoop'))) {
      expect(o.passed).toBe(true);
      expect(lineOf(o, 'loop-stopped').actual).toBe('repetition 11 refused (10 allowed)');
      expect(o.observed.result.output?.source).toBe('template');
      expect(o.observed.result.stats.tools.calls['schedule-campaign']).toBe(1);
    }
  });

  it('PartialOrchestrationFailure: 3 restarts, escalation, product result kept', async () => {
    for (const o of await outcomes(scenario('PartialOrchestrationFailure'))) {
      expect(o.passed).toBe(true);
      const r = o.observed.result;
      expect(r.steps).toEqual({ product: 'completed', marketing: 'failed' });
      expect(r.stats.restarts).toBe(3);
      expect(r.stats.escalations).toBe(1);
      expect(r.stats.tools.calls['publish-product']).toBe(1);
      expect(r.stats.tools.calls['schedule-campaign']).toBe(0);
    }
  });

  it('BudgetExhausted: refused once spent, degraded, budget named', async () => {
    for (const o of await outcomes(scenario('BudgetExhausted'))) {
      expect(o.passed).toBe(true);
      expect(o.observed.policyEvents.some((p) => p.type === 'budget-exceeded')).toBe(true);
      expect(o.observed.result.stats.tokens).toBeGreaterThan(20_000);
      expect(o.observed.result.stats.tokens).toBeLessThan(21_000);
      expect(o.observed.result.degraded).toBe(true);
    }
  });

  it('break on the control (no resilience): every hypothesis but DelayedRecovery fails', async () => {
    const result = await runCampaign({
      workflow: createEcommerceWorkflow({ resilience: false }),
      input,
      runsPerScenario: 2,
      seed: 'control',
    });
    const held = result.scenarios.filter((s) => s.hypothesisHeld).map((s) => s.name);
    // Without timeouts nothing declares the slow agent dead either.
    expect(held).toEqual(['DelayedRecovery']);
    const crash = result.scenarios.find((s) => s.name === 'ProductCrashMidUpload');
    expect(crash?.expectations.find((e) => e.id === 'outcome')?.actual).toBe(
      'crashed: AgentCrashError',
    );
    expect(result.failures).toHaveLength(18);
    expect(result.failures[0]?.seed).toBe(runSeed('control', 'ProductCrashMidUpload', 0));
  });
});

describe('scenario replay and lookup', () => {
  it('replays a run of every scenario with the same lines', async () => {
    for (const s of builtinScenarios) {
      const [first] = await outcomes(s, 1);
      const again = await replayRun({
        scenario: s,
        seed: first?.seed ?? '',
        workflow: resilient,
        input,
      });
      expect(again.lines).toEqual(first?.lines);
    }
  });

  it('finds scenarios by name, ignoring case, dashes and underscores', () => {
    expect(findScenario('tool-server-down')?.name).toBe('ToolServerDown');
    expect(findScenario('MODEL_TIMEOUT')?.name).toBe('ModelTimeout');
    expect(findScenario('nope')).toBeUndefined();
  });

  it('validates a scenario definition, naming the field', () => {
    const base = {
      name: 'Ok',
      title: 'ok',
      description: 'ok',
      hypothesis: 'When ok, ok.',
      chaos: { faults: [{ kind: 'crash', probability: 1 }] },
      expectations: [line.gracefulFailure()],
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'Tool-Down' }, "defineScenario: option 'name' must be letters and digits"],
      [{ title: '' }, "defineScenario: option 'title' must be a non-empty string"],
      [{ expectations: [] }, "defineScenario: option 'expectations' must be a non-empty array"],
      [
        { expectations: [line.gracefulFailure(), line.gracefulFailure()] },
        "defineScenario: option 'expectations[1].id' must be an id no other expectation has",
      ],
      [
        { chaos: { faults: [{ kind: 'crash', maxInjections: 0 }] } },
        "chaos config: option 'faults[0].maxInjections' must be an integer >= 1, got 0",
      ],
    ];
    for (const [change, message] of cases) {
      let error: unknown;
      try {
        defineScenario({ ...base, ...change });
      } catch (e) {
        error = e;
      }
      expect(isInvalidOptionError(error)).toBe(true);
      expect((error as Error).message).toContain(message);
    }
    expect(defineScenario(base).faultKinds).toEqual(['crash']);
  });
});
