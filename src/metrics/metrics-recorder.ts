import {
  assertFiniteNumber,
  assertInteger,
  assertNonNegativeNumber,
  assertOneOf,
  assertProbability,
  Emitter,
  invalidOption,
  realClock,
  type ChannelMessage,
  type Clock,
  type Event,
  type Seed,
} from '../core/index.ts';
import { BoundedLog } from './bounded-log.ts';
import { ChannelFigures, counterKey, sortedRecord, type EventDraft } from './channel-figures.ts';
import { errorText } from './channel-payloads.ts';
import { defaultHistogramBoundsMs, type DistributionOptions } from './distribution.ts';
import { FigureSet, type Resolution } from './figure-set.ts';
import { IntervalUnion } from './interval-union.ts';
import { assertRelativeAccuracy } from './quantile-sketch.ts';
import { TimeBuckets, timelineField } from './time-buckets.ts';
import type {
  FailureRecord,
  MetricsEvent,
  MetricsEventCategory,
  MetricsFigures,
  MetricsProgress,
  MetricsSettings,
  MetricsSnapshot,
  MetricsSummary,
  RunRecord,
} from './types.ts';

/** Options of a {@link MetricsRecorder}. */
export interface MetricsRecorderOptions {
  /**
   * The campaign's name, in every snapshot.
   * @default 'campaign'
   */
  name?: string;
  /**
   * The campaign's seed, echoed in every snapshot so every number can state it.
   * @default undefined
   */
  seed?: Seed;
  /**
   * Where times come from when a `record…` call gives none, and the time of snapshots and
   * channel events. Share the campaign's clock (a `VirtualClock` in a simulated campaign).
   * @default realClock
   */
  clock?: Clock;
  /**
   * Start of the recorder's timeline (for availability without runs and for the progress
   * timeline).
   * @default clock.now() at construction
   */
  startedAt?: number;
  /**
   * Where MTTR-A starts: at the failure (its injection) or at its detection, when a detection
   * time was recorded (else at the failure).
   * @default 'injection'
   */
  mttrFrom?: 'injection' | 'detection';
  /**
   * The success-rate SLO the error budget is measured against: the fraction of runs that must
   * succeed, at least 0 and below 1. 0.99 allows 1 failed run in 100.
   * @default 0.99
   */
  sloTarget?: number;
  /**
   * Relative accuracy of percentiles once a distribution holds more than `exactLimit` samples.
   * @default 0.01
   */
  relativeAccuracy?: number;
  /**
   * Samples per distribution kept for exact percentiles.
   * @default 10_000
   */
  exactLimit?: number;
  /**
   * Bounds of the MTTR-A histogram in milliseconds (inclusive upper bounds, ascending).
   * @default defaultHistogramBoundsMs (10 ms … 10 min)
   */
  histogramBoundsMs?: readonly number[];
  /**
   * Finished runs kept for `snapshot().runs` (the most recent ones).
   * @default 10_000
   */
  maxRuns?: number;
  /**
   * Failures kept for `snapshot().failures` and the MTTR CSV (the most recent ones).
   * @default 100_000
   */
  maxFailures?: number;
  /**
   * Events kept for `snapshot().events` and the events CSV (the most recent ones).
   * @default 100_000
   */
  maxEvents?: number;
  /**
   * Initial width of a progress-timeline bucket in milliseconds; it doubles as needed.
   * @default 1_000
   */
  timelineBucketMs?: number;
  /**
   * Most buckets in the progress timeline.
   * @default 120
   */
  timelineBuckets?: number;
  /**
   * Runs the campaign plans, for progress views.
   * @default undefined
   */
  plannedRuns?: number;
}

/** A run that started (optional: lets progress views count runs in flight). */
export interface RunStart {
  readonly runId: string;
  /** @default undefined */
  readonly scenario?: string;
  /** @default undefined */
  readonly seed?: Seed;
  /** @default clock.now() */
  readonly at?: number;
}

/** A finished run, for {@link MetricsRecorder.recordRun}. */
export interface RunResult {
  readonly runId: string;
  /** @default the scenario given to `startRun`, else none */
  readonly scenario?: string;
  /** @default the seed given to `startRun`, else none */
  readonly seed?: Seed;
  /** @default the time given to `startRun` (required without one) */
  readonly startedAt?: number;
  /** @default clock.now() */
  readonly endedAt?: number;
  /** Did the workflow achieve its goal? */
  readonly success: boolean;
  /**
   * Did it end in an unhandled crash rather than a graceful failure?
   * @default false
   */
  readonly crashed?: boolean;
  /**
   * Tasks the run attempted.
   * @default 1
   */
  readonly tasksTotal?: number;
  /**
   * Tasks it completed.
   * @default tasksTotal when `success`, else 0
   */
  readonly tasksCompleted?: number;
  /**
   * Why it failed (an error or a message).
   * @default undefined
   */
  readonly error?: unknown;
}

/** A failure, for {@link MetricsRecorder.recordFailure}. */
export interface FailureInput {
  /**
   * Its id, to resolve it later; must not be open already.
   * @default 'f1', 'f2', ...
   */
  readonly id?: string;
  /**
   * The run it happened in: its downtime counts in that run, and `recordRun` ends it if still
   * open. The id of a run already finished only labels the failure.
   * @default undefined
   */
  readonly runId?: string;
  /** @default the run's scenario */
  readonly scenario?: string;
  /** @default undefined */
  readonly agent?: string;
  /**
   * What failed or was injected (`crash`, `timeout`, ...).
   * @default undefined
   */
  readonly kind?: string;
  /**
   * Caused by an injected fault (as opposed to a real one).
   * @default true
   */
  readonly injected?: boolean;
  /** @default undefined */
  readonly detail?: string;
  /**
   * When it happened: the injection time.
   * @default clock.now()
   */
  readonly at?: number;
  /**
   * When the system noticed it.
   * @default undefined
   */
  readonly detectedAt?: number;
}

/** A recovery (or a give-up), for {@link MetricsRecorder.recordRecovery}. */
export interface RecoveryInput {
  /**
   * The failure that ended. Without it, every open failure of `runId` (of `agent`, if given)
   * ends.
   * @default undefined
   */
  readonly failureId?: string;
  /** @default undefined */
  readonly runId?: string;
  /** @default undefined (any agent) */
  readonly agent?: string;
  /**
   * When the workflow recovered (or gave up).
   * @default clock.now()
   */
  readonly at?: number;
  /**
   * `false`: recovery was attempted and failed; the failure ends unrecovered.
   * @default true
   */
  readonly success?: boolean;
  /**
   * When the failure was detected, if `recordFailure` did not say.
   * @default undefined
   */
  readonly detectedAt?: number;
  /**
   * The recovery used another agent's context.
   * @default undefined
   */
  readonly usedPeerContext?: boolean;
  /**
   * Share of the resumed agent's state recovered correctly, 0..1, against the checkpointed
   * truth (see `reconstructionAccuracy()`).
   * @default undefined
   */
  readonly reconstructionAccuracy?: number;
  /** @default undefined */
  readonly detail?: string;
}

/** A self-healing event, for {@link MetricsRecorder.recordHealing}. */
export interface HealingInput {
  /** `healed`: an automatic recovery worked; `failed`: it did not; `escalated`: healing gave up. */
  readonly outcome: 'healed' | 'failed' | 'escalated';
  /** @default undefined */
  readonly runId?: string;
  /** @default the run's scenario */
  readonly scenario?: string;
  /** @default undefined */
  readonly agent?: string;
  /**
   * What was done (`restart`, `clear-cache`, ...).
   * @default undefined
   */
  readonly action?: string;
  /**
   * How long the healing took (averaged over healed ones).
   * @default undefined
   */
  readonly durationMs?: number;
  /** @default clock.now() */
  readonly at?: number;
  /** @default undefined */
  readonly detail?: string;
}

/** A failure detector's verdict on an agent, for {@link MetricsRecorder.recordLivenessVerdict}. */
export interface LivenessVerdictInput {
  /** The detector declared the agent dead. */
  readonly declaredDead: boolean;
  /** The agent really was dead (not just slow). */
  readonly actuallyDead: boolean;
  /** @default undefined */
  readonly runId?: string;
  /** @default the run's scenario */
  readonly scenario?: string;
  /** @default undefined */
  readonly agent?: string;
  /** @default clock.now() */
  readonly at?: number;
  /** @default undefined */
  readonly detail?: string;
}

interface MutableFailure {
  id: string;
  runId: string | null;
  scenario: string | null;
  agent: string | null;
  kind: string | null;
  injected: boolean;
  detail: string | null;
  at: number;
  detectedAt: number | null;
  resolvedAt: number | null;
  status: 'open' | 'recovered' | 'unrecovered';
  mttrMs: number | null;
  detectionMs: number | null;
  usedPeerContext: boolean | null;
  reconstructionAccuracy: number | null;
}

interface RunState {
  readonly runId: string;
  scenario: string | undefined;
  seed: string | undefined;
  startedAt: number | undefined;
  started: boolean;
  readonly failures: MutableFailure[];
  readonly deferred: ((figures: FigureSet) => void)[];
  readonly counters: Record<string, number>;
  healingEvents: number;
}

const schema = 'faultline.metrics/v1';

function optionalString(owner: string, option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalidOption(owner, option, value, 'a string');
  return value;
}

function requiredId(owner: string, option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    invalidOption(owner, option, value, 'a non-empty string');
  }
  return value;
}

function optionalTime(owner: string, option: string, value: unknown): number | undefined {
  return value === undefined ? undefined : assertFiniteNumber(owner, option, value);
}

function optionalBoolean(owner: string, option: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') invalidOption(owner, option, value, 'a boolean');
  return value;
}

function eventRunId(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const runId = (event as { runId?: unknown }).runId;
  return typeof runId === 'string' && runId !== '' ? runId : undefined;
}

function failureRecord(f: MutableFailure): FailureRecord {
  return {
    id: f.id,
    runId: f.runId,
    scenario: f.scenario,
    agent: f.agent,
    kind: f.kind,
    injected: f.injected,
    detail: f.detail,
    at: f.at,
    detectedAt: f.detectedAt,
    resolvedAt: f.resolvedAt,
    status: f.status,
    mttrMs: f.mttrMs,
    detectionMs: f.detectionMs,
    usedPeerContext: f.usedPeerContext,
    reconstructionAccuracy: f.reconstructionAccuracy,
  };
}

/**
 * Records what happened in a chaos campaign and turns it into resilience figures: MTTR-A with
 * percentiles, recovery and task-completion rates, reconstruction accuracy, peer-context usage,
 * MTBF, availability, error budget, self-healing and false-positive figures, plus policy and
 * fault counters. Per campaign, per scenario and per run; in bounded memory however long the
 * campaign.
 *
 * Feed it explicitly (`startRun`/`recordRun`, `recordFailure`/`recordRecovery`,
 * `recordHealing`, `recordLivenessVerdict`) and/or from the diagnostics channels with
 * `subscribeMetrics(recorder)`. Read it with {@link snapshot} (also `JSON.stringify(recorder)`),
 * {@link summary} and {@link progress}; write it with `exportMetrics`.
 *
 * @example
 * ```ts
 * const recorder = new MetricsRecorder({ clock, seed: 42 });
 * using _ = subscribeMetrics(recorder);
 * recorder.startRun({ runId: 'r1', scenario: 'ProductCrashMidUpload' });
 * const id = recorder.recordFailure({ runId: 'r1', agent: 'product', kind: 'crash' });
 * // ... the workflow resumes from its checkpoint ...
 * recorder.recordRecovery({ failureId: id, reconstructionAccuracy: 1 });
 * recorder.recordRun({ runId: 'r1', success: true });
 * recorder.summary().campaign.mttrMs.p95;
 * ```
 */
export class MetricsRecorder {
  /** The campaign's name. */
  readonly name: string;
  /** The campaign's seed, if given. */
  readonly seed: string | undefined;
  /** Start of the recorder's timeline. */
  readonly startedAt: number;
  /** The settings in force (echoed in snapshots). */
  readonly settings: MetricsSettings;

  readonly #clock: Clock;
  readonly #distribution: DistributionOptions;
  readonly #campaign: FigureSet;
  readonly #scenarios = new Map<string, FigureSet>();
  readonly #channels = new ChannelFigures();
  readonly #runs = new Map<string, RunState>();
  /** Recently finished runs: late records for them must not start a new run. */
  readonly #finished = new Set<string>();
  readonly #open = new Map<string, { failure: MutableFailure; run: RunState | undefined }>();
  readonly #timeline = new IntervalUnion();
  readonly #progress: TimeBuckets;
  readonly #runLog: BoundedLog<RunRecord>;
  readonly #failureLog: BoundedLog<MutableFailure>;
  readonly #eventLog: BoundedLog<MetricsEvent>;
  readonly #recentHealing = new BoundedLog<MetricsEvent>(20);
  readonly #emitter = new Emitter<MetricsEvent>();
  #plannedRuns: number | undefined;
  #failureSeq = 0;
  #eventSeq = 0;

  /** Every event as it is logged (for live views). */
  readonly onEvent: Event<MetricsEvent> = this.#emitter.event;

  constructor(options: MetricsRecorderOptions = {}) {
    const owner = 'MetricsRecorder';
    this.#clock = options.clock ?? realClock;
    this.name = optionalString(owner, 'name', options.name) ?? 'campaign';
    this.seed = options.seed === undefined ? undefined : String(options.seed);
    this.startedAt = optionalTime(owner, 'startedAt', options.startedAt) ?? this.#clock.now();
    const mttrFrom = assertOneOf(owner, 'mttrFrom', options.mttrFrom ?? 'injection', [
      'injection',
      'detection',
    ]);
    const sloTarget = assertProbability(owner, 'sloTarget', options.sloTarget ?? 0.99);
    if (sloTarget === 1) invalidOption(owner, 'sloTarget', sloTarget, 'a number >= 0 and < 1');
    const relativeAccuracy = assertRelativeAccuracy(owner, options.relativeAccuracy ?? 0.01);
    const exactLimit = assertInteger(owner, 'exactLimit', options.exactLimit ?? 10_000, 0);
    const histogramBoundsMs = [...(options.histogramBoundsMs ?? defaultHistogramBoundsMs)];
    this.#distribution = { exactLimit, relativeAccuracy, histogramBounds: histogramBoundsMs };
    this.settings = { mttrFrom, sloTarget, relativeAccuracy, exactLimit, histogramBoundsMs };
    this.#campaign = new FigureSet(this.#distribution);
    this.#runLog = new BoundedLog(assertInteger(owner, 'maxRuns', options.maxRuns ?? 10_000));
    this.#failureLog = new BoundedLog(
      assertInteger(owner, 'maxFailures', options.maxFailures ?? 100_000),
    );
    this.#eventLog = new BoundedLog(
      assertInteger(owner, 'maxEvents', options.maxEvents ?? 100_000),
    );
    const bucketMs = options.timelineBucketMs ?? 1_000;
    if (typeof bucketMs !== 'number' || !(bucketMs > 0) || !Number.isFinite(bucketMs)) {
      invalidOption(owner, 'timelineBucketMs', bucketMs, 'a finite number > 0');
    }
    const buckets = assertInteger(owner, 'timelineBuckets', options.timelineBuckets ?? 120, 2);
    this.#progress = new TimeBuckets(this.startedAt, bucketMs, buckets);
    if (options.plannedRuns !== undefined) this.planRuns(options.plannedRuns);
  }

  /** Says how many runs the campaign plans, for progress views. */
  planRuns(runs: number): void {
    this.#plannedRuns = assertInteger('MetricsRecorder', 'plannedRuns', runs, 0);
  }

  /** Marks a run as started: optional, but lets progress count runs in flight. */
  startRun(input: RunStart): void {
    const owner = 'MetricsRecorder.startRun';
    const runId = requiredId(owner, 'runId', input.runId);
    const scenario = optionalString(owner, 'scenario', input.scenario);
    const at = optionalTime(owner, 'at', input.at) ?? this.#clock.now();
    const run = this.#run(runId);
    if (run === undefined || run.started) {
      invalidOption(owner, 'runId', runId, 'the id of a run not started yet');
    }
    run.started = true;
    run.startedAt = at;
    if (scenario !== undefined) run.scenario = scenario;
    if (input.seed !== undefined) run.seed = String(input.seed);
    this.#log(
      at,
      runId,
      'run',
      'run-start',
      null,
      null,
      null,
      null,
      `run started${scenario === undefined ? '' : ` (${scenario})`}`,
    );
  }

  /**
   * Records a finished run. Failures of the run still open end unrecovered at `endedAt`; the
   * run's downtime (the union of its failures' intervals within it) and everything recorded
   * for it count towards its scenario.
   */
  recordRun(input: RunResult): RunRecord {
    const owner = 'MetricsRecorder.recordRun';
    const runId = requiredId(owner, 'runId', input.runId);
    if (this.#finished.has(runId)) {
      invalidOption(owner, 'runId', runId, 'the id of a run not finished yet');
    }
    const existing = this.#runs.get(runId);
    const scenario = optionalString(owner, 'scenario', input.scenario) ?? existing?.scenario;
    const startedAt = optionalTime(owner, 'startedAt', input.startedAt) ?? existing?.startedAt;
    if (startedAt === undefined) {
      invalidOption(owner, 'startedAt', undefined, 'a finite number (or call startRun first)');
    }
    const endedAt = optionalTime(owner, 'endedAt', input.endedAt) ?? this.#clock.now();
    if (endedAt < startedAt) {
      invalidOption(owner, 'endedAt', endedAt, `a time >= startedAt (${startedAt})`);
    }
    if (typeof input.success !== 'boolean') {
      invalidOption(owner, 'success', input.success, 'a boolean');
    }
    const crashed = optionalBoolean(owner, 'crashed', input.crashed) ?? false;
    const tasksTotal = assertInteger(owner, 'tasksTotal', input.tasksTotal ?? 1, 0);
    const tasksCompleted = assertInteger(
      owner,
      'tasksCompleted',
      input.tasksCompleted ?? (input.success ? tasksTotal : 0),
      0,
    );
    if (tasksCompleted > tasksTotal) {
      invalidOption(
        owner,
        'tasksCompleted',
        tasksCompleted,
        `an integer <= tasksTotal (${tasksTotal})`,
      );
    }
    const run = existing ?? this.#newRun(runId);
    run.scenario = scenario;
    if (input.seed !== undefined) run.seed = String(input.seed);
    this.#runs.delete(runId);
    this.#finished.add(runId);
    if (this.#finished.size > 4096) {
      for (const old of this.#finished) {
        this.#finished.delete(old);
        break;
      }
    }

    for (const failure of run.failures) {
      if (failure.status !== 'open') continue;
      this.#resolve(failure, run, endedAt, false, {});
      this.#log(
        endedAt,
        runId,
        'recovery',
        'unrecovered',
        null,
        failure.agent,
        failure.kind,
        null,
        `${failure.id} not recovered: still open when the run ended`,
      );
    }
    const downtime = new IntervalUnion(Infinity);
    let recovered = 0;
    let mttrSum = 0;
    let mttrMax: number | null = null;
    for (const failure of run.failures) {
      failure.scenario ??= scenario ?? null;
      downtime.add(failure.at, failure.resolvedAt ?? endedAt);
      if (failure.status === 'recovered' && failure.mttrMs !== null) {
        recovered++;
        mttrSum += failure.mttrMs;
        mttrMax = Math.max(mttrMax ?? 0, failure.mttrMs);
      }
    }
    const durationMs = endedAt - startedAt;
    const downtimeMs = downtime.measure(startedAt, endedAt);
    const outcome = {
      success: input.success,
      crashed,
      durationMs,
      tasksTotal,
      tasksCompleted,
      downtimeMs,
      failures: run.failures.length,
    };
    this.#campaign.addRun(outcome);
    if (scenario !== undefined) {
      const figures = this.#scenario(scenario);
      for (const op of run.deferred) op(figures);
      figures.addRun(outcome);
    }
    const record: RunRecord = {
      runId,
      scenario: scenario ?? null,
      seed: run.seed ?? null,
      startedAt,
      endedAt,
      durationMs,
      success: input.success,
      crashed,
      tasksTotal,
      tasksCompleted,
      failures: run.failures.length,
      recovered,
      downtimeMs,
      availability: durationMs === 0 ? null : (durationMs - downtimeMs) / durationMs,
      mttrMs: { n: recovered, mean: recovered === 0 ? null : mttrSum / recovered, max: mttrMax },
      healingEvents: run.healingEvents,
      counters: sortedRecord(run.counters),
      error: input.error === undefined ? null : errorText(input.error),
    };
    this.#runLog.push(record);
    this.#progress.add(endedAt, timelineField.runs);
    if (input.success) this.#progress.add(endedAt, timelineField.succeeded);
    this.#log(
      endedAt,
      runId,
      'run',
      'run-end',
      null,
      null,
      input.success ? 'success' : crashed ? 'crash' : 'failure',
      durationMs,
      `run ${input.success ? 'succeeded' : crashed ? 'crashed' : 'failed'} in ${durationMs} ms${record.error === null ? '' : `: ${record.error}`}`,
    );
    return record;
  }

  /** Records a failure (an injected fault that hit, or a real one); returns its id. */
  recordFailure(input: FailureInput = {}): string {
    const owner = 'MetricsRecorder.recordFailure';
    const runId = input.runId === undefined ? undefined : requiredId(owner, 'runId', input.runId);
    let id: string;
    if (input.id === undefined) {
      do id = `f${++this.#failureSeq}`;
      while (this.#open.has(id));
    } else {
      id = requiredId(owner, 'id', input.id);
      if (this.#open.has(id)) invalidOption(owner, 'id', id, 'the id of no open failure');
    }
    const at = optionalTime(owner, 'at', input.at) ?? this.#clock.now();
    const detectedAt = optionalTime(owner, 'detectedAt', input.detectedAt);
    if (detectedAt !== undefined && detectedAt < at) {
      invalidOption(owner, 'detectedAt', detectedAt, `a time >= at (${at})`);
    }
    const injected = optionalBoolean(owner, 'injected', input.injected) ?? true;
    const scenario = optionalString(owner, 'scenario', input.scenario);
    const agent = optionalString(owner, 'agent', input.agent) ?? null;
    const kind = optionalString(owner, 'kind', input.kind) ?? null;
    const detail = optionalString(owner, 'detail', input.detail) ?? null;
    // Validated before a run is created for it, so a rejected record leaves nothing behind.
    const run = runId === undefined ? undefined : this.#run(runId);
    const failure: MutableFailure = {
      id,
      runId: runId ?? null,
      scenario: scenario ?? run?.scenario ?? null,
      agent,
      kind,
      injected,
      detail,
      at,
      detectedAt: detectedAt ?? null,
      resolvedAt: null,
      status: 'open',
      mttrMs: null,
      detectionMs: null,
      usedPeerContext: null,
      reconstructionAccuracy: null,
    };
    this.#open.set(id, { failure, run });
    run?.failures.push(failure);
    this.#failureLog.push(failure);
    this.#campaign.addFailure(injected);
    this.#forScenario(run, failure.scenario, (figures) => {
      figures.addFailure(injected);
    });
    this.#progress.add(at, timelineField.failures);
    this.#log(
      at,
      failure.runId,
      'failure',
      'failure',
      null,
      failure.agent,
      failure.kind,
      null,
      `${injected ? 'injected' : 'real'} failure ${id}${failure.detail === null ? '' : `: ${failure.detail}`}`,
    );
    return id;
  }

  /**
   * Records that the workflow recovered from a failure (or, with `success: false`, gave up on
   * it). Returns how many failures it ended: 1 with `failureId`, every open one of the run
   * (of the agent) otherwise.
   */
  recordRecovery(input: RecoveryInput): number {
    const owner = 'MetricsRecorder.recordRecovery';
    const at = optionalTime(owner, 'at', input.at) ?? this.#clock.now();
    const success = optionalBoolean(owner, 'success', input.success) ?? true;
    const detectedAt = optionalTime(owner, 'detectedAt', input.detectedAt);
    const usedPeerContext = optionalBoolean(owner, 'usedPeerContext', input.usedPeerContext);
    const accuracy =
      input.reconstructionAccuracy === undefined
        ? undefined
        : assertProbability(owner, 'reconstructionAccuracy', input.reconstructionAccuracy);
    const agent = optionalString(owner, 'agent', input.agent);
    const detail = optionalString(owner, 'detail', input.detail);
    let targets: { failure: MutableFailure; run: RunState | undefined }[];
    if (input.failureId !== undefined) {
      const open = this.#open.get(input.failureId);
      if (open === undefined) {
        invalidOption(owner, 'failureId', input.failureId, 'the id of an open failure');
      }
      targets = [open];
    } else if (input.runId !== undefined) {
      const run = this.#runs.get(input.runId);
      targets = (run?.failures ?? [])
        .filter((f) => f.status === 'open' && (agent === undefined || f.agent === agent))
        .map((failure) => ({ failure, run }));
    } else {
      invalidOption(owner, 'failureId', undefined, 'a failure id (or give runId)');
    }
    for (const { failure } of targets) {
      if (at < failure.at) {
        invalidOption(owner, 'at', at, `a time >= the failure's time (${failure.at})`);
      }
      if (detectedAt !== undefined && detectedAt < failure.at) {
        invalidOption(
          owner,
          'detectedAt',
          detectedAt,
          `a time >= the failure's time (${failure.at})`,
        );
      }
    }
    for (const { failure, run } of targets) {
      this.#resolve(failure, run, at, success, {
        detectedAt,
        usedPeerContext,
        reconstructionAccuracy: accuracy,
      });
      this.#log(
        at,
        failure.runId,
        'recovery',
        success ? 'recovered' : 'unrecovered',
        null,
        failure.agent,
        failure.kind,
        failure.mttrMs,
        `${failure.id} ${success ? `recovered after ${failure.mttrMs ?? '?'} ms` : 'not recovered'}${detail === undefined ? '' : `: ${detail}`}`,
      );
    }
    return targets.length;
  }

  /** Records a self-healing event (a healing that worked or failed, or an escalation). */
  recordHealing(input: HealingInput): void {
    const owner = 'MetricsRecorder.recordHealing';
    const outcome = assertOneOf(owner, 'outcome', input.outcome, ['healed', 'failed', 'escalated']);
    const durationMs =
      input.durationMs === undefined
        ? undefined
        : assertNonNegativeNumber(owner, 'durationMs', input.durationMs);
    const at = optionalTime(owner, 'at', input.at) ?? this.#clock.now();
    const runId = input.runId === undefined ? undefined : requiredId(owner, 'runId', input.runId);
    const scenario = optionalString(owner, 'scenario', input.scenario) ?? null;
    const agent = optionalString(owner, 'agent', input.agent) ?? null;
    const action = optionalString(owner, 'action', input.action);
    const detail = optionalString(owner, 'detail', input.detail);
    const run = runId === undefined ? undefined : this.#run(runId);
    if (run !== undefined) run.healingEvents++;
    this.#campaign.addHealing(outcome, durationMs);
    this.#forScenario(run, scenario, (figures) => {
      figures.addHealing(outcome, durationMs);
    });
    this.#progress.add(at, timelineField.healing);
    this.#log(
      at,
      runId ?? null,
      'healing',
      outcome,
      null,
      agent,
      action ?? null,
      durationMs ?? null,
      `${outcome === 'escalated' ? 'healing escalated' : `healing ${outcome === 'healed' ? 'worked' : 'failed'}`}${action === undefined ? '' : ` (${action})`}${detail === undefined ? '' : `: ${detail}`}`,
    );
  }

  /**
   * Records a failure detector's verdict against the truth; a live agent declared dead is a
   * false positive (DelayedRecovery counts them).
   */
  recordLivenessVerdict(input: LivenessVerdictInput): void {
    const owner = 'MetricsRecorder.recordLivenessVerdict';
    const declaredDead = optionalBoolean(owner, 'declaredDead', input.declaredDead);
    const actuallyDead = optionalBoolean(owner, 'actuallyDead', input.actuallyDead);
    if (declaredDead === undefined) invalidOption(owner, 'declaredDead', undefined, 'a boolean');
    if (actuallyDead === undefined) invalidOption(owner, 'actuallyDead', undefined, 'a boolean');
    const at = optionalTime(owner, 'at', input.at) ?? this.#clock.now();
    const runId = input.runId === undefined ? undefined : requiredId(owner, 'runId', input.runId);
    const detail = optionalString(owner, 'detail', input.detail);
    const scenario = optionalString(owner, 'scenario', input.scenario) ?? null;
    const agent = optionalString(owner, 'agent', input.agent) ?? null;
    const run = runId === undefined ? undefined : this.#run(runId);
    this.#campaign.addVerdict(declaredDead, actuallyDead);
    this.#forScenario(run, scenario, (figures) => {
      figures.addVerdict(declaredDead, actuallyDead);
    });
    const verdict =
      declaredDead === actuallyDead
        ? declaredDead
          ? 'true-positive'
          : 'true-negative'
        : declaredDead
          ? 'false-positive'
          : 'false-negative';
    this.#log(
      at,
      runId ?? null,
      'liveness',
      verdict,
      null,
      agent,
      declaredDead ? 'declared-dead' : 'left-alive',
      null,
      `${declaredDead ? 'declared dead' : 'left alone'}, was ${actuallyDead ? 'dead' : 'alive'}${detail === undefined ? '' : `: ${detail}`}`,
    );
  }

  /**
   * Counts a message from a faultline diagnostics channel (`subscribeMetrics` calls this for
   * every message). `currentRun` attributes it to a run's counters; without it, a string `runId`
   * field of the event (agent events have one) does, for a run the recorder already knows
   * (started, or mentioned by a record).
   */
  recordChannelMessage(channel: string, message: unknown, currentRun?: string): void {
    const at = this.#clock.now();
    const m =
      typeof message === 'object' && message !== null
        ? (message as Partial<ChannelMessage>)
        : { event: message };
    const source = typeof m.source === 'string' ? m.source : undefined;
    const runId = currentRun ?? eventRunId(m.event);
    const draft = this.#channels.apply(channel, source, m.event, at);
    // An id read from the event only labels runs the recorder knows: it may be another layer's.
    const run =
      currentRun !== undefined
        ? this.#run(currentRun)
        : runId === undefined
          ? undefined
          : this.#runs.get(runId);
    if (run !== undefined) {
      const key = counterKey(channel);
      run.counters[key] = (run.counters[key] ?? 0) + 1;
    }
    if (draft?.type === 'injection') this.#progress.add(at, timelineField.injections);
    if (draft !== undefined) this.#push(at, runId ?? null, draft);
  }

  /** The campaign's figures now (also in {@link summary}). */
  figures(): MetricsFigures {
    return this.#campaign.figures(this.settings.sloTarget, this.#timelineAvailability());
  }

  /** Everything but the per-run, per-failure and per-event lists. */
  summary(): MetricsSummary {
    const now = this.#clock.now();
    const scenarios: Record<string, MetricsFigures> = {};
    for (const name of [...this.#scenarios.keys()].sort()) {
      scenarios[name] = (this.#scenarios.get(name) as FigureSet).figures(this.settings.sloTarget);
    }
    return {
      schema,
      name: this.name,
      seed: this.seed ?? null,
      startedAt: this.startedAt,
      generatedAt: now,
      settings: { ...this.settings, histogramBoundsMs: [...this.settings.histogramBoundsMs] },
      campaign: this.figures(),
      scenarios,
      policies: this.#channels.policies(),
      faults: this.#channels.faults(),
      breakers: this.#channels.breakers(now),
      mttrHistogram: this.#campaign.mttr.histogram(),
    };
  }

  /** The full, JSON-ready state: the summary plus the retained runs, failures and events. */
  snapshot(): MetricsSnapshot {
    return {
      ...this.summary(),
      runs: this.#runLog.toArray(),
      failures: this.#failureLog.toArray().map(failureRecord),
      events: this.#eventLog.toArray(),
      retention: {
        runs: this.#retention(this.#runLog),
        failures: this.#retention(this.#failureLog),
        events: this.#retention(this.#eventLog),
      },
    };
  }

  /** `JSON.stringify(recorder)` gives the {@link snapshot}. */
  toJSON(): MetricsSnapshot {
    return this.snapshot();
  }

  /** The live view for progress bars and the dashboard. */
  progress(): MetricsProgress {
    const now = this.#clock.now();
    const c = this.#campaign;
    let inFlight = 0;
    for (const run of this.#runs.values()) if (run.started) inFlight++;
    return {
      at: now,
      elapsedMs: now - this.startedAt,
      plannedRuns: this.#plannedRuns ?? null,
      runsDone: c.runs,
      runsSucceeded: c.succeeded,
      runsFailed: c.runs - c.succeeded,
      runsInFlight: inFlight,
      successRate: c.runs === 0 ? null : c.succeeded / c.runs,
      failures: c.failures,
      recovered: c.recovered,
      openFailures: this.#open.size,
      recoveryRate: c.failures === 0 ? null : c.recovered / c.failures,
      mttrMs: c.mttr.summary(),
      mttrHistogram: this.#campaign.mttr.histogram(),
      injections: { total: this.#channels.injections, byKind: this.#channels.injectionsByKind() },
      breakers: this.#channels.breakerStates(),
      healing: {
        healed: c.healed,
        failed: c.healingFailed,
        escalations: c.escalations,
        recent: this.#recentHealing.toArray(),
      },
      timeline: { bucketMs: this.#progress.widthMs, buckets: this.#progress.buckets() },
    };
  }

  #retention(log: BoundedLog<unknown>): { kept: number; dropped: number; limit: number } {
    return { kept: log.size, dropped: log.dropped, limit: log.limit };
  }

  #timelineAvailability(): { observedMs: number; downtimeMs: number } {
    const now = this.#clock.now();
    let firstOpen = Infinity;
    for (const { failure } of this.#open.values()) firstOpen = Math.min(firstOpen, failure.at);
    const extra: [number, number][] = firstOpen < now ? [[firstOpen, now]] : [];
    const observedMs = Math.max(0, now - this.startedAt);
    return { observedMs, downtimeMs: this.#timeline.measure(this.startedAt, now, extra) };
  }

  #resolve(
    failure: MutableFailure,
    run: RunState | undefined,
    at: number,
    recovered: boolean,
    extra: {
      detectedAt?: number | undefined;
      usedPeerContext?: boolean | undefined;
      reconstructionAccuracy?: number | undefined;
    },
  ): void {
    this.#open.delete(failure.id);
    if (failure.detectedAt === null && extra.detectedAt !== undefined) {
      failure.detectedAt = extra.detectedAt;
    }
    failure.resolvedAt = at;
    failure.status = recovered ? 'recovered' : 'unrecovered';
    if (failure.detectedAt !== null) failure.detectionMs = failure.detectedAt - failure.at;
    if (recovered) {
      const from =
        this.settings.mttrFrom === 'detection' ? (failure.detectedAt ?? failure.at) : failure.at;
      failure.mttrMs = Math.max(0, at - from);
      this.#progress.add(at, timelineField.recoveries);
    }
    if (extra.usedPeerContext !== undefined) failure.usedPeerContext = extra.usedPeerContext;
    if (extra.reconstructionAccuracy !== undefined) {
      failure.reconstructionAccuracy = extra.reconstructionAccuracy;
    }
    this.#timeline.add(failure.at, at);
    const resolution: Resolution = {
      recovered,
      mttrMs: failure.mttrMs ?? undefined,
      detectionMs: failure.detectionMs ?? undefined,
      usedPeerContext: failure.usedPeerContext ?? undefined,
      reconstructionAccuracy: failure.reconstructionAccuracy ?? undefined,
    };
    this.#campaign.resolve(resolution);
    this.#forScenario(run, failure.scenario, (figures) => {
      figures.resolve(resolution);
    });
  }

  /** Applies `op` to the scenario's figures now if the scenario is known, else at the run's end. */
  #forScenario(
    run: RunState | undefined,
    scenario: string | null,
    op: (figures: FigureSet) => void,
  ): void {
    const name = scenario ?? run?.scenario;
    if (name !== undefined) op(this.#scenario(name));
    else run?.deferred.push(op);
  }

  #scenario(name: string): FigureSet {
    let figures = this.#scenarios.get(name);
    if (figures === undefined) {
      figures = new FigureSet(this.#distribution);
      this.#scenarios.set(name, figures);
    }
    return figures;
  }

  /** The unfinished run `runId` (created on first mention); `undefined` if it has finished. */
  #run(runId: string): RunState | undefined {
    if (this.#finished.has(runId)) return undefined;
    return this.#runs.get(runId) ?? this.#newRun(runId);
  }

  #newRun(runId: string): RunState {
    const run: RunState = {
      runId,
      scenario: undefined,
      seed: undefined,
      startedAt: undefined,
      started: false,
      failures: [],
      deferred: [],
      counters: {},
      healingEvents: 0,
    };
    this.#runs.set(runId, run);
    return run;
  }

  #log(
    at: number,
    runId: string | null,
    category: MetricsEventCategory,
    type: string,
    source: string | null,
    agent: string | null,
    kind: string | null,
    value: number | null,
    detail: string,
  ): void {
    this.#push(at, runId, { category, type, source, agent, kind, value, detail });
  }

  #push(at: number, runId: string | null, draft: EventDraft): void {
    const event: MetricsEvent = {
      seq: ++this.#eventSeq,
      at,
      runId,
      category: draft.category,
      type: draft.type,
      source: draft.source,
      agent: draft.agent,
      kind: draft.kind,
      value: draft.value,
      detail: draft.detail,
    };
    this.#eventLog.push(event);
    if (draft.category === 'healing') this.#recentHealing.push(event);
    if (this.#emitter.active) this.#emitter.emit(event);
  }
}
