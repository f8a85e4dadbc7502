import { Emitter, type Subscription } from '../core/index.ts';
import { emptyLiveSnapshot, type LiveSnapshot, type LiveSource } from './live-snapshot.ts';

/**
 * The simplest {@link LiveSource}: holds the latest snapshot a producer published and tells the
 * dashboard it changed. A campaign runner that computes its own snapshots publishes them here.
 *
 * @example
 * ```ts
 * const feed = new LiveFeed();
 * await startDashboard({ live: feed });
 * feed.update((s) => ({ ...s, status: 'running', progress: { ...s.progress, runsPlanned: 100 } }));
 * ```
 */
export class LiveFeed implements LiveSource {
  #current: LiveSnapshot;
  readonly #updated = new Emitter<undefined>();

  /** @param initial - the first snapshot. @default emptyLiveSnapshot() */
  constructor(initial: LiveSnapshot = emptyLiveSnapshot()) {
    this.#current = initial;
  }

  snapshot(): LiveSnapshot {
    return this.#current;
  }

  onUpdate(listener: () => void): Subscription {
    return this.#updated.event(() => {
      listener();
    });
  }

  /** Replaces the snapshot and notifies listeners. */
  publish(snapshot: LiveSnapshot): void {
    this.#current = snapshot;
    if (this.#updated.active) this.#updated.emit(undefined);
  }

  /** Publishes `change(current)`. */
  update(change: (current: LiveSnapshot) => LiveSnapshot): void {
    this.publish(change(this.#current));
  }
}
