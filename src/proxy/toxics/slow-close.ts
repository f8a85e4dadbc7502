import type { TimerHandle } from '../../core/index.ts';
import { ToxicStage, type EndKind, type StageAttributes } from './stage.ts';

/** `slow_close`: data passes untouched; the end of the stream is held back `delay` ms. */
export class SlowCloseStage extends ToxicStage {
  #delay = 0;
  #timer: TimerHandle | undefined;
  #pending: EndKind | undefined;

  init(attributes: StageAttributes): this {
    this.update(attributes);
    return this;
  }

  update(attributes: StageAttributes): void {
    this.#delay = attributes['delay'] as number;
  }

  write(chunk: Buffer): void {
    this.next.write(chunk);
  }

  end(kind: EndKind): void {
    if (this.#pending !== undefined) return;
    this.#pending = kind;
    this.#timer = this.ctx.clock.setTimer(this.#delay, () => {
      this.#timer = undefined;
      this.next.end(kind);
    });
  }

  remove(): void {
    if (this.#timer === undefined) return;
    this.ctx.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    if (this.#pending !== undefined) this.next.end(this.#pending);
  }
}
