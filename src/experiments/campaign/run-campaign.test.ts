import { describe, expect, it } from 'vitest';
import {
  MemoryCheckpointStore,
  runAgent,
  Supervisor,
  type Agent,
  type Workflow,
  type WorkflowRunResult,
} from '../../agents/index.ts';
import { isInvalidOptionError, realClock, VirtualClock } from '../../core/index.ts';
import { liveSourceFromRecorder } from '../../dashboard/index.ts';
import { MetricsRecorder } from '../../metrics/index.ts';
import { defineScenario, expectationLines as line, type Scenario } from '../scenarios/index.ts';
import { createEcommerceWorkflow, sampleProductInput } from '../../../examples/ecommerce/index.ts';
import type { CampaignProgress, CampaignResult } from './campaign-result.ts';
import { runCampaign } from './run-campaign.ts';
import type { RunOutcome } from './execute-run.ts';

/**
 * A one-agent workflow with exactly known timings: the worker sleeps `input` ms; a supervisor
 * restarts it once after 1 s, and escalates when that restart fails too.
 */
function miniWorkflow(): Workflow<number> {
  const worker: Agent<number, number> = {
    name: 'worker',
    async process(message, context) {
      await context.clock.sleep(message.payload, context.signal);
      return context.message('done', message.payload);
    },
  };
  return {
    async run(workMs, context = {}): Promise<WorkflowRunResult> {
      const { clock, random, runId = 'mini' } = context;
      if (clock === undefined || random === undefined) throw new Error('clock and random needed');
      const supervisor = new Supervisor({
        maxRestarts: 1,
        escalateAfter: 1,
        restartDelayMs: 1_000,
      });
      const result = await runAgent(supervisor.supervise(worker), workMs, {
        runId,
        clock,
        random,
        checkpoints: new MemoryCheckpointStore(),
        messageType: 'work',
      });
      const failed = result.status === 'failed';
      return {
        runId,
        seed: random.seed,
        status: result.status,
        crashed: false,
        degraded: false,
        error: failed ? result.errorSummary : undefined,
        startedAt: result.startedAt,
        finishedAt: result.finishedAt,
        durationMs: result.durationMs,
        events: result.events,
        journal: () =>
          result.events.map((e) => JSON.stringify({ ...e, time: undefined })).join('\n'),
      };
    },
  };
}

const site = { operation: 'agent:worker' };

const crashOnce = defineScenario({
  name: 'CrashOnce',
  title: 'The worker crashes once',
  description: 'A crash on agent:worker, once per run.',
  hypothesis: 'The supervisor restarts it and the run completes.',
  chaos: {
    killSwitch: false,
    faults: [{ kind: 'crash', probability: 1, maxInjections: 1, target: site }],
  },
  expectations: [line.outcome('completed'), line.restarts('worker', 1), line.detectionWithin(0)],
});

const alwaysCrash = defineScenario({
  name: 'AlwaysCrash',
  title: 'The worker always crashes',
  description: 'A crash on agent:worker on every call.',
  hypothesis: 'The run completes anyway (it cannot: this hypothesis is broken on purpose).',
  chaos: { killSwitch: false, faults: [{ kind: 'crash', probability: 1, target: site }] },
  expectations: [line.outcome('completed'), line.gracefulFailure()],
});

const slow = defineScenario({
  name: 'Slow',
  title: 'The worker is slow',
  description: 'A 500 ms latency on agent:worker.',
  hypothesis: 'Nobody declares the slow worker dead.',
  chaos: {
    killSwitch: false,
    faults: [{ kind: 'latency', ms: 500, probability: 1, target: site }],
  },
  expectations: [line.outcome('completed'), line.noFalsePositives()],
});

const scenarios: readonly Scenario[] = [crashOnce, alwaysCrash, slow];

function mini(extra: Partial<Parameters<typeof runCampaign<number, WorkflowRunResult>>[0]> = {}) {
  return runCampaign<number, WorkflowRunResult>({
    workflow: miniWorkflow(),
    input: () => 1_000,
    scenarios,
    runsPerScenario: 3,
    seed: 's',
    clock: new VirtualClock(),
    ...extra,
  });
}

function scenario(result: CampaignResult, name: string) {
  const found = result.scenarios.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no ${name}`);
  return found;
}

describe('runCampaign: arithmetic on a workflow with known timings', () => {
  it('counts runs, successes, failures, recoveries and MTTR-A exactly', async () => {
    const progress: CampaignProgress[] = [];
    const result = await mini({ onProgress: (p) => progress.push(p), concurrency: 2 });

    expect(result.runs).toBe(9);
    expect(result.runsPlanned).toBe(9);
    expect(result.aborted).toBe(false);
    expect(result.passed).toBe(false);
    // 3 × 2 s (crash, 1 s restart delay, 1 s work) + 3 × 1 s (crash, restart, crash) + 3 × 1.5 s.
    expect(result.virtualMs).toBe(13_500);

    const once = scenario(result, 'CrashOnce');
    expect(once).toMatchObject({
      runs: 3,
      succeeded: 3,
      failed: 0,
      successRate: 1,
      failures: 3,
      recovered: 3,
      recoveryRate: 1,
      healing: { healed: 3, failed: 0, escalations: 0 },
      injections: 3,
      runsPassed: 3,
      hypothesisHeld: true,
      expectationsPassRate: 1,
    });
    // The crash at t = 0, the restart after 1 s, 1 s of work: recovered at 2 s.
    expect(once.mttrMs).toEqual({
      n: 3,
      mean: 2_000,
      p50: 2_000,
      p95: 2_000,
      p99: 2_000,
      max: 2_000,
    });
    expect(once.detectionMs).toMatchObject({ n: 3, p50: 0, max: 0 });

    const always = scenario(result, 'AlwaysCrash');
    expect(always).toMatchObject({
      runs: 3,
      succeeded: 0,
      failed: 3,
      crashed: 0,
      successRate: 0,
      failures: 3,
      recovered: 0,
      recoveryRate: 0,
      healing: { healed: 0, failed: 3, escalations: 3 },
      injections: 6,
      runsPassed: 0,
      hypothesisHeld: false,
      expectationsPassRate: 0.5,
    });
    expect(always.mttrMs.n).toBe(0);
    expect(always.expectations.map((e) => [e.id, e.passed, e.failed])).toEqual([
      ['outcome', 0, 3],
      ['graceful-failure', 3, 0],
    ]);
    expect(always.expectations[0]).toMatchObject({
      actual: 'failed: EscalationError',
      seed: 's-AlwaysCrash-0',
    });

    const slowRuns = scenario(result, 'Slow');
    expect(slowRuns).toMatchObject({ succeeded: 3, failures: 0, recoveryRate: null });
    expect(slowRuns.falsePositiveRate).toBe(0);
    expect(result.metrics.scenarios.Slow?.liveness).toMatchObject({
      verdicts: 3,
      trueNegatives: 3,
      falsePositives: 0,
    });

    expect(result.failures.map((f) => f.seed)).toEqual([
      's-AlwaysCrash-0',
      's-AlwaysCrash-1',
      's-AlwaysCrash-2',
    ]);
    expect(result.failures[0]?.lines.map((l) => l.id)).toEqual(['outcome']);
    expect(result.chaos).toMatchObject({
      injections: 12,
      byKind: { crash: 9, latency: 3 },
      inSucceededRuns: 6,
      inFailedRuns: 6,
    });
    expect(result.metrics.campaign.runs).toMatchObject({ total: 9, succeeded: 6 });
    expect(result.metrics.campaign.failures).toMatchObject({ total: 6, recovered: 3 });
    expect(result.metrics.campaign.mttrMs).toMatchObject({ n: 3, p99: 2_000 });

    expect(progress.map((p) => p.runsDone)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(progress.at(-1)).toMatchObject({ runsPlanned: 9, failures: 3, runsFailed: 3 });
    expect(result.runDigests.map((d) => `${d.scenario}-${d.index}:${d.status}`)).toEqual([
      'CrashOnce-0:completed',
      'CrashOnce-1:completed',
      'CrashOnce-2:completed',
      'AlwaysCrash-0:failed',
      'AlwaysCrash-1:failed',
      'AlwaysCrash-2:failed',
      'Slow-0:completed',
      'Slow-1:completed',
      'Slow-2:completed',
    ]);
  });

  it('gives the same results whatever the concurrency', async () => {
    const strip = (r: CampaignResult) => ({
      scenarios: r.scenarios,
      failures: r.failures,
      digests: r.runDigests,
      virtualMs: r.virtualMs,
      chaos: r.chaos,
    });
    const one = await mini({ concurrency: 1 });
    const many = await mini({ concurrency: 9 });
    expect(strip(many)).toEqual(strip(one));
  });

  it('feeds the recorder it is given, and tells it the plan', async () => {
    const clock = new VirtualClock();
    const recorder = new MetricsRecorder({ clock, name: 'mine' });
    await mini({ clock, recorder });
    expect(recorder.progress()).toMatchObject({ plannedRuns: 9, runsDone: 9, runsInFlight: 0 });
    const faults = recorder.summary().faults;
    expect(faults.injections).toBe(12);
    // Every run's channel messages are attributed to it (the crash injections among them).
    expect(recorder.snapshot().runs.every((r) => (r.counters.faultInjected ?? 0) >= 1)).toBe(true);
  });

  it('drives the dashboard: a live source on its recorder sees every run', async () => {
    const clock = new VirtualClock();
    const recorder = new MetricsRecorder({ clock, name: 'live' });
    const live = liveSourceFromRecorder(recorder, { clock: new VirtualClock() });
    let updates = 0;
    const seen: number[] = [];
    const subscription = live.onUpdate(() => updates++);
    await mini({
      clock,
      recorder,
      onProgress: () => seen.push(live.snapshot().progress.runsDone),
    });
    subscription.dispose();
    live.dispose();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(updates).toBeGreaterThan(9);
    expect(live.snapshot()).toMatchObject({
      name: 'live',
      status: 'finished',
      progress: { runsDone: 9, runsPlanned: 9, runsFailed: 3, recovered: 3 },
    });
  });

  it('calls a workflow factory once per scenario, waits between runs, runs in real time', async () => {
    const made: string[] = [];
    const clock = new VirtualClock();
    const result = await mini({
      clock,
      concurrency: 1,
      delayBetweenRunsMs: 10_000,
      workflow: (s: Scenario) => {
        made.push(s.name);
        return miniWorkflow();
      },
    });
    expect(made).toEqual(['CrashOnce', 'AlwaysCrash', 'Slow']);
    // 13.5 s of runs and 8 waits of 10 s between the 9 runs.
    expect(result.finishedAt - result.startedAt).toBe(13_500 + 8 * 10_000);
    expect(result.virtualMs).toBe(13_500);

    const instant = defineScenario({
      name: 'Instant',
      title: 'No fault',
      description: 'Nothing is injected.',
      hypothesis: 'When nothing breaks, the run completes.',
      chaos: { killSwitch: false, faults: [] },
      expectations: [line.outcome('completed')],
    });
    const real = await runCampaign<number, WorkflowRunResult>({
      workflow: miniWorkflow(),
      input: () => 0,
      scenarios: [instant],
      runsPerScenario: 3,
      time: 'real',
      seed: 'r',
    });
    expect(real).toMatchObject({ time: 'real', runs: 3, passed: true });
  });

  it('stops starting runs when its signal aborts', async () => {
    const controller = new AbortController();
    const result = await mini({
      concurrency: 1,
      onProgress: (p) => {
        if (p.runsDone === 2) controller.abort();
      },
      signal: controller.signal,
    });
    expect(result.runs).toBe(2);
    expect(result.aborted).toBe(true);
    expect(result.passed).toBe(false);
  });

  it('rejects bad options naming the option', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { runsPerScenario: 0 },
        "runCampaign: option 'runsPerScenario' must be an integer >= 1, got 0",
      ],
      [{ concurrency: 1.5 }, "runCampaign: option 'concurrency' must be an integer >= 1, got 1.5"],
      [
        { workflow: {} },
        "runCampaign: option 'workflow' must be a Workflow (with run) or a factory of one, got an object",
      ],
      [
        { scenarios: [] },
        "runCampaign: option 'scenarios' must be a non-empty array of scenarios, got an array",
      ],
      [
        { scenarios: [slow, slow] },
        'runCampaign: option \'scenarios[1].name\' must be a name no other scenario has, got "Slow"',
      ],
      [
        { clock: realClock },
        "runCampaign: option 'clock' must be a VirtualClock (with time: 'virtual')",
      ],
      [{ time: 'warp' }, "runCampaign: option 'time' must be one of"],
    ];
    for (const [options, message] of cases) {
      const error: unknown = await mini(options as never).catch((e: unknown) => e);
      expect(isInvalidOptionError(error)).toBe(true);
      expect((error as Error).message).toContain(message);
    }
  });
});

describe('runCampaign on the e-commerce example', () => {
  const workflow = createEcommerceWorkflow();
  const input = (random: Parameters<typeof sampleProductInput>[0]) => sampleProductInput(random);

  it('runs every built-in scenario and every hypothesis holds', async () => {
    const result = await runCampaign({ workflow, input, runsPerScenario: 3, seed: 7 });
    expect(result.runs).toBe(30);
    expect(result.failures).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.scenarios.map((s) => s.name)).toEqual([
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
    const byName = Object.fromEntries(result.scenarios.map((s) => [s.name, s]));
    expect(byName.ToolServerDown).toMatchObject({ successRate: 0, recoveryRate: 0, crashed: 0 });
    expect(byName.PartialOrchestrationFailure).toMatchObject({ successRate: 0, recoveryRate: 0 });
    expect(byName.ProductCrashMidUpload).toMatchObject({ successRate: 1, recoveryRate: 1 });
    // The agent timeout is 2 min: the hung marketing agent is detected and healed after it.
    expect(byName.MarketingTimeout?.detectionMs.max).toBe(120_000);
    expect(byName.MarketingTimeout?.mttrMs.p50).toBeGreaterThan(120_000);
    expect(byName.DelayedRecovery?.falsePositiveRate).toBe(0);
    // Virtual time: 20 minutes of runs in (much) less real time.
    expect(result.virtualMs).toBeGreaterThan(20 * 60_000);
    expect(result.virtualMs / result.wallMs).toBeGreaterThan(100);
  });

  it('does not change any run when the concurrency changes', async () => {
    const journals = async (concurrency: number) => {
      const seen = new Map<string, string>();
      const result = await runCampaign({
        workflow,
        input,
        runsPerScenario: 2,
        seed: 'c',
        concurrency,
        onRun: (outcome: RunOutcome) => seen.set(outcome.seed, outcome.journal()),
      });
      return { seen, result };
    };
    const a = await journals(1);
    const b = await journals(16);
    expect(b.seen.size).toBe(20);
    for (const [seed, journal] of a.seen) expect(b.seen.get(seed)).toBe(journal);
    expect(b.result.runDigests).toEqual(a.result.runDigests);
    expect(b.result.scenarios).toEqual(a.result.scenarios);
  });
});
