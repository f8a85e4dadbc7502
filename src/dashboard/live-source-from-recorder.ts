import { assertInteger, Emitter, realClock, type Clock, type Subscription } from '../core/index.ts';
import type { MetricsRecorder } from '../metrics/index.ts';
import type {
  LiveBreakerTransition,
  LiveSnapshot,
  LiveSource,
  LiveStatus,
} from './live-snapshot.ts';
import { toLiveSnapshot } from './to-live-snapshot.ts';

/** The part of a {@link MetricsRecorder} the dashboard reads. */
export type RecorderView = Pick<
  MetricsRecorder,
  'name' | 'seed' | 'progress' | 'summary' | 'onEvent'
>;

/** Options of {@link liveSourceFromRecorder}. */
export interface RecorderLiveSourceOptions {
  /**
   * Wall clock of the ETA and elapsed time (the recorder's clock may be virtual).
   * @default realClock
   */
  clock?: Clock | undefined;
  /**
   * Breaker state changes kept for the timeline.
   * @default 50
   */
  maxTransitions?: number | undefined;
}

/** A {@link LiveSource} reading a metrics recorder. */
export interface RecorderLiveSource extends LiveSource {
  /**
   * Says where the campaign is (e.g. `aborted` after a kill switch); `undefined` goes back to
   * inferring it from the runs done and planned.
   */
  setStatus(status: LiveStatus | undefined): void;
  /** Stops listening to the recorder. */
  dispose(): void;
}

/**
 * The dashboard's live source for a campaign recorded by a {@link MetricsRecorder}: snapshots
 * come from `recorder.progress()`, updates from `recorder.onEvent`, and the breaker timeline
 * from the recorder's breaker transitions (re-read only after a breaker event).
 *
 * @example
 * ```ts
 * const recorder = new MetricsRecorder({ name: 'checkout', plannedRuns: 500 });
 * using _ = subscribeMetrics(recorder);
 * const live = liveSourceFromRecorder(recorder);
 * const dashboard = await startDashboard({ live });
 * ```
 */
export function liveSourceFromRecorder(
  recorder: RecorderView,
  options: RecorderLiveSourceOptions = {},
): RecorderLiveSource {
  const clock = options.clock ?? realClock;
  const maxTransitions = assertInteger(
    'liveSourceFromRecorder',
    'maxTransitions',
    options.maxTransitions ?? 50,
    0,
  );
  const startedAt = clock.now();
  const changed = new Emitter<undefined>();
  let status: LiveStatus | undefined;
  let transitions: LiveBreakerTransition[] = [];
  let breakersChanged = true;

  const readTransitions = (): LiveBreakerTransition[] => {
    const all: LiveBreakerTransition[] = [];
    for (const breaker of Object.values(recorder.summary().breakers)) {
      for (const t of breaker.transitions) all.push({ name: breaker.name, ...t });
    }
    all.sort((a, b) => a.at - b.at);
    return maxTransitions === 0 ? [] : all.slice(-maxTransitions);
  };

  const events = recorder.onEvent((event) => {
    if (event.category === 'breaker') breakersChanged = true;
    if (changed.active) changed.emit(undefined);
  });

  return {
    snapshot(): LiveSnapshot {
      if (breakersChanged) {
        breakersChanged = false;
        transitions = readTransitions();
      }
      return toLiveSnapshot(recorder.progress(), {
        name: recorder.name,
        seed: recorder.seed ?? null,
        status,
        elapsedMs: clock.now() - startedAt,
        breakerTransitions: transitions,
      });
    },
    onUpdate(listener: () => void): Subscription {
      return changed.event(() => {
        listener();
      });
    },
    setStatus(next) {
      status = next;
      if (changed.active) changed.emit(undefined);
    },
    dispose() {
      events.dispose();
    },
  };
}
