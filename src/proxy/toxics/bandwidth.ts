import { QueueStage, type QueueItem, type StageAttributes } from './stage.ts';

/** Transmission schedule shared by {@link BandwidthStage}s: when the line is free again. */
export interface BandwidthLine {
  freeAt: number;
}

/**
 * `bandwidth`: lets data out at `rate` KB/s (bytes per millisecond), a slice of at most 100 ms
 * worth at a time, each slice leaving once its transmission time has passed. The schedule is
 * absolute, so late timers do not lower the rate. A `line` shared by several stages
 * (`proxy_bandwidth`) caps them all together. `rate` 0 means unlimited.
 */
export class BandwidthStage extends QueueStage {
  #rate = 0;
  #line: BandwidthLine = { freeAt: 0 };
  /** Emission time reserved for the head's next slice; NaN when none is reserved. */
  #slotAt = Number.NaN;
  #slotBytes = 0;

  init(attributes: StageAttributes, line?: BandwidthLine): this {
    if (line !== undefined) this.#line = line;
    this.update(attributes);
    return this;
  }

  update(attributes: StageAttributes): void {
    this.#rate = attributes['rate'] as number;
  }

  protected due(item: QueueItem, now: number): number {
    const rate = this.#rate;
    if (item.chunk === undefined || rate <= 0) return now;
    if (Number.isNaN(this.#slotAt)) {
      const bytes = Math.min(item.chunk.length, rate * 100);
      const line = this.#line;
      // An idle line starts from now; a busy one carries on from its schedule, which absorbs
      // timer lateness.
      const start = line.freeAt < now - 5 ? now : line.freeAt;
      this.#slotAt = start + bytes / rate;
      this.#slotBytes = bytes;
      line.freeAt = this.#slotAt;
    }
    return this.#slotAt;
  }

  protected override take(item: QueueItem): boolean {
    const chunk = item.chunk;
    const reserved = !Number.isNaN(this.#slotAt);
    this.#slotAt = Number.NaN;
    if (chunk === undefined || !reserved || this.#slotBytes >= chunk.length) {
      return super.take(item);
    }
    this.next.write(chunk.subarray(0, this.#slotBytes));
    item.chunk = chunk.subarray(this.#slotBytes);
    return false;
  }
}
