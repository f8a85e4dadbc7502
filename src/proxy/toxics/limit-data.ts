import { ToxicStage, type EndKind, type StageAttributes } from './stage.ts';

/**
 * `limit_data`: lets `bytes` bytes through, then closes the connection. The count survives
 * attribute updates, as Toxiproxy's does.
 */
export class LimitDataStage extends ToxicStage {
  #limit = 0;
  #sent = 0;
  #closed = false;

  init(attributes: StageAttributes): this {
    this.update(attributes);
    return this;
  }

  update(attributes: StageAttributes): void {
    this.#limit = attributes['bytes'] as number;
  }

  write(chunk: Buffer): void {
    if (this.#closed) {
      this.ctx.discard(chunk.length);
      return;
    }
    const remaining = Math.max(0, this.#limit - this.#sent);
    if (chunk.length <= remaining) {
      this.#sent += chunk.length;
      this.next.write(chunk);
    } else {
      if (remaining > 0) this.next.write(chunk.subarray(0, remaining));
      this.ctx.discard(chunk.length - remaining);
      this.#sent += remaining;
    }
    if (this.#sent >= this.#limit) {
      this.#closed = true;
      this.next.end('close');
    }
  }

  end(kind: EndKind): void {
    if (this.#closed) return;
    this.#closed = true;
    this.next.end(kind);
  }

  remove(): void {
    // Nothing held.
  }
}
