/**
 * The shapes the metrics recorder hands out: {@link MetricsSnapshot} (`recorder.snapshot()`,
 * `JSON.stringify(recorder)`, the full JSON export), {@link MetricsSummary} (the summary export),
 * and {@link MetricsProgress} (the live view for progress bars and the dashboard). The run
 * history, the reports and the dashboard read these; fields are only ever added, and a breaking
 * change bumps the `schema` string.
 *
 * Conventions: times (`at`, `startedAt`, ...) are milliseconds on the recorder's clock (epoch ms
 * for the real clock, virtual ms in a simulated campaign); durations end in `Ms`; rates are
 * 0..1 and `null` when their denominator is 0; missing values are `null`, never absent, so every
 * object has the same keys; maps keyed by name are plain objects with keys in sorted order.
 *
 * @module
 */

/** Summary of a stream of samples (durations in ms unless said otherwise). */
export interface DistributionSummary {
  /** Number of samples. */
  readonly n: number;
  /** Exact arithmetic mean. */
  readonly mean: number | null;
  /** Exact smallest sample. */
  readonly min: number | null;
  /** Exact largest sample. */
  readonly max: number | null;
  /** Median, nearest-rank method. */
  readonly p50: number | null;
  /** 90th percentile, nearest-rank method. */
  readonly p90: number | null;
  /** 95th percentile, nearest-rank method. */
  readonly p95: number | null;
  /** 99th percentile, nearest-rank method. */
  readonly p99: number | null;
  /**
   * `'exact'`: percentiles are samples picked by nearest rank from every sample;
   * `'sketch'`: more samples than the recorder keeps, percentiles come from a quantile sketch.
   */
  readonly method: 'exact' | 'sketch';
  /** Largest relative error of the percentiles: 0 when exact, the sketch's α otherwise. */
  readonly relativeAccuracy: number;
}

/** Exact counts per histogram bucket: `counts[i]` counts samples in `(bounds[i−1], bounds[i]]`. */
export interface HistogramCounts {
  /** Inclusive upper bounds, ascending. */
  readonly bounds: readonly number[];
  /** One count per bound, plus a last one for samples above the last bound. */
  readonly counts: readonly number[];
}

/** Workflow runs. */
export interface RunFigures {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Runs that ended in an unhandled crash (a subset of `failed`). */
  readonly crashed: number;
  /** `succeeded / total`. */
  readonly successRate: number | null;
  /** Run durations. */
  readonly durationMs: DistributionSummary;
}

/** Tasks within runs (a run counts as one task unless it says otherwise). */
export interface TaskFigures {
  readonly total: number;
  readonly completed: number;
  /** `completed / total`. */
  readonly completionRate: number | null;
}

/** Failures recorded (injected or real) and how they ended. */
export interface FailureFigures {
  readonly total: number;
  /** Failures caused by an injected fault. */
  readonly injected: number;
  /** Failures not caused by faultline. */
  readonly real: number;
  /** Not yet recovered, in runs still going. */
  readonly open: number;
  readonly recovered: number;
  /** Given up on, or still open when their run ended. */
  readonly unrecovered: number;
  /** Recovery success rate: `recovered / total`. */
  readonly recoveryRate: number | null;
}

/** How much of an agent's state a resume recovered correctly, against the checkpointed truth. */
export interface ReconstructionFigures {
  /** Recoveries that reported an accuracy. */
  readonly n: number;
  /** Mean accuracy, 0..1. */
  readonly mean: number | null;
  /** Worst accuracy, 0..1. */
  readonly min: number | null;
}

/** Recoveries that used another agent's context. */
export interface PeerContextFigures {
  /** Successful recoveries. */
  readonly recoveries: number;
  /** Of which used a peer's context. */
  readonly used: number;
  /** `used / recoveries`. */
  readonly rate: number | null;
}

/**
 * Uptime against downtime. Downtime is the union of the failures' intervals, from a failure's
 * time to its resolution (recovery, give-up, or the end of its run); overlapping failures count
 * once.
 */
export interface AvailabilityFigures {
  /**
   * `'runs'`: summed over finished runs (each run observed from its start to its end; failures
   * outside a run are left out). `'timeline'`: no run has finished, so the recorder's own
   * timeline from its start to the snapshot, with every failure on it.
   */
  readonly basis: 'runs' | 'timeline';
  readonly observedMs: number;
  readonly uptimeMs: number;
  readonly downtimeMs: number;
  /** `uptimeMs / observedMs`. */
  readonly availability: number | null;
}

/** The error budget of a success-rate SLO, counted in runs. */
export interface ErrorBudgetFigures {
  /** The SLO: the fraction of runs that must succeed, e.g. 0.99. */
  readonly sloTarget: number;
  /** Runs counted. */
  readonly requests: number;
  /** Runs that failed. */
  readonly failed: number;
  /** Failures the budget allows: `(1 − sloTarget) × requests`. */
  readonly allowed: number;
  /** Fraction of the budget spent, `failed / allowed` (above 1 when overspent; 0 without runs). */
  readonly consumed: number;
  /** `max(0, 1 − consumed)`. */
  readonly remaining: number;
  /** `consumed >= 1`: every failure the budget allows has happened. */
  readonly exhausted: boolean;
}

/** What the self-healing supervisor did. */
export interface HealingFigures {
  /** Healing attempts: `healed + failed`. */
  readonly attempts: number;
  /** Failures healed automatically. */
  readonly healed: number;
  readonly failed: number;
  /** Times healing gave up and escalated. */
  readonly escalations: number;
  /** `healed / attempts`. */
  readonly successRate: number | null;
  /** How long successful healings took. */
  readonly durationMs: DistributionSummary;
}

/**
 * Verdicts of failure detectors ("is this agent dead?") against the truth, e.g. for a slow but
 * alive agent in DelayedRecovery.
 */
export interface LivenessFigures {
  readonly verdicts: number;
  /** Declared dead, was dead. */
  readonly truePositives: number;
  /** Declared dead, was alive (slow). */
  readonly falsePositives: number;
  /** Left alone, was alive. */
  readonly trueNegatives: number;
  /** Left alone, was dead. */
  readonly falseNegatives: number;
  /** `falsePositives / (falsePositives + trueNegatives)`: share of live agents declared dead. */
  readonly falsePositiveRate: number | null;
}

/** The resilience figures of one campaign or one scenario. */
export interface MetricsFigures {
  readonly runs: RunFigures;
  readonly tasks: TaskFigures;
  readonly failures: FailureFigures;
  /**
   * MTTR-A: from a failure's injection (or detection, per `settings.mttrFrom`) to the workflow's
   * recovery, over recovered failures.
   */
  readonly mttrMs: DistributionSummary;
  /** Time to detect: from a failure to its detection, over failures with a detection time. */
  readonly detectionMs: DistributionSummary;
  readonly reconstruction: ReconstructionFigures;
  readonly peerContext: PeerContextFigures;
  readonly availability: AvailabilityFigures;
  /** Mean time between failures: `uptimeMs / failures` on the availability basis; `null` without failures. */
  readonly mtbfMs: number | null;
  readonly errorBudget: ErrorBudgetFigures;
  readonly healing: HealingFigures;
  readonly liveness: LivenessFigures;
}

/** Counts from the policies' diagnostics channels. */
export interface PolicyFigures {
  /**
   * Messages per channel, keyed by the channel's key in `channelNames` (`retry`, `retryGiveUp`,
   * `timeout`, `circuitBreak`, `faultInjected`, ...) or, for a channel not in that table, by
   * its full name.
   */
  readonly counters: Readonly<Record<string, number>>;
  /** The same counters per emitting component (`source`: a policy's or scope's name). */
  readonly bySource: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Retry give-ups per reason (`attempts`, `not-retryable`, `schedule`, `budget`, `aborted`). */
  readonly retryGiveUpsByReason: Readonly<Record<string, number>>;
  /** Bulkhead rejections per reason (`full`, `queue-timeout`). */
  readonly bulkheadRejectionsByReason: Readonly<Record<string, number>>;
  /** Rate-limit events per action (`rejected`, `waiting`). */
  readonly rateLimitedByAction: Readonly<Record<string, number>>;
  /** Spending reported by budget guards, and refusals per budget (`tokens`, `cost`). */
  readonly budget: {
    readonly tokens: number;
    readonly cost: number;
    readonly exceededBy: Readonly<Record<string, number>>;
  };
}

/** A kill switch that tripped. */
export interface KillSwitchTrip {
  readonly at: number;
  readonly scope: string | null;
  readonly trigger: string | null;
  readonly detail: string | null;
}

/** Fault injections seen on `faultline:faults:*`. */
export interface FaultFigures {
  /** Injections applied. */
  readonly injections: number;
  /** Injections pre-empted by another fault's failure on the same call. */
  readonly masked: number;
  /** Per fault kind (`crash`, `latency`, `network`, ...). */
  readonly byKind: Readonly<Record<string, { readonly injected: number; readonly masked: number }>>;
  /** Applied injections per fault name. */
  readonly byFault: Readonly<Record<string, number>>;
  /** Applied injections per effect type (`fail`, `delay`, `hang`, ...). */
  readonly byEffect: Readonly<Record<string, number>>;
  /** Kill-switch trips (the first 100). */
  readonly killSwitchTrips: readonly KillSwitchTrip[];
  /** Scope stops per reason (`scope-end`, `duration`, `kill-switch`, `aborted`). */
  readonly stops: Readonly<Record<string, number>>;
}

/** A circuit-breaker state change. */
export interface BreakerTransition {
  readonly from: string;
  readonly to: string;
  readonly at: number;
}

/** One circuit breaker, by name, as its events showed it. */
export interface BreakerFigures {
  readonly name: string;
  /** Last known state (`closed` until an event says otherwise). */
  readonly state: string;
  /** When it entered that state (`null` if never changed). */
  readonly since: number | null;
  /** Times it opened. */
  readonly trips: number;
  readonly halfOpens: number;
  readonly resets: number;
  /** Calls refused while open. */
  readonly rejections: number;
  readonly successes: number;
  readonly failures: number;
  /** Time spent not closed (open, half-open, isolated), up to the snapshot. */
  readonly openMs: number;
  /** State changes, the most recent 100. */
  readonly transitions: readonly BreakerTransition[];
}

/** One finished run. */
export interface RunRecord {
  readonly runId: string;
  readonly scenario: string | null;
  readonly seed: string | null;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationMs: number;
  readonly success: boolean;
  readonly crashed: boolean;
  readonly tasksTotal: number;
  readonly tasksCompleted: number;
  /** Failures recorded in the run. */
  readonly failures: number;
  readonly recovered: number;
  readonly downtimeMs: number;
  /** `(durationMs − downtimeMs) / durationMs`; `null` for a zero-length run. */
  readonly availability: number | null;
  /** MTTR-A of this run's recovered failures. */
  readonly mttrMs: {
    readonly n: number;
    readonly mean: number | null;
    readonly max: number | null;
  };
  /** Healing events (healed, failed or escalated) in the run. */
  readonly healingEvents: number;
  /** Channel messages attributed to this run (see `subscribeMetrics`' `currentRun`). */
  readonly counters: Readonly<Record<string, number>>;
  /** Why it failed, when it did. */
  readonly error: string | null;
}

/** One failure and how it ended: a row of the MTTR CSV. */
export interface FailureRecord {
  readonly id: string;
  readonly runId: string | null;
  readonly scenario: string | null;
  readonly agent: string | null;
  /** What failed or what was injected (`crash`, `timeout`, ...). */
  readonly kind: string | null;
  readonly injected: boolean;
  readonly detail: string | null;
  /** When the failure happened (its injection). */
  readonly at: number;
  readonly detectedAt: number | null;
  readonly resolvedAt: number | null;
  readonly status: 'open' | 'recovered' | 'unrecovered';
  /** MTTR-A sample, for a recovered failure. */
  readonly mttrMs: number | null;
  /** `detectedAt − at`. */
  readonly detectionMs: number | null;
  readonly usedPeerContext: boolean | null;
  readonly reconstructionAccuracy: number | null;
}

/** What a {@link MetricsEvent} is about. */
export type MetricsEventCategory =
  | 'run'
  | 'failure'
  | 'recovery'
  | 'healing'
  | 'liveness'
  | 'policy'
  | 'breaker'
  | 'fault'
  | 'channel';

/** One line of the event log: a row of the events CSV. */
export interface MetricsEvent {
  /** 1, 2, 3, ... in recording order. */
  readonly seq: number;
  readonly at: number;
  readonly runId: string | null;
  readonly category: MetricsEventCategory;
  /** E.g. `run-end`, `failure`, `recovered`, `retry`, `circuit-break`, `injection`. */
  readonly type: string;
  /** The emitting component (a policy's or scope's name). */
  readonly source: string | null;
  readonly agent: string | null;
  /** Fault kind, failure kind, breaker state, reason, ... */
  readonly kind: string | null;
  /** The event's main number (delay, duration, attempts, ...). */
  readonly value: number | null;
  /** One line of text. */
  readonly detail: string;
}

/** How much of a bounded log was kept. */
export interface RetentionFigures {
  readonly kept: number;
  /** Oldest entries dropped to stay within the limit. */
  readonly dropped: number;
  readonly limit: number;
}

/** The recorder's settings, echoed in every snapshot. */
export interface MetricsSettings {
  readonly mttrFrom: 'injection' | 'detection';
  readonly sloTarget: number;
  readonly relativeAccuracy: number;
  readonly exactLimit: number;
  readonly histogramBoundsMs: readonly number[];
}

/** Everything except the per-run, per-failure and per-event lists. */
export interface MetricsSummary {
  readonly schema: 'faultline.metrics/v1';
  /** The campaign's name. */
  readonly name: string;
  /** The campaign's seed, when given. */
  readonly seed: string | null;
  readonly startedAt: number;
  /** Clock time of this snapshot. */
  readonly generatedAt: number;
  readonly settings: MetricsSettings;
  /** The whole campaign. */
  readonly campaign: MetricsFigures;
  /** Per scenario, from finished runs (failures outside runs count when they name a scenario). */
  readonly scenarios: Readonly<Record<string, MetricsFigures>>;
  readonly policies: PolicyFigures;
  readonly faults: FaultFigures;
  readonly breakers: Readonly<Record<string, BreakerFigures>>;
  /** MTTR-A histogram (exact counts). */
  readonly mttrHistogram: HistogramCounts;
}

/** The full state: the summary plus the retained runs, failures and events. */
export interface MetricsSnapshot extends MetricsSummary {
  /** Finished runs, most recent `retention.runs.limit`. */
  readonly runs: readonly RunRecord[];
  /** Failures, most recent `retention.failures.limit`, open ones included. */
  readonly failures: readonly FailureRecord[];
  /** Event log, most recent `retention.events.limit`. */
  readonly events: readonly MetricsEvent[];
  readonly retention: {
    readonly runs: RetentionFigures;
    readonly failures: RetentionFigures;
    readonly events: RetentionFigures;
  };
}

/** One time bucket of {@link MetricsProgress.timeline}. */
export interface TimelineBucket {
  /** Start of the bucket on the recorder's clock (inclusive). */
  readonly start: number;
  /** End (exclusive). */
  readonly end: number;
  /** Runs that finished in it. */
  readonly runs: number;
  readonly succeeded: number;
  /** `succeeded / runs`. */
  readonly successRate: number | null;
  readonly failures: number;
  readonly recoveries: number;
  readonly injections: number;
  readonly healingEvents: number;
}

/** A breaker's state, for a live view. */
export interface BreakerState {
  readonly name: string;
  readonly state: string;
  readonly since: number | null;
  readonly trips: number;
}

/**
 * The live view for a progress bar or the dashboard: cheap to compute, bounded in size.
 */
export interface MetricsProgress {
  readonly at: number;
  readonly elapsedMs: number;
  /** Runs the campaign plans, when it said (`plannedRuns` option / `planRuns()`). */
  readonly plannedRuns: number | null;
  readonly runsDone: number;
  readonly runsSucceeded: number;
  readonly runsFailed: number;
  /** Started (`startRun`) and not finished. */
  readonly runsInFlight: number;
  readonly successRate: number | null;
  readonly failures: number;
  readonly recovered: number;
  readonly openFailures: number;
  readonly recoveryRate: number | null;
  readonly mttrMs: DistributionSummary;
  readonly mttrHistogram: HistogramCounts;
  readonly injections: {
    readonly total: number;
    readonly byKind: Readonly<Record<string, number>>;
  };
  readonly breakers: readonly BreakerState[];
  readonly healing: {
    readonly healed: number;
    readonly failed: number;
    readonly escalations: number;
    /** The last 20 healing events. */
    readonly recent: readonly MetricsEvent[];
  };
  /**
   * Activity over time in at most `timelineBuckets` equal buckets from the recorder's start;
   * the bucket width doubles whenever time runs past the last bucket.
   */
  readonly timeline: { readonly bucketMs: number; readonly buckets: readonly TimelineBucket[] };
}
