import { QueueStage, type QueueItem, type StageAttributes } from './stage.ts';

/**
 * `latency`: every chunk leaves `latency` ± `jitter` ms after it arrived (jitter drawn per
 * chunk, uniformly in [-jitter, jitter)), never before the chunk ahead of it, so order holds.
 */
export class LatencyStage extends QueueStage {
  #latency = 0;
  #jitter = 0;

  init(attributes: StageAttributes): this {
    this.update(attributes);
    return this;
  }

  update(attributes: StageAttributes): void {
    this.#latency = attributes['latency'] as number;
    this.#jitter = attributes['jitter'] as number;
  }

  protected override admit(item: QueueItem): void {
    if (item.chunk === undefined) return;
    const jitter = this.#jitter;
    item.extra =
      jitter > 0 ? this.#latency + this.ctx.random().int(-jitter, jitter - 1) : this.#latency;
  }

  protected due(item: QueueItem): number {
    return item.arrival + item.extra;
  }
}
