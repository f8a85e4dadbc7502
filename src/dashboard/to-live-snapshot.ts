import type { MetricsProgress } from '../metrics/index.ts';
import {
  estimateEtaMs,
  type LiveBreakerTransition,
  type LiveSnapshot,
  type LiveStatus,
} from './live-snapshot.ts';

/** What a {@link MetricsProgress} does not say, for {@link toLiveSnapshot}. */
export interface LiveContext {
  /** Campaign or experiment name. @default null */
  name?: string | null | undefined;
  /** Its seed. @default null */
  seed?: string | null | undefined;
  /**
   * Where it is.
   * @default 'finished' once every planned run is done, 'running' once a run started, else 'idle'
   */
  status?: LiveStatus | undefined;
  /**
   * Time since the start on the wall clock, for the ETA (the recorder's clock may be virtual).
   * @default progress.elapsedMs
   */
  elapsedMs?: number | undefined;
  /** Breaker state changes, most recent last. @default [] */
  breakerTransitions?: readonly LiveBreakerTransition[] | undefined;
}

function inferStatus(progress: MetricsProgress): LiveStatus {
  const { plannedRuns, runsDone, runsInFlight } = progress;
  if (plannedRuns !== null && plannedRuns > 0 && runsDone >= plannedRuns && runsInFlight === 0) {
    return 'finished';
  }
  return runsDone > 0 || runsInFlight > 0 ? 'running' : 'idle';
}

/** The metrics recorder's live view (`recorder.progress()`) as the dashboard shows it. */
export function toLiveSnapshot(progress: MetricsProgress, context: LiveContext = {}): LiveSnapshot {
  const elapsedMs = context.elapsedMs ?? progress.elapsedMs;
  return {
    name: context.name ?? null,
    seed: context.seed ?? null,
    status: context.status ?? inferStatus(progress),
    startedAt: progress.at - progress.elapsedMs,
    at: progress.at,
    progress: {
      runsDone: progress.runsDone,
      runsPlanned: progress.plannedRuns,
      runsFailed: progress.runsFailed,
      runsInFlight: progress.runsInFlight,
      failures: progress.failures,
      recovered: progress.recovered,
      elapsedMs,
      etaMs: estimateEtaMs(elapsedMs, progress.runsDone, progress.plannedRuns),
    },
    successRate: {
      overall: progress.successRate,
      overTime: progress.timeline.buckets.map((bucket) => ({
        start: bucket.start,
        end: bucket.end,
        runs: bucket.runs,
        successRate: bucket.successRate,
      })),
    },
    breakers: progress.breakers.map(({ name, state, since, trips }) => ({
      name,
      state,
      since,
      trips,
    })),
    breakerTransitions: context.breakerTransitions ?? [],
    healing: {
      healed: progress.healing.healed,
      failed: progress.healing.failed,
      escalations: progress.healing.escalations,
      recent: progress.healing.recent.map((event) => ({
        at: event.at,
        type: event.type,
        agent: event.agent,
        detail: event.detail,
      })),
    },
    injections: { total: progress.injections.total, byKind: { ...progress.injections.byKind } },
    mttr: {
      n: progress.mttrMs.n,
      mean: progress.mttrMs.mean,
      p50: progress.mttrMs.p50,
      p95: progress.mttrMs.p95,
      p99: progress.mttrMs.p99,
      bounds: [...progress.mttrHistogram.bounds],
      counts: [...progress.mttrHistogram.counts],
    },
  };
}
