import type { Clock, TimerHandle } from '../../core/index.ts';
import type { ToxicEntry } from '../toxic-schema.ts';

/** Where an {@link OutputQueue} delivers: the downstream link and the connection. */
export interface OutputSink {
  write(chunk: Buffer): void;
  /** The server finished sending (FIN towards the client). */
  end(): void;
  /** Drop the connection. */
  close(): void;
  /** Asks the server socket to pause (true) or resume (false) while too much is queued. */
  pressure(on: boolean): void;
  /** True while `entry` is still installed on the proxy (a hold lasts as long). */
  alive(entry: ToxicEntry): boolean;
}

type Op =
  | { readonly kind: 'bytes'; readonly chunk: Buffer }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'hold'; readonly entry: ToxicEntry }
  | { readonly kind: 'end' }
  | { readonly kind: 'close' };

const HIGH_WATER = 1024 * 1024;

/**
 * The response side of an HTTP exchange as an ordered list of operations: bytes, pauses (slow
 * first byte, stalls), holds until a toxic goes away, end, close. Bytes pass straight through
 * while nothing waits.
 */
export class OutputQueue {
  readonly #clock: Clock;
  readonly #sink: OutputSink;
  #ops: Op[] = [];
  #timer: TimerHandle | undefined;
  #waiting = false;
  #queuedBytes = 0;
  #dead = false;

  constructor(clock: Clock, sink: OutputSink) {
    this.#clock = clock;
    this.#sink = sink;
  }

  write(chunk: Buffer): void {
    if (this.#dead || chunk.length === 0) return;
    if (this.#ops.length === 0 && !this.#waiting) {
      this.#sink.write(chunk);
      return;
    }
    this.#ops.push({ kind: 'bytes', chunk });
    this.#queuedBytes += chunk.length;
    if (this.#queuedBytes > HIGH_WATER) this.#sink.pressure(true);
  }

  wait(ms: number): void {
    if (ms > 0) this.#enqueue({ kind: 'wait', ms });
  }

  hold(entry: ToxicEntry): void {
    this.#enqueue({ kind: 'hold', entry });
  }

  end(): void {
    this.#enqueue({ kind: 'end' });
  }

  close(): void {
    this.#enqueue({ kind: 'close' });
  }

  /** Lets go of a hold whose toxic was removed (called on every toxic change). */
  release(): void {
    const head = this.#ops[0];
    if (head?.kind === 'hold' && !this.#sink.alive(head.entry)) {
      this.#waiting = false;
      this.#ops.shift();
      this.#run();
    }
  }

  /** Drops everything (the connection is going away). */
  halt(): void {
    this.#dead = true;
    this.#ops = [];
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #enqueue(op: Op): void {
    if (this.#dead) return;
    this.#ops.push(op);
    if (!this.#waiting) this.#run();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#waiting = false;
    this.#ops.shift();
    this.#run();
  };

  #run(): void {
    while (!this.#dead && !this.#waiting && this.#ops.length > 0) {
      const op = this.#ops[0] as Op;
      switch (op.kind) {
        case 'bytes':
          this.#ops.shift();
          this.#queuedBytes -= op.chunk.length;
          this.#sink.write(op.chunk);
          break;
        case 'wait':
          this.#waiting = true;
          this.#timer = this.#clock.setTimer(op.ms, this.#onTimer);
          return;
        case 'hold':
          if (!this.#sink.alive(op.entry)) {
            this.#ops.shift();
            break;
          }
          this.#waiting = true;
          return;
        case 'end':
          this.#ops.shift();
          this.#sink.end();
          break;
        case 'close':
          this.#dead = true;
          this.#ops = [];
          this.#sink.close();
          return;
      }
    }
    if (this.#queuedBytes < HIGH_WATER / 2) this.#sink.pressure(false);
  }
}
