import type { TimerHandle } from '../../core/index.ts';
import { ToxicStage, type StageAttributes } from './stage.ts';

/**
 * `timeout`: drops every byte; after `timeout` ms (counted from when the toxic reached the
 * connection) closes the connection; with 0 it holds until removed. As in Toxiproxy, removing
 * it closes the connection too: the bytes it dropped would leave the stream corrupt.
 */
export class TimeoutStage extends ToxicStage {
  #timer: TimerHandle | undefined;
  #closed = false;

  init(attributes: StageAttributes): this {
    this.update(attributes);
    return this;
  }

  update(attributes: StageAttributes): void {
    if (this.#timer !== undefined) this.ctx.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    const timeout = attributes['timeout'] as number;
    if (timeout > 0 && !this.#closed) {
      this.#timer = this.ctx.clock.setTimer(timeout, () => {
        this.#timer = undefined;
        this.#close();
      });
    }
  }

  write(chunk: Buffer): void {
    this.ctx.discard(chunk.length);
  }

  end(): void {
    this.#close();
  }

  remove(): void {
    if (this.#timer !== undefined) this.ctx.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.next.end('close');
  }
}
