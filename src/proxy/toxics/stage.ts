import type { Clock, Random, TimerHandle } from '../../core/index.ts';

/**
 * How a direction ends: `eof` is the sender's FIN (the other direction goes on), `close` is a
 * toxic closing the connection (Toxiproxy closes both directions once it reaches the socket).
 */
export type EndKind = 'eof' | 'close';

/** Where a stage sends what it lets through: the next stage, or the link's socket writer. */
export interface StageTarget {
  write(chunk: Buffer): void;
  end(kind: EndKind): void;
}

/** What a link gives its stages. */
export interface StageContext {
  readonly clock: Clock;
  /** The link's random stream (forked on first use, so it costs nothing when unused). */
  random(): Random;
  /** Reports bytes a stage dropped on purpose, so the link's flow accounting stays right. */
  discard(bytes: number): void;
  /** Resets the whole connection (TCP RST on both sockets). */
  reset(): void;
}

/** Attributes as validated by the schema: numbers, strings and JSON values. */
export type StageAttributes = Readonly<Record<string, unknown>>;

/**
 * One toxic applied to one direction of one connection. A stage receives chunks in order and
 * passes them (delayed, sliced, dropped...) to `next`; on `remove()` it hands everything it
 * still holds to `next` at once, so removing a toxic never loses or reorders bytes.
 */
export abstract class ToxicStage implements StageTarget {
  /** Set by the link whenever the chain changes. */
  next: StageTarget;
  protected readonly ctx: StageContext;

  constructor(ctx: StageContext, next: StageTarget) {
    this.ctx = ctx;
    this.next = next;
  }

  abstract write(chunk: Buffer): void;
  abstract end(kind: EndKind): void;
  /** New attributes for the data still to come. */
  abstract update(attributes: StageAttributes): void;
  /** Flushes held data (and a held end) to `next`, cancels timers; the stage is then dead. */
  abstract remove(): void;
}

/** A chunk or an end waiting in a {@link QueueStage}. */
export interface QueueItem {
  /** `undefined` for an end marker. */
  chunk: Buffer | undefined;
  endKind: EndKind;
  /** Clock time the item entered the stage. */
  readonly arrival: number;
  /** Free per-stage data (a drawn delay, a stall). */
  extra: number;
}

/**
 * A stage that releases its items strictly in order, each no earlier than `due(item)`: the base
 * of latency, bandwidth, slicer and packet loss. One timer at most, none while idle; items due
 * now pass synchronously.
 */
export abstract class QueueStage extends ToxicStage {
  #queue: QueueItem[] = [];
  #head = 0;
  #timer: TimerHandle | undefined;
  #dead = false;

  /** Earliest clock time the head item may leave; called each time it reaches the head. */
  protected abstract due(item: QueueItem, now: number): number;

  /** Emits the head item (or part of it). Returns true when the item is done. */
  protected take(item: QueueItem): boolean {
    if (item.chunk === undefined) this.next.end(item.endKind);
    else this.next.write(item.chunk);
    return true;
  }

  /** Called for each item as it arrives (draw delays here). */
  protected admit?(item: QueueItem): void;

  write(chunk: Buffer): void {
    this.#push({ chunk, endKind: 'eof', arrival: this.ctx.clock.now(), extra: 0 });
  }

  end(kind: EndKind): void {
    this.#push({ chunk: undefined, endKind: kind, arrival: this.ctx.clock.now(), extra: 0 });
  }

  remove(): void {
    this.#dead = true;
    if (this.#timer !== undefined) this.ctx.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    const items = this.#queue;
    for (let i = this.#head; i < items.length; i++) {
      const item = items[i] as QueueItem;
      if (item.chunk === undefined) this.next.end(item.endKind);
      else this.next.write(item.chunk);
    }
    this.#queue = [];
    this.#head = 0;
  }

  /** Items (chunks and end markers) still held. */
  get held(): number {
    return this.#queue.length - this.#head;
  }

  #push(item: QueueItem): void {
    if (this.#dead) {
      if (item.chunk === undefined) this.next.end(item.endKind);
      else this.next.write(item.chunk);
      return;
    }
    this.admit?.(item);
    this.#queue.push(item);
    if (this.#timer === undefined && this.#queue.length - this.#head === 1) this.#pump();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#pump();
  };

  #pump(): void {
    const clock = this.ctx.clock;
    while (!this.#dead && this.#head < this.#queue.length) {
      const item = this.#queue[this.#head] as QueueItem;
      const now = clock.now();
      const at = this.due(item, now);
      if (at > now) {
        this.#timer = clock.setTimer(at - now, this.#onTimer);
        return;
      }
      if (this.take(item)) {
        this.#head++;
        if (this.#head > 64 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
      }
    }
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    }
  }
}
