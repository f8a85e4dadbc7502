import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  assertFunction,
  assertInteger,
  assertPositiveNumber,
  assertProbability,
  assertRecord,
  channelNames,
  invalidOption,
  onAbort,
  randomSeeded,
  realClock,
  VirtualClock,
  type ChannelMessage,
  type Clock,
  type Seed,
  type TimerHandle,
} from '../core/index.ts';
import { resolveFaultKind, type KillSwitchEvent, type KillSwitchTrigger } from '../faults/index.ts';
import type { MetricsSummary } from '../metrics/index.ts';
import { ProxyClient, type ToxicInput } from '../proxy/client/index.ts';
import { evaluateExpectations, type ObservedBehaviour } from './experiment-expectations.ts';
import { isBuiltinProbe, measureBuiltinProbe, readMetric } from './experiment-probes.ts';
import type {
  ExperimentJournal,
  JournalEvent,
  MethodRecord,
  MethodStepRecord,
  ProbeReading,
  SteadyStateRecord,
} from './experiment-runner-journal.ts';
import { writeExperimentJournal } from './experiment-runner-journal.ts';
import { channelsOf, observeLogs } from './experiment-runner-observe.ts';
import {
  evaluateCriteria,
  expectationLines,
  observedFromFigures,
  type ExperimentResultSummary,
} from './experiment-runner-result.ts';
import type {
  BatchChaos,
  ExperimentAlert,
  ExperimentBatchResult,
  ExperimentPhase,
  ExperimentProgress,
  ExperimentRunStatus,
  McpFaultInjection,
  RegisteredProbe,
  RegisteredRollback,
  RunBatch,
  ToxicClient,
} from './experiment-runner-types.ts';
import { planMethod, untilOf, type FaultSwitches } from './experiment-runner-windows.ts';
import type {
  Experiment,
  ExperimentTime,
  ProbeSpec,
  RollbackAction,
  ToxicActionSpec,
} from './experiment-schema.ts';
import { checkTolerance, describeTolerance, formatMeasurement } from './experiment-tolerance.ts';

/** Options of {@link runExperiment}. */
export interface RunExperimentOptions {
  /** Runs the batches of workflow runs against the system under test. */
  readonly runBatch: RunBatch;
  /**
   * Workflow runs of the method.
   * @default the experiment's `runs`
   */
  readonly runs?: number;
  /**
   * Workflow runs of each steady-state check (before and after the method).
   * @default the method's runs
   */
  readonly steadyStateRuns?: number;
  /**
   * The seed of the whole experiment (each batch and run derives its own from it).
   * @default the experiment's `seed`, else a fresh one (recorded in the journal)
   */
  readonly seed?: Seed;
  /**
   * Virtual or real time.
   * @default the experiment's `time`
   */
  readonly time?: ExperimentTime;
  /**
   * The experiment's clock, handed to every batch.
   * @default a new `VirtualClock` starting now in virtual time, `realClock` in real time
   */
  readonly clock?: Clock;
  /**
   * Overrides the probability of every fault and MCP fault of the method (0..1).
   * @default each fault's own
   */
  readonly failureRate?: number;
  /**
   * Only inject method actions of these fault kinds (aliases accepted: `timeout` is `hang`);
   * toxics count as `network`. The others are journaled as skipped.
   * @default every action
   */
  readonly faultKinds?: readonly string[];
  /**
   * Caps how long faults are injected, in ms: from each run's start for run-scoped faults, from
   * the method's start for experiment-scoped faults, MCP faults and toxics.
   * @default each action's own duration
   */
  readonly durationMs?: number;
  /**
   * Steady-state probes the system registers, by name (the names given to the loader as
   * `probes`).
   * @default {}
   */
  readonly probes?: Readonly<Record<string, RegisteredProbe>>;
  /**
   * Rollback actions the system registers, by name (the names given to the loader as `actions`).
   * @default {}
   */
  readonly rollbacks?: Readonly<Record<string, RegisteredRollback>>;
  /**
   * The client of a chaos proxy's admin API, for toxics and proxy rollbacks.
   * @default (admin) => a `ProxyClient` for `admin`
   */
  readonly toxicClient?: (admin: string) => ToxicClient;
  /**
   * Trips the kill switch by hand when it aborts (the CLI aborts it on SIGUSR2): injection stops,
   * the batch in flight is cancelled, the rollbacks run and `onAlert` is called. Its reason
   * (a string or an Error's message) is the alert's detail.
   * @default undefined
   */
  readonly killSignal?: AbortSignal;
  /**
   * Writes the journal there, atomically, after each phase and at the end.
   * @default undefined (the journal is only returned)
   */
  readonly journalPath?: string;
  /**
   * The run's id (journal, history).
   * @default experimentRunId(experiment.id, clock.now())
   */
  readonly runId?: string;
  /**
   * Diagnostics-channel messages of `observe.logs` kept in full in the journal (all are counted).
   * @default 1000
   */
  readonly maxLogEntries?: number;
  /** Called after each workflow run, for progress bars. @default undefined */
  readonly onProgress?: (progress: ExperimentProgress) => void;
  /** Called with each line of the journal's timeline as it happens. @default undefined */
  readonly onEvent?: (event: JournalEvent) => void;
  /** Called when the kill switch trips. @default undefined */
  readonly onAlert?: (alert: ExperimentAlert) => void;
}

/** What {@link runExperiment} returns. */
export interface ExperimentRun {
  /** The run's id (journal, history). */
  readonly id: string;
  readonly experiment: Experiment;
  readonly seed: string;
  readonly status: ExperimentRunStatus;
  /** `null` when not judged (skipped, aborted, failed). */
  readonly hypothesisConfirmed: boolean | null;
  /** The hypothesis was confirmed: the CI gate. */
  readonly passed: boolean;
  /** What the reports read (the reports' `ExperimentResultInput`). */
  readonly result: ExperimentResultSummary;
  /** Everything that happened. */
  readonly journal: ExperimentJournal;
  /** The method's metrics (the steady state's before, when the method did not run). */
  readonly metrics: MetricsSummary | undefined;
}

const owner = 'runExperiment';

/**
 * A fresh id for a run of experiment `id` started at `at` (epoch ms):
 * `experiment-<id>-<UTC time>-<4 hex digits>`.
 */
export function experimentRunId(id: string, at: number): string {
  const time = new Date(at)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const suffix = randomSeeded().int(0, 0xffff).toString(16).padStart(4, '0');
  return `experiment-${id}-${time}-${suffix}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function reasonText(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string' && reason !== '') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'tripped by hand';
}

function defaultToxicClient(admin: string): ToxicClient {
  const client = new ProxyClient(admin);
  return {
    addToxic: (proxy, input) => client.addToxic(proxy, input as unknown as ToxicInput),
    removeToxic: (proxy, name) => client.removeToxic(proxy, name),
    toxics: (proxy) => client.toxics(proxy),
    reset: () => client.reset(),
  };
}

/** The batches of a run share the experiment run's async context, to attribute channel events. */
const batchContext = new AsyncLocalStorage<object>();

function validate(experiment: Experiment, options: RunExperimentOptions) {
  assertRecord(owner, 'experiment', experiment);
  if (!Array.isArray(experiment.method) || typeof experiment.steadyState !== 'object') {
    invalidOption(owner, 'experiment', experiment, 'a validated experiment (see loadExperiment)');
  }
  assertRecord(owner, 'options', options);
  assertFunction(owner, 'runBatch', options.runBatch);
  const runs = assertInteger(owner, 'runs', options.runs ?? experiment.runs, 1);
  const steadyStateRuns = assertInteger(
    owner,
    'steadyStateRuns',
    options.steadyStateRuns ?? runs,
    1,
  );
  if (options.failureRate !== undefined)
    assertProbability(owner, 'failureRate', options.failureRate);
  if (options.durationMs !== undefined)
    assertPositiveNumber(owner, 'durationMs', options.durationMs);
  let faultKinds: Set<string> | undefined;
  if (options.faultKinds !== undefined) {
    const kinds = options.faultKinds as unknown;
    if (!Array.isArray(kinds) || kinds.length === 0) {
      invalidOption(owner, 'faultKinds', kinds, 'a non-empty array of fault kinds');
    }
    faultKinds = new Set();
    options.faultKinds.forEach((kind, i) => {
      const resolved = typeof kind === 'string' ? resolveFaultKind(kind) : undefined;
      if (resolved === undefined) {
        invalidOption(owner, `faultKinds[${i}]`, kind, 'a fault kind, e.g. network, disk, hang');
      }
      faultKinds?.add(resolved);
    });
  }
  const maxLogEntries = assertInteger(owner, 'maxLogEntries', options.maxLogEntries ?? 1000, 0);
  const seed = options.seed ?? experiment.seed ?? randomSeeded().seed;
  if (typeof seed !== 'string' && !(typeof seed === 'number' && Number.isFinite(seed))) {
    invalidOption(owner, 'seed', seed, 'a string or a finite number');
  }
  const time = options.time ?? experiment.time;
  if ((time as string) !== 'virtual' && (time as string) !== 'real')
    invalidOption(owner, 'time', time, "'virtual' or 'real'");
  return { runs, steadyStateRuns, faultKinds, maxLogEntries, seed: String(seed), time };
}

/**
 * Runs an experiment as Chaos Toolkit does, against a system reached through `runBatch`:
 *
 * 1. **Steady state before**: a batch of runs without faults; its probes must be within
 *    tolerance, else the method is skipped (status `skipped`).
 * 2. **Method**: a batch of runs under the method's faults, each active in its window (offsets
 *    from each run's start for `scope: run`, from the method's start for `scope: experiment`);
 *    toxics are added to and removed from their proxies through the admin API on the method's
 *    timeline; MCP faults go to the system with the batch; `observe` metrics and channel logs are
 *    recorded.
 * 3. **Steady state after**: another batch without faults; probes out of tolerance mean the
 *    system did not come back (status `deviated`).
 * 4. **Rollbacks**, per strategy: `always`, `on-deviation` (deviated or failed), `never`.
 *
 * The **kill switch** trips on the error rate of the calls a run's faults see or on a run that
 * stops answering (per run, as the faults layer's kill switch), on a batch that finishes no run
 * for `unresponsive`, or by hand (`killSignal`, SIGUSR2 in the CLI). It stops injection at once,
 * cancels the batch, runs the rollbacks whatever the strategy (restoring normal operation is its
 * job), calls `onAlert` and ends the experiment as `aborted`.
 *
 * The hypothesis is confirmed when the steady state held after the method and no success
 * criterion or expected-behaviour line failed. Everything is in the returned journal (and in
 * `journalPath`, written atomically).
 *
 * @example
 * ```ts
 * const experiment = await loadExperiment('experiments/tool-server-down.yaml');
 * const run = await runExperiment(experiment, { runBatch, journalPath: 'journal.json' });
 * if (!run.passed) process.exitCode = 1;
 * ```
 */
export async function runExperiment(
  experiment: Experiment,
  options: RunExperimentOptions,
): Promise<ExperimentRun> {
  const settings = validate(experiment, options);
  const { runs, steadyStateRuns, seed, time } = settings;
  const clock =
    options.clock ??
    (time === 'virtual' ? new VirtualClock({ start: realClock.now() }) : realClock);
  const toxicClient = options.toxicClient ?? defaultToxicClient;
  const startedAt = clock.now();
  const id = options.runId ?? experimentRunId(experiment.id, realClock.now());
  const at = (): number => clock.now() - startedAt;

  const journal: ExperimentJournal = {
    format: 'faultline.experiment-journal',
    version: 1,
    id,
    experiment: {
      id: experiment.id,
      title: experiment.title,
      hypothesis: experiment.hypothesis,
      system: experiment.system,
      tags: experiment.tags,
      spec: JSON.parse(JSON.stringify(experiment)) as unknown,
    },
    seed,
    runs,
    steadyStateRuns,
    time,
    startedAt,
    finishedAt: null,
    status: 'running',
    hypothesisConfirmed: null,
    steadyStateBefore: null,
    method: null,
    steadyStateAfter: null,
    criteria: [],
    expectations: [],
    killSwitch: null,
    rollback: {
      strategy: experiment.rollback.strategy,
      ran: false,
      reason: 'not reached',
      actions: [],
    },
    error: null,
    events: [],
    result: null,
    metrics: null,
  };
  const event = (
    type: JournalEvent['type'],
    detail: string,
    extra: { phase?: ExperimentPhase; data?: unknown } = {},
  ): void => {
    const entry: JournalEvent = { atMs: at(), type, detail, ...extra };
    journal.events.push(entry);
    options.onEvent?.(entry);
  };
  const save = async (): Promise<void> => {
    if (options.journalPath !== undefined)
      await writeExperimentJournal(options.journalPath, journal);
  };

  // Stops everything: a tripped kill switch or a failure to carry out the method.
  const stop = new AbortController();
  const stopped = (): boolean => stop.signal.aborted;
  const switches: FaultSwitches = { inProcess: false, mcp: false };
  let phase: ExperimentPhase | undefined;
  let finished = false;
  let failure: string | undefined;

  const trip = (trigger: KillSwitchTrigger, detail: string): void => {
    if (finished || journal.killSwitch !== null || failure !== undefined) return;
    journal.killSwitch = { trigger, detail, phase, atMs: at() };
    switches.inProcess = true;
    switches.mcp = true;
    stop.abort(new Error(`kill switch (${trigger}): ${detail}`));
    event('kill-switch', `kill switch tripped (${trigger}): ${detail}`, {
      ...(phase === undefined ? {} : { phase }),
      data: { trigger },
    });
    const alert: ExperimentAlert = {
      experiment: experiment.id,
      runId: id,
      trigger,
      detail,
      phase,
      atMs: at(),
    };
    try {
      options.onAlert?.(alert);
    } catch (error) {
      event('error', `onAlert threw: ${message(error)}`);
    }
  };
  const fail = (detail: string): void => {
    if (failure !== undefined || journal.killSwitch !== null) return;
    failure = detail;
    journal.error = detail;
    switches.inProcess = true;
    switches.mcp = true;
    event('error', detail, phase === undefined ? {} : { phase });
    if (!stop.signal.aborted) stop.abort(new Error(detail));
  };
  const removeKillListener = onAbort(options.killSignal, () => {
    trip('manual', reasonText(options.killSignal as AbortSignal));
  });

  const runPhase = async (
    current: ExperimentPhase,
    batchRuns: number,
    chaos: BatchChaos | undefined,
    mcpFaults: readonly McpFaultInjection[],
  ): Promise<ExperimentBatchResult | undefined> => {
    phase = current;
    if (stopped()) return undefined;
    event('phase-started', `${current}: ${String(batchRuns)} runs`, { phase: current });
    const unresponsiveMs = experiment.killSwitch.unresponsiveMs;
    let watchdog: TimerHandle | undefined;
    const arm = (): void => {
      if (unresponsiveMs === false || stop.signal.aborted) return;
      if (watchdog !== undefined) clock.clearTimer(watchdog);
      watchdog = clock.setTimer(unresponsiveMs, () => {
        watchdog = undefined;
        trip('unresponsive', `no run finished for ${formatMeasurement(unresponsiveMs, 'ms')}`);
      });
    };
    const token = {};
    const onKillSwitch = (raw: unknown): void => {
      if (batchContext.getStore() !== token) return;
      const { event: e } = raw as ChannelMessage<KillSwitchEvent>;
      trip(e.trigger, `run ${e.scope}: ${e.detail}`);
    };
    if (chaos !== undefined) subscribe(channelNames.killSwitch, onKillSwitch);
    arm();
    try {
      const result = await batchContext.run(token, () =>
        options.runBatch({
          experiment,
          phase: current,
          runs: batchRuns,
          seed,
          chaos,
          mcpFaults,
          configuration: experiment.configuration,
          time,
          clock,
          signal: stop.signal,
          onProgress: (progress) => {
            arm();
            options.onProgress?.({ phase: current, ...progress });
          },
        }),
      );
      // A batch stopped by the kill switch still reports the runs it made (partial figures).
      const loose = result as
        { summary?: { campaign?: { runs?: { total?: unknown } } } } | null | undefined;
      const runsTotal = loose?.summary?.campaign?.runs?.total;
      if (typeof runsTotal !== 'number') {
        if (stopped()) return undefined;
        fail(
          `the ${current} batch returned no metrics summary (runBatch must resolve to { summary })`,
        );
        return undefined;
      }
      return result;
    } catch (error) {
      if (!stop.signal.aborted) fail(`the ${current} batch failed: ${message(error)}`);
      return undefined;
    } finally {
      if (watchdog !== undefined) clock.clearTimer(watchdog);
      if (chaos !== undefined) unsubscribe(channelNames.killSwitch, onKillSwitch);
    }
  };

  const readProbe = async (
    probe: ProbeSpec,
    current: ExperimentPhase,
    result: ExperimentBatchResult,
  ): Promise<ProbeReading> => {
    const figures = result.summary.campaign;
    let value: number | boolean | null = null;
    let error: string | undefined;
    if (isBuiltinProbe(probe.probe)) {
      value = measureBuiltinProbe(figures, probe.probe, probe.percentile, probe.metric);
    } else {
      const registered = options.probes?.[probe.probe];
      if (registered === undefined) {
        error = `probe '${probe.probe}' is not registered`;
      } else {
        try {
          value = await registered({
            experiment,
            phase: current,
            args: probe.args,
            figures,
            summary: result.summary,
          });
        } catch (e) {
          error = `probe '${probe.probe}' threw: ${message(e)}`;
        }
      }
    }
    const ok =
      error === undefined &&
      (value === null ? figures.runs.total > 0 : checkTolerance(probe.tolerance, value));
    const shown =
      error !== undefined
        ? 'error'
        : value === null
          ? 'not measured'
          : typeof value === 'boolean'
            ? String(value)
            : formatMeasurement(value, probe.unit);
    return {
      name: probe.name,
      probe: probe.probe,
      unit: probe.unit,
      tolerance: describeTolerance(probe.tolerance, probe.unit),
      value,
      shown,
      ok,
      ...(error === undefined ? {} : { error }),
    };
  };

  const steadyState = async (
    current: 'steady-state-before' | 'steady-state-after',
  ): Promise<SteadyStateRecord | undefined> => {
    const startedAtMs = at();
    const result = await runPhase(current, steadyStateRuns, undefined, []);
    if (result === undefined || stopped()) return undefined;
    const probes: ProbeReading[] = [];
    for (const probe of experiment.steadyState.probes) {
      const reading = await readProbe(probe, current, result);
      probes.push(reading);
      event(
        'probe',
        `${reading.name}: ${reading.shown} (tolerance ${reading.tolerance}) ${reading.ok ? 'ok' : 'NOT MET'}${reading.error === undefined ? '' : ` — ${reading.error}`}`,
        { phase: current, data: { ok: reading.ok, value: reading.value } },
      );
    }
    const record: SteadyStateRecord = {
      phase: current,
      title: experiment.steadyState.title,
      met: probes.every((p) => p.ok),
      runs: result.summary.campaign.runs.total,
      startedAtMs,
      endedAtMs: at(),
      probes,
      figures: result.summary.campaign,
      ...(result.journal === undefined ? {} : { batch: result.journal }),
    };
    event('phase-finished', `${current}: steady state ${record.met ? 'met' : 'NOT met'}`, {
      phase: current,
    });
    journal.metrics ??= result.summary;
    return record;
  };

  const runMethod = async (): Promise<{ observed: ObservedBehaviour | undefined }> => {
    const origin = clock.now();
    const tuning = {
      failureRate: options.failureRate,
      faultKinds: settings.faultKinds,
      durationMs: options.durationMs,
    };
    const plan = planMethod(experiment, tuning, origin, switches);
    const skipped = new Map(plan.skipped.map((s) => [s.action, s.reason]));
    const steps: MethodStepRecord[] = experiment.method.map((action) => {
      const reason = skipped.get(action);
      return {
        name: action.name,
        type: action.type,
        kind:
          action.type === 'pause'
            ? undefined
            : action.type === 'toxic'
              ? action.toxic.type
              : action.fault.kind,
        scope: action.type === 'pause' ? undefined : action.scope,
        atMs: action.atMs,
        durationMs: action.durationMs,
        status: reason === undefined ? 'not-reached' : 'skipped',
        ...(reason === undefined ? {} : { note: reason }),
      };
    });
    const stepOf = (name: string): MethodStepRecord =>
      steps.find((s) => s.name === name) as MethodStepRecord;
    const record: MethodRecord = {
      startedAtMs: at(),
      endedAtMs: at(),
      runs: 0,
      runsPlanned: runs,
      steps,
      figures: null,
      observed: null,
      metrics: {},
      logs: null,
    };
    journal.method = record;

    const added: { admin: string; proxy: string; name: string }[] = [];
    const timers: TimerHandle[] = [];
    const pending = new Set<Promise<void>>();
    const track = (work: Promise<void>): void => {
      pending.add(work);
      void work.finally(() => pending.delete(work));
    };
    const apply = async (toxic: ToxicActionSpec): Promise<void> => {
      const step = stepOf(toxic.name);
      if (stop.signal.aborted) return;
      try {
        await toxicClient(toxic.admin).addToxic(toxic.proxy, {
          type: toxic.toxic.type,
          name: toxic.toxic.name,
          stream: toxic.toxic.stream,
          toxicity: toxic.toxic.toxicity,
          attributes: { ...toxic.toxic.attributes },
        });
        step.status = 'applied';
        step.appliedAtMs = at();
        added.push({ admin: toxic.admin, proxy: toxic.proxy, name: toxic.toxic.name });
        event(
          'step',
          `toxic '${toxic.toxic.name}' (${toxic.toxic.type}) added to proxy '${toxic.proxy}'`,
          {
            phase: 'method',
          },
        );
      } catch (error) {
        step.status = 'failed';
        step.error = message(error);
        fail(
          `toxic '${toxic.toxic.name}' could not be added to proxy '${toxic.proxy}' at ${toxic.admin}: ${message(error)}`,
        );
      }
    };
    const remove = async (toxic: ToxicActionSpec, why: string): Promise<void> => {
      const step = stepOf(toxic.name);
      if (step.status !== 'applied') return;
      try {
        await toxicClient(toxic.admin).removeToxic(toxic.proxy, toxic.toxic.name);
        step.status = 'removed';
        step.removedAtMs = at();
        const i = added.findIndex((a) => a.admin === toxic.admin && a.name === toxic.toxic.name);
        if (i >= 0) added.splice(i, 1);
        event('step', `toxic '${toxic.toxic.name}' removed from proxy '${toxic.proxy}' (${why})`, {
          phase: 'method',
        });
      } catch (error) {
        step.error = `could not be removed: ${message(error)}`;
        event('error', `toxic '${toxic.toxic.name}' could not be removed: ${message(error)}`, {
          phase: 'method',
        });
      }
    };
    for (const toxic of plan.toxics) {
      const untilMs = untilOf(toxic.atMs, toxic.durationMs, options.durationMs);
      if (toxic.atMs === 0) await apply(toxic);
      else
        timers.push(
          clock.setTimer(toxic.atMs, () => {
            track(apply(toxic));
          }),
        );
      if (untilMs !== undefined) {
        timers.push(
          clock.setTimer(untilMs, () => {
            track(remove(toxic, 'its window ended'));
          }),
        );
      }
    }
    for (const action of experiment.method) {
      if (action.type === 'pause') {
        stepOf(action.name).status = 'waited';
      }
    }

    const logs = observeLogs(channelsOf(experiment.observe.logs), settings.maxLogEntries, at);
    let result: ExperimentBatchResult | undefined;
    try {
      if (!stop.signal.aborted) result = await runPhase('method', runs, plan.chaos, plan.mcp);
    } finally {
      record.logs = logs.stop();
      for (const timer of timers) clock.clearTimer(timer);
      await Promise.all([...pending]);
      for (const toxic of plan.toxics) await remove(toxic, 'the method ended');
      // Faults of the method end with it (their windows are the method's).
      added.length = 0;
      record.endedAtMs = at();
    }
    const summary = result?.summary;
    const byFault = summary?.faults.byFault ?? {};
    for (const step of steps) {
      if (step.type === 'fault' || step.type === 'mcp-fault') {
        if (step.status === 'skipped') continue;
        step.status = summary === undefined ? 'not-reached' : 'ended';
        step.injections = byFault[step.name] ?? 0;
        if (summary !== undefined && step.injections === 0) step.note = 'no injection made';
      }
    }
    if (result === undefined || summary === undefined) return { observed: undefined };
    journal.metrics = summary;
    record.runs = summary.campaign.runs.total;
    record.figures = summary.campaign;
    const observed = result.observed ?? observedFromFigures(summary.campaign);
    record.observed = observed;
    for (const path of experiment.observe.metrics) {
      record.metrics[path] = readMetric(summary.campaign, path);
    }
    if (result.journal !== undefined) record.batch = result.journal;
    event(
      'phase-finished',
      `method: ${String(record.runs)} runs, ${String(summary.faults.injections)} injections`,
      { phase: 'method' },
    );
    return { observed };
  };

  const runRollback = async (action: RollbackAction): Promise<void> => {
    const done = (status: 'succeeded' | 'failed', detail?: string): void => {
      journal.rollback.actions.push({
        name: action.name,
        action: action.action === 'custom' ? action.registered : action.action,
        status,
        atMs: at(),
        ...(detail === undefined ? {} : { detail }),
      });
      event('rollback', `${action.name}: ${status}${detail === undefined ? '' : ` (${detail})`}`);
    };
    try {
      switch (action.action) {
        case 'clear-faults':
          switches.inProcess = true;
          done('succeeded', 'in-process faults of the experiment stopped');
          return;
        case 'clear-mcp-faults': {
          if (action.server === undefined) switches.mcp = true;
          else if (switches.mcp !== true) {
            const cleared = switches.mcp === false ? new Set<string>() : switches.mcp;
            cleared.add(action.server);
            switches.mcp = cleared;
          }
          done('succeeded', `MCP faults of ${action.server ?? 'every server'} stopped`);
          return;
        }
        case 'remove-toxics': {
          const client = toxicClient(action.admin);
          let removed = 0;
          if (action.proxy !== undefined) {
            for (const toxic of await client.toxics(action.proxy)) {
              await client.removeToxic(action.proxy, toxic.name);
              removed++;
            }
          } else {
            const ours = (journal.method?.steps ?? []).filter(
              (s) => s.type === 'toxic' && s.status === 'applied',
            );
            for (const step of ours) {
              const spec = experiment.method.find((a) => a.name === step.name);
              if (spec?.type !== 'toxic' || spec.admin !== action.admin) continue;
              await client.removeToxic(spec.proxy, spec.toxic.name);
              step.status = 'removed';
              step.removedAtMs = at();
              removed++;
            }
          }
          done('succeeded', `${String(removed)} toxic(s) removed`);
          return;
        }
        case 'reset-proxies':
          await toxicClient(action.admin).reset();
          done('succeeded', `proxies at ${action.admin} reset`);
          return;
        case 'custom': {
          const registered = options.rollbacks?.[action.registered];
          if (registered === undefined) {
            done('failed', `rollback action '${action.registered}' is not registered`);
            return;
          }
          await registered({ experiment, args: action.args });
          done('succeeded');
          return;
        }
      }
    } catch (error) {
      done('failed', message(error));
    }
  };

  const rollback = async (status: ExperimentRunStatus): Promise<void> => {
    const strategy = experiment.rollback.strategy;
    let run: boolean;
    let reason: string;
    if (status === 'aborted') {
      run = true;
      reason = 'the kill switch tripped: restoring normal operation';
    } else if (strategy === 'never') {
      run = false;
      reason = 'strategy is never';
    } else if (strategy === 'always') {
      run = true;
      reason = 'strategy is always';
    } else {
      run = status === 'deviated' || status === 'failed';
      reason = `strategy is on-deviation and the experiment ${run ? '' : 'did not deviate: it '}${status === 'deviated' ? 'deviated' : status}`;
    }
    journal.rollback.ran = run;
    journal.rollback.reason = reason;
    if (!run) {
      event('rollback', `rollbacks not run: ${reason}`);
      return;
    }
    event('rollback', `rollbacks run: ${reason}`);
    for (const action of experiment.rollback.actions) await runRollback(action);
  };

  event(
    'experiment-started',
    `${experiment.title} (seed ${seed}, ${String(runs)} runs, ${time} time)`,
  );
  let observed: ObservedBehaviour | undefined;
  try {
    journal.steadyStateBefore = (await steadyState('steady-state-before')) ?? null;
    await save();
    const beforeMet = journal.steadyStateBefore?.met === true;
    if (beforeMet && !stopped()) {
      observed = (await runMethod()).observed;
      await save();
      if (!stopped()) {
        journal.steadyStateAfter = (await steadyState('steady-state-after')) ?? null;
      }
    }
  } finally {
    removeKillListener();
  }
  phase = undefined;

  let status: ExperimentRunStatus;
  if (failure !== undefined) status = 'failed';
  else if (journal.killSwitch !== null) status = 'aborted';
  else if (journal.steadyStateBefore?.met !== true) status = 'skipped';
  else status = journal.steadyStateAfter?.met === true ? 'completed' : 'deviated';

  let hypothesisConfirmed: boolean | null = null;
  const methodFigures = journal.method?.figures ?? null;
  if ((status === 'completed' || status === 'deviated') && methodFigures !== null) {
    const seen = observed ?? observedFromFigures(methodFigures);
    journal.criteria = evaluateCriteria(
      experiment.successCriteria,
      methodFigures,
      seen,
      status === 'completed',
    );
    journal.expectations = evaluateExpectations(experiment.expected, seen);
    hypothesisConfirmed =
      status === 'completed' &&
      journal.criteria.every((c) => c.met !== false) &&
      journal.expectations.every((e) => e.passed !== false);
  }

  // Judged: a late trip (during the rollbacks) no longer changes the outcome.
  finished = true;
  await rollback(status);
  journal.status = status;
  journal.hypothesisConfirmed = hypothesisConfirmed;
  journal.finishedAt = clock.now();

  const before = new Map((journal.steadyStateBefore?.probes ?? []).map((p) => [p.name, p]));
  const after = new Map((journal.steadyStateAfter?.probes ?? []).map((p) => [p.name, p]));
  const kinds = new Set<string>();
  for (const action of experiment.method) {
    if (action.type === 'pause') continue;
    const kind = action.type === 'toxic' ? 'network' : action.fault.kind;
    kinds.add(resolveFaultKind(kind) ?? kind);
  }
  const figures = methodFigures ?? journal.steadyStateBefore?.figures ?? undefined;
  const result: ExperimentResultSummary = {
    id: experiment.id,
    title: experiment.title,
    hypothesis: experiment.hypothesis,
    seed,
    runs: figures?.runs.total ?? 0,
    status,
    hypothesisConfirmed,
    faultKinds: [...kinds].sort(),
    durationMs: journal.finishedAt - startedAt,
    steadyState: experiment.steadyState.probes.map((probe) => {
      const b = before.get(probe.name);
      const a = after.get(probe.name);
      return {
        name: probe.name,
        tolerance: describeTolerance(probe.tolerance, probe.unit),
        ...(b === undefined ? {} : { before: { value: b.shown, ok: b.ok } }),
        ...(a === undefined ? {} : { after: { value: a.shown, ok: a.ok } }),
      };
    }),
    criteria: journal.criteria,
    expectations: expectationLines(journal.expectations),
    ...(figures === undefined ? {} : { figures }),
    ...(journal.killSwitch === null
      ? {}
      : { killSwitch: { trigger: journal.killSwitch.trigger, detail: journal.killSwitch.detail } }),
    rollback: { strategy: experiment.rollback.strategy, ran: journal.rollback.ran },
  };
  journal.result = result;
  event(
    'experiment-finished',
    `${status}; hypothesis ${hypothesisConfirmed === null ? 'not judged' : hypothesisConfirmed ? 'confirmed' : 'NOT confirmed'}`,
  );
  await save();
  return {
    id,
    experiment,
    seed,
    status,
    hypothesisConfirmed,
    passed: hypothesisConfirmed === true,
    result,
    journal,
    metrics: journal.metrics ?? undefined,
  };
}
