import type { Workflow, WorkflowRunResult } from '../../agents/index.ts';
import {
  channelNames,
  assertFunction,
  assertInteger,
  assertNonNegativeNumber,
  assertOneOf,
  assertRecord,
  invalidOption,
  randomSeeded,
  realClock,
  VirtualClock,
  type Clock,
  type Seed,
} from '../../core/index.ts';
import { resolveChaosConfig, type ResolvedChaosConfig } from '../../faults/index.ts';
import { MetricsRecorder, subscribeMetrics } from '../../metrics/index.ts';
import { builtinScenarios, type Scenario } from '../scenarios/index.ts';
import type {
  CampaignProgress,
  CampaignResult,
  RunDigest,
  SampledInjection,
} from './campaign-result.ts';
import { executeRun, runSeed, type InputFactory, type RunOutcome } from './execute-run.ts';
import { recordRunMetrics } from './record-run-metrics.ts';
import { currentRunOf, observePolicies } from './run-frame.ts';
import { ScenarioTally } from './scenario-tally.ts';

/**
 * Agents' own bookkeeping (every step started or completed, notes, side effects, checkpoint
 * saves) is left out of the campaign's event log: it is most of the volume and none of the
 * evidence. Failures, recoveries and healing reach the recorder directly.
 */
const bookkeeping: readonly string[] = [
  channelNames.agentStarted,
  channelNames.agentCompleted,
  channelNames.agentNote,
  channelNames.agentSideEffect,
  channelNames.agentRunStarted,
  channelNames.agentRunCompleted,
  channelNames.checkpointSaved,
];

/**
 * Drives a virtual clock until `work` settles; the default is `clock.run(work)`. A system doing
 * real I/O (files) passes a driver that holds time while I/O is in flight, such as the
 * e-commerce example's `(clock, work) => driveVirtualTime(clock, work, workflow.io)`.
 */
export type VirtualTimeDriver = <T>(clock: VirtualClock, work: Promise<T>) => Promise<T>;

/** Options of {@link runCampaign}. */
export interface CampaignOptions<I, R extends WorkflowRunResult = WorkflowRunResult> {
  /**
   * The system under test: one workflow for every scenario, or a factory called once per
   * scenario.
   */
  readonly workflow: Workflow<I, R> | ((scenario: Scenario) => Workflow<I, R>);
  /** The initial state of each run, from the run's random stream (see {@link InputFactory}). */
  readonly input: InputFactory<I>;
  /**
   * The scenarios to run.
   * @default builtinScenarios (the ten built-in scenarios)
   */
  readonly scenarios?: readonly Scenario[];
  /**
   * Runs of each scenario.
   * @default 100
   */
  readonly runsPerScenario?: number;
  /**
   * The campaign's seed; run `i` of scenario `S` uses the seed `<seed>-<S>-<i>` (see `runSeed`).
   * @default a fresh seed (reported in the result)
   */
  readonly seed?: Seed;
  /**
   * Runs in flight at once.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Wait between the end of a run and the start of the next one in the same slot, on the
   * campaign's clock (free in virtual time).
   * @default 0
   */
  readonly delayBetweenRunsMs?: number;
  /**
   * `'virtual'`: every run on one `VirtualClock` that jumps from timer to timer, so a 2-minute
   * timeout costs nothing; `'real'`: the real clock, for systems with real I/O that cannot be
   * simulated.
   * @default 'virtual'
   */
  readonly time?: 'virtual' | 'real';
  /**
   * The campaign's clock: a `VirtualClock` in virtual time, any clock in real time.
   * @default new VirtualClock({ start: Math.floor(realClock.now()) }) in virtual time, realClock in real time
   */
  readonly clock?: Clock;
  /**
   * Drives the virtual clock (virtual time only).
   * @default (clock, work) => clock.run(work)
   */
  readonly drive?: VirtualTimeDriver;
  /**
   * The recorder fed with every run (create it yourself to export its metrics or show it on
   * the dashboard with `liveSourceFromRecorder`); told how many runs are planned.
   * @default a new MetricsRecorder named after the campaign, on its clock
   */
  readonly recorder?: MetricsRecorder;
  /**
   * Subscribe the recorder to faultline's diagnostics channels for the campaign (policy, fault
   * and agent counters, breaker states), attributing messages to runs.
   * @default true
   */
  readonly subscribe?: boolean;
  /**
   * The campaign's name (the recorder's name, reports, history).
   * @default 'campaign'
   */
  readonly name?: string;
  /**
   * Failing runs listed per scenario in the result (all are counted).
   * @default 100
   */
  readonly maxFailures?: number;
  /**
   * Injections kept per scenario as examples for the chaos report.
   * @default 20
   */
  readonly sampleInjections?: number;
  /** Called after each run, for progress bars and live views. @default undefined */
  readonly onProgress?: (progress: CampaignProgress) => void;
  /**
   * Called with each run's full outcome (result, events, journal) before it is dropped: the
   * campaign keeps only a digest of each run, so memory stays flat however many runs.
   * @default undefined
   */
  readonly onRun?: (outcome: RunOutcome<R>) => void;
  /** Stops the campaign: no run starts after it aborts, runs in flight are cancelled. @default undefined */
  readonly signal?: AbortSignal;
}

const owner = 'runCampaign';

interface Job {
  readonly number: number;
  readonly scenario: Scenario;
  readonly tally: ScenarioTally;
  readonly chaos: ResolvedChaosConfig;
  readonly index: number;
}

/**
 * Runs scenarios many times against a workflow and measures the outcome: per scenario, runs,
 * successes, recovery rate, MTTR-A percentiles and how often each expected-behaviour line held,
 * plus every failing run with its seed. Each run has its own seed, chaos scope, random stream and
 * state, so runs are independent of one another and of the concurrency: any run replays alone
 * from its seed (`replayRun`) with a byte-identical journal.
 *
 * In virtual time (the default) every run shares one `VirtualClock`, so a campaign of thousands
 * of runs with minute-long timeouts finishes in seconds; `result.virtualMs / result.wallMs` is
 * the speed-up.
 *
 * @example
 * ```ts
 * const workflow = createEcommerceWorkflow();
 * const result = await runCampaign({
 *   workflow,
 *   input: (random) => sampleProductInput(random),
 *   runsPerScenario: 100,
 *   seed: 42,
 * });
 * for (const s of result.scenarios) console.log(s.name, s.successRate, s.mttrMs.p95);
 * ```
 */
export async function runCampaign<I, R extends WorkflowRunResult>(
  options: CampaignOptions<I, R>,
): Promise<CampaignResult> {
  assertRecord(owner, 'options', options);
  const workflowOption = options.workflow as unknown;
  if (
    typeof workflowOption !== 'function' &&
    (typeof workflowOption !== 'object' ||
      workflowOption === null ||
      typeof (workflowOption as { run?: unknown }).run !== 'function')
  ) {
    invalidOption(owner, 'workflow', workflowOption, 'a Workflow (with run) or a factory of one');
  }
  assertFunction(owner, 'input', options.input);
  const scenarioList: unknown = options.scenarios ?? builtinScenarios;
  if (!Array.isArray(scenarioList) || scenarioList.length === 0) {
    invalidOption(owner, 'scenarios', scenarioList, 'a non-empty array of scenarios');
  }
  const scenarios = scenarioList as readonly Scenario[];
  const names = new Set<string>();
  for (const [i, s] of scenarios.entries()) {
    if (typeof (s as Partial<Scenario>).judge !== 'function') {
      invalidOption(owner, `scenarios[${i}]`, s, 'a scenario made by defineScenario');
    }
    if (names.has(s.name)) {
      invalidOption(owner, `scenarios[${i}].name`, s.name, 'a name no other scenario has');
    }
    names.add(s.name);
  }
  const runsPerScenario = assertInteger(
    owner,
    'runsPerScenario',
    options.runsPerScenario ?? 100,
    1,
  );
  const concurrency = assertInteger(owner, 'concurrency', options.concurrency ?? 4, 1);
  const delay = assertNonNegativeNumber(
    owner,
    'delayBetweenRunsMs',
    options.delayBetweenRunsMs ?? 0,
  );
  const time = assertOneOf(owner, 'time', options.time ?? 'virtual', ['virtual', 'real']);
  const maxFailures = assertInteger(owner, 'maxFailures', options.maxFailures ?? 100, 0);
  const sampleInjections = assertInteger(
    owner,
    'sampleInjections',
    options.sampleInjections ?? 20,
    0,
  );
  const seedOption = options.seed ?? randomSeeded().seed;
  if (!(
    typeof seedOption === 'string' ||
    (typeof seedOption === 'number' && Number.isFinite(seedOption))
  )) {
    invalidOption(owner, 'seed', seedOption, 'a string or a finite number');
  }
  const seed = String(seedOption);
  let clock: Clock;
  if (time === 'virtual') {
    const given = options.clock ?? new VirtualClock({ start: Math.floor(realClock.now()) });
    if (!(given instanceof VirtualClock)) {
      invalidOption(owner, 'clock', given, "a VirtualClock (with time: 'virtual')");
    }
    clock = given;
  } else {
    clock = options.clock ?? realClock;
    if (clock instanceof VirtualClock) {
      invalidOption(owner, 'clock', clock, "a real clock (with time: 'real'; use time: 'virtual')");
    }
  }
  const drive: VirtualTimeDriver = options.drive ?? ((c, work) => c.run(work));
  const name = options.name ?? 'campaign';
  const runsPlanned = runsPerScenario * scenarios.length;
  const recorder =
    options.recorder ?? new MetricsRecorder({ name, seed, clock, plannedRuns: runsPlanned });
  recorder.planRuns(runsPlanned);

  const jobs: Job[] = [];
  const tallies = new Map<string, ScenarioTally>();
  for (const scenario of scenarios) {
    const tally = new ScenarioTally(scenario, maxFailures);
    tallies.set(scenario.name, tally);
    const chaos = resolveChaosConfig({ ...scenario.chaos, enabled: true, seed: scenario.name });
    for (let index = 0; index < runsPerScenario; index++) {
      jobs.push({ number: jobs.length, scenario, tally, chaos, index });
    }
  }
  const workflows = new Map<string, Workflow<I, R>>();
  const workflowFor = (scenario: Scenario): Workflow<I, R> => {
    const given = options.workflow;
    if (typeof given !== 'function') return given;
    let made = workflows.get(scenario.name);
    if (made === undefined) {
      made = given(scenario);
      workflows.set(scenario.name, made);
    }
    return made;
  };

  const campaign = {};
  const digests: (RunDigest | undefined)[] = new Array<RunDigest | undefined>(jobs.length);
  const sampled = new Map<string, SampledInjection[]>();
  const byKind: Record<string, number> = {};
  let injections = 0;
  let inSucceededRuns = 0;
  let inFailedRuns = 0;
  let runsDone = 0;
  let runsFailed = 0;
  let failures = 0;
  let virtualMs = 0;
  let next = 0;
  const state = { aborted: false };
  const signal = options.signal;
  const wallStart = realClock.now();
  const startedAt = clock.now();

  const finish = (job: Job, outcome: RunOutcome<R>): void => {
    const { analysis } = outcome;
    recordRunMetrics(recorder, outcome);
    job.tally.add(outcome);
    runsDone++;
    virtualMs += analysis.durationMs;
    if (analysis.status === 'failed') runsFailed++;
    if (!outcome.passed) failures++;
    const ok = analysis.status === 'completed';
    const error =
      analysis.error === undefined
        ? null
        : { name: analysis.error.name, message: analysis.error.message };
    let kept = sampled.get(job.scenario.name);
    if (kept === undefined) {
      kept = [];
      sampled.set(job.scenario.name, kept);
    }
    for (const record of analysis.injections) {
      injections++;
      byKind[record.kind] = (byKind[record.kind] ?? 0) + 1;
      if (ok) inSucceededRuns++;
      else inFailedRuns++;
      if (kept.length < sampleInjections) {
        kept.push({
          run: job.number,
          scenario: job.scenario.name,
          seed: outcome.seed,
          record,
          recovered: ok,
          error,
        });
      }
    }
    digests[job.number] = {
      scenario: job.scenario.name,
      index: job.index,
      seed: outcome.seed,
      status: analysis.status,
      crashed: analysis.crashed,
      degraded: analysis.degraded,
      durationMs: analysis.durationMs,
      injections: analysis.injections.length,
      error,
      passed: outcome.passed,
      failedLines: outcome.lines.filter((l) => l.passed === false).map((l) => l.id),
    };
    options.onRun?.(outcome);
    options.onProgress?.({
      runsDone,
      runsPlanned,
      failures,
      runsFailed,
      last: {
        scenario: job.scenario.name,
        seed: outcome.seed,
        status: analysis.status,
        passed: outcome.passed,
      },
      wallMs: realClock.now() - wallStart,
      virtualMs,
    });
  };

  const worker = async (): Promise<void> => {
    let first = true;
    for (;;) {
      if (signal?.aborted === true) {
        state.aborted ||= next < jobs.length;
        return;
      }
      const job = jobs[next++];
      if (job === undefined) return;
      if (!first && delay > 0) await clock.sleep(delay);
      first = false;
      const outcome = await executeRun({
        scenario: job.scenario,
        chaos: job.chaos,
        workflow: workflowFor(job.scenario),
        input: options.input,
        seed: runSeed(seed, job.scenario.name, job.index),
        index: job.index,
        clock,
        virtual: time === 'virtual',
        owner: campaign,
        signal,
        onStart: (runId, at) => {
          recorder.startRun({ runId, scenario: job.scenario.name, seed: runId, at });
        },
      });
      finish(job, outcome);
    }
  };

  const observer = observePolicies(campaign);
  const subscription =
    options.subscribe === false
      ? undefined
      : subscribeMetrics(recorder, {
          ignore: bookkeeping,
          currentRun: () => currentRunOf(campaign),
        });
  try {
    const pool = Promise.all(
      Array.from({ length: Math.min(concurrency, jobs.length) }, () => worker()),
    );
    if (clock instanceof VirtualClock && time === 'virtual') await drive(clock, pool);
    else await pool;
  } finally {
    subscription?.dispose();
    observer.dispose();
  }

  const metrics = recorder.summary();
  const summaries = scenarios.map((s) =>
    (tallies.get(s.name) as ScenarioTally).summary(metrics.scenarios[s.name]),
  );
  const allFailures = scenarios.flatMap((s) => (tallies.get(s.name) as ScenarioTally).failures);
  let omittedFailures = 0;
  for (const tally of tallies.values()) omittedFailures += tally.omittedFailures;
  return {
    name,
    seed,
    time,
    runsPerScenario,
    concurrency,
    runs: runsDone,
    runsPlanned,
    aborted: state.aborted,
    startedAt,
    finishedAt: clock.now(),
    wallMs: realClock.now() - wallStart,
    virtualMs,
    passed: !state.aborted && failures === 0,
    scenarios: summaries,
    failures: allFailures,
    omittedFailures,
    runDigests: digests.filter((d): d is RunDigest => d !== undefined),
    chaos: {
      injections,
      byKind,
      inSucceededRuns,
      inFailedRuns,
      sample: scenarios.flatMap((s) => sampled.get(s.name) ?? []),
    },
    metrics,
  };
}
