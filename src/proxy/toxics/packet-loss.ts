import { QueueStage, type QueueItem, type StageAttributes } from './stage.ts';

/**
 * `packet_loss`: TCP never loses bytes, it retransmits them late. With probability
 * `probability` per chunk, the chunk (and, head-of-line, everything behind it) is held `stall` ms,
 * as after a lost segment and a retransmission timeout.
 */
export class PacketLossStage extends QueueStage {
  #probability = 0;
  #stall = 0;

  init(attributes: StageAttributes): this {
    this.update(attributes);
    return this;
  }

  update(attributes: StageAttributes): void {
    this.#probability = attributes['probability'] as number;
    this.#stall = attributes['stall'] as number;
  }

  protected override admit(item: QueueItem): void {
    if (item.chunk !== undefined && this.ctx.random().chance(this.#probability)) {
      item.extra = this.#stall;
    }
  }

  protected due(item: QueueItem): number {
    return item.arrival + item.extra;
  }
}
