import type { Clock, Subscription, TimerHandle } from '../core/index.ts';
import type { LiveSource } from './live-snapshot.ts';

/** One server-sent event: `event:` line, `data:` lines (one per line of `data`), blank line. */
export function sseFrame(event: string, data: string): string {
  let frame = `event: ${event}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** Options of a {@link LiveBroadcast}. @internal */
export interface LiveBroadcastOptions {
  readonly live: LiveSource | undefined;
  readonly clock: Clock;
  /** Least time between two snapshot frames. */
  readonly minIntervalMs: number;
  /** Time between two heartbeat comments. */
  readonly heartbeatMs: number;
  /** Reconnection delay the browser is told to use. */
  readonly retryMs: number;
}

interface Client {
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
  /** A frame was skipped because the client was behind; send the latest once it catches up. */
  behind: boolean;
  done: boolean;
}

/** Frames queued for one client before it counts as behind and misses frames. */
const MAX_QUEUED_FRAMES = 4;

/**
 * Streams the live source to every open event stream. Each update marks the state dirty; one
 * snapshot per `minIntervalMs` at most is taken, serialized once and sent to every client (the
 * last update is always sent). A client that reads slowly skips intermediate frames and gets the
 * latest when it catches up: each frame is the whole state, so nothing is lost. The source is
 * subscribed to and the timers run only while at least one client is connected.
 * @internal
 */
export class LiveBroadcast {
  readonly #options: LiveBroadcastOptions;
  readonly #encoder = new TextEncoder();
  readonly #clients = new Set<Client>();
  #subscription: Subscription | undefined;
  #flushTimer: TimerHandle | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #dirty = false;
  #lastSentAt = -Infinity;
  #latest: Uint8Array | undefined;
  #framesSent = 0;

  constructor(options: LiveBroadcastOptions) {
    this.#options = options;
  }

  /** Open event streams. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Snapshot frames broadcast so far (initial frames of new clients not counted). */
  get framesSent(): number {
    return this.#framesSent;
  }

  /**
   * A new event stream: the reconnection delay and the current snapshot at once, then throttled
   * snapshots and heartbeats until `signal` aborts, the reader cancels, or {@link close}.
   */
  open(signal?: AbortSignal): ReadableStream<Uint8Array> {
    let client: Client | undefined;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          const added: Client = { controller, behind: false, done: false };
          client = added;
          controller.enqueue(this.#encoder.encode(`retry: ${this.#options.retryMs}\n\n`));
          controller.enqueue(this.#snapshotFrame());
          this.#add(added);
        },
        pull: () => {
          if (client?.behind === true && this.#latest !== undefined) {
            client.behind = false;
            client.controller.enqueue(this.#latest);
          }
        },
        cancel: () => {
          if (client !== undefined) this.#remove(client);
        },
      },
      { highWaterMark: 1 },
    );
    if (signal !== undefined) {
      const end = (): void => {
        if (client !== undefined) this.#end(client);
      };
      if (signal.aborted) end();
      else signal.addEventListener('abort', end, { once: true });
    }
    return stream;
  }

  /** Ends every open stream and stops listening. */
  close(): void {
    for (const client of [...this.#clients]) this.#end(client);
  }

  #add(client: Client): void {
    this.#clients.add(client);
    if (this.#clients.size !== 1) return;
    const { live, clock, heartbeatMs } = this.#options;
    this.#subscription = live?.onUpdate(() => {
      this.#markDirty();
    });
    const beat = (): void => {
      this.#heartbeatTimer = clock.setTimer(heartbeatMs, beat);
      this.#send(this.#encoder.encode(': heartbeat\n\n'), false);
    };
    this.#heartbeatTimer = clock.setTimer(heartbeatMs, beat);
  }

  #end(client: Client): void {
    if (client.done) return;
    try {
      client.controller.close();
    } catch {
      // Already closed or errored by the reader.
    }
    this.#remove(client);
  }

  #remove(client: Client): void {
    client.done = true;
    if (!this.#clients.delete(client) || this.#clients.size > 0) return;
    const { clock } = this.#options;
    this.#subscription?.dispose();
    this.#subscription = undefined;
    if (this.#flushTimer !== undefined) clock.clearTimer(this.#flushTimer);
    if (this.#heartbeatTimer !== undefined) clock.clearTimer(this.#heartbeatTimer);
    this.#flushTimer = undefined;
    this.#heartbeatTimer = undefined;
    this.#dirty = false;
  }

  #markDirty(): void {
    this.#dirty = true;
    if (this.#flushTimer !== undefined) return;
    const { clock, minIntervalMs } = this.#options;
    // Never snapshot inside the producer's notification: it may be on a hot path.
    const delay = Math.max(0, this.#lastSentAt + minIntervalMs - clock.now());
    this.#flushTimer = clock.setTimer(delay, () => {
      this.#flushTimer = undefined;
      this.#flush();
    });
  }

  #flush(): void {
    if (!this.#dirty || this.#clients.size === 0) return;
    this.#dirty = false;
    this.#lastSentAt = this.#options.clock.now();
    this.#framesSent++;
    this.#send(this.#snapshotFrame(), true);
  }

  #send(frame: Uint8Array, droppable: boolean): void {
    for (const client of this.#clients) {
      const queued = client.controller.desiredSize;
      if (droppable && queued !== null && queued < 1 - MAX_QUEUED_FRAMES) {
        client.behind = true;
        continue;
      }
      if (droppable) client.behind = false;
      client.controller.enqueue(frame);
    }
  }

  #snapshotFrame(): Uint8Array {
    let text: string;
    try {
      const live = this.#options.live;
      text = sseFrame('snapshot', JSON.stringify(live === undefined ? null : live.snapshot()));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      text = sseFrame('live-error', JSON.stringify({ message }));
    }
    const frame = this.#encoder.encode(text);
    this.#latest = frame;
    return frame;
  }
}
