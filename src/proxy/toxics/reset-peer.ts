import type { TimerHandle } from '../../core/index.ts';
import { ToxicStage, type StageAttributes } from './stage.ts';

/**
 * `reset_peer`: on the first data (or end), waits `timeout` ms and resets the connection: both
 * peers see a TCP RST (`ECONNRESET`). Data arriving meanwhile is dropped.
 */
export class ResetPeerStage extends ToxicStage {
  #timeout = 0;
  #timer: TimerHandle | undefined;
  #armed = false;

  init(attributes: StageAttributes): this {
    this.update(attributes);
    return this;
  }

  update(attributes: StageAttributes): void {
    this.#timeout = attributes['timeout'] as number;
  }

  write(chunk: Buffer): void {
    this.ctx.discard(chunk.length);
    this.#arm();
  }

  end(): void {
    this.#arm();
  }

  remove(): void {
    if (this.#timer !== undefined) this.ctx.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    if (this.#timeout <= 0) {
      this.ctx.reset();
      return;
    }
    this.#timer = this.ctx.clock.setTimer(this.#timeout, () => {
      this.#timer = undefined;
      this.ctx.reset();
    });
  }
}
