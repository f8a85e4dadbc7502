import type { Subscription } from '../core/index.ts';

/**
 * The live state the dashboard shows, as one JSON-ready value: what a campaign or experiment
 * runner (or the metrics recorder, through {@link liveSourceFromRecorder}) hands to
 * {@link startDashboard}. Times are milliseconds on the producer's clock; rates are 0..1 and
 * `null` when nothing has been counted yet; every field is always present.
 *
 * @module
 */

/** Where the campaign or experiment is. */
export type LiveStatus = 'idle' | 'running' | 'finished' | 'aborted';

/** Progress of the campaign: the progress bar. */
export interface LiveProgress {
  /** Runs finished. */
  readonly runsDone: number;
  /** Runs the campaign plans, when known. */
  readonly runsPlanned: number | null;
  /** Finished runs that failed ("failures so far"). */
  readonly runsFailed: number;
  /** Started and not yet finished. */
  readonly runsInFlight: number;
  /** Failures recorded (injected or real), recovered or not. */
  readonly failures: number;
  /** Of which recovered. */
  readonly recovered: number;
  /** Time since the campaign started. */
  readonly elapsedMs: number;
  /** Estimated time until `runsPlanned` runs are done; `null` when it can't be estimated. */
  readonly etaMs: number | null;
}

/** Success rate of the runs that finished in one time window. */
export interface LiveRatePoint {
  /** Window start (inclusive). */
  readonly start: number;
  /** Window end (exclusive). */
  readonly end: number;
  /** Runs finished in the window. */
  readonly runs: number;
  /** `succeeded / runs` of the window. */
  readonly successRate: number | null;
}

/** Success rate overall and over time. */
export interface LiveSuccessRate {
  /** Over every finished run. */
  readonly overall: number | null;
  /** Oldest window first. */
  readonly overTime: readonly LiveRatePoint[];
}

/** One circuit breaker's current state. */
export interface LiveBreaker {
  readonly name: string;
  /** `closed`, `open`, `half-open`, `isolated`, ... */
  readonly state: string;
  /** When it entered `state` (`null` if it never changed). */
  readonly since: number | null;
  /** Times it opened. */
  readonly trips: number;
}

/** One breaker state change, for the trips timeline. */
export interface LiveBreakerTransition {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly at: number;
}

/** One thing the self-healing supervisor did. */
export interface LiveHealingEvent {
  readonly at: number;
  /** `healed`, `failed` or `escalated`. */
  readonly type: string;
  readonly agent: string | null;
  /** One line of text. */
  readonly detail: string;
}

/** Self-healing counts and its most recent events. */
export interface LiveHealing {
  readonly healed: number;
  readonly failed: number;
  readonly escalations: number;
  /** Most recent last. */
  readonly recent: readonly LiveHealingEvent[];
}

/** Fault injections so far. */
export interface LiveInjections {
  readonly total: number;
  /** Per fault kind (`crash`, `latency`, `network`, ...). */
  readonly byKind: Readonly<Record<string, number>>;
}

/** MTTR-A so far: a few percentiles and the histogram. */
export interface LiveMttr {
  /** Recovered failures measured. */
  readonly n: number;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  /** Inclusive upper bounds of the buckets, ascending, in ms. */
  readonly bounds: readonly number[];
  /** One count per bound, plus a last one for samples above the last bound. */
  readonly counts: readonly number[];
}

/** Everything the live part of the page shows. */
export interface LiveSnapshot {
  /** Campaign or experiment name, shown as the page's title. */
  readonly name: string | null;
  /** Its seed, when it has one. */
  readonly seed: string | null;
  readonly status: LiveStatus;
  /** Producer's clock time the campaign started: the page shows other times relative to it. */
  readonly startedAt: number;
  /** Producer's clock time of this snapshot. */
  readonly at: number;
  readonly progress: LiveProgress;
  readonly successRate: LiveSuccessRate;
  readonly breakers: readonly LiveBreaker[];
  /** Most recent last. */
  readonly breakerTransitions: readonly LiveBreakerTransition[];
  readonly healing: LiveHealing;
  readonly injections: LiveInjections;
  readonly mttr: LiveMttr;
}

/**
 * Where the dashboard gets live data. The dashboard pulls `snapshot()` at most a few times a
 * second, after `onUpdate` said something changed: a producer only has to call its listeners,
 * which costs nothing while no page is open (the dashboard subscribes only while a page
 * listens).
 *
 * @example
 * ```ts
 * const feed = new LiveFeed();                 // a ready-made LiveSource
 * const dashboard = await startDashboard({ live: feed });
 * feed.publish({ ...feed.snapshot(), status: 'running' });
 * ```
 */
export interface LiveSource {
  /** The current state. */
  snapshot(): LiveSnapshot;
  /** Calls `listener` whenever the state changed; dispose the subscription to stop. */
  onUpdate(listener: () => void): Subscription;
}

/** A snapshot with nothing in it yet: status `idle`, every count 0. */
export function emptyLiveSnapshot(at = 0): LiveSnapshot {
  return {
    name: null,
    seed: null,
    status: 'idle',
    startedAt: at,
    at,
    progress: {
      runsDone: 0,
      runsPlanned: null,
      runsFailed: 0,
      runsInFlight: 0,
      failures: 0,
      recovered: 0,
      elapsedMs: 0,
      etaMs: null,
    },
    successRate: { overall: null, overTime: [] },
    breakers: [],
    breakerTransitions: [],
    healing: { healed: 0, failed: 0, escalations: 0, recent: [] },
    injections: { total: 0, byKind: {} },
    mttr: { n: 0, mean: null, p50: null, p95: null, p99: null, bounds: [], counts: [] },
  };
}

/**
 * Time left to finish `planned` runs at the pace so far: `elapsedMs / done × (planned − done)`,
 * 0 when done, `null` before the first run finishes or without a plan.
 */
export function estimateEtaMs(
  elapsedMs: number,
  done: number,
  planned: number | null,
): number | null {
  if (planned === null) return null;
  if (done >= planned) return 0;
  if (done <= 0 || elapsedMs <= 0) return null;
  return Math.round((elapsedMs / done) * (planned - done));
}
