import { channel, type Channel } from 'node:diagnostics_channel';

/** A subscription returned by an {@link Event}; `dispose()` (or `using`) unsubscribes. */
export interface Subscription {
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * A typed event: call it with a listener to subscribe.
 *
 * @example
 * ```ts
 * const sub = breaker.onBreak((e) => console.log('opened after', e.failureCount));
 * sub.dispose();
 * ```
 */
export type Event<T> = (listener: (event: T) => void) => Subscription;

/** What a faultline diagnostics channel publishes: the emitting component and the event. */
export interface ChannelMessage<T = unknown> {
  /** Name of the component that emitted, when it has one (e.g. a breaker's `name`). */
  readonly source: string | undefined;
  readonly event: T;
}

const channels = new Map<string, Channel>();

/**
 * The `node:diagnostics_channel` channel for an event name such as `faultline:policy:retry`.
 * Subscribe to it to observe every faultline component without holding references to them.
 */
export function faultlineChannel(name: string): Channel {
  let ch = channels.get(name);
  if (ch === undefined) {
    ch = channel(name);
    channels.set(name, ch);
  }
  return ch;
}

function reportListenerError(error: unknown): void {
  process.emitWarning(
    `faultline: an event listener threw: ${error instanceof Error ? error.message : String(error)}`,
    { code: 'FL_LISTENER_ERROR' },
  );
}

/**
 * Produces an {@link Event}. Costs nothing when nobody listens: producers check {@link active}
 * before building an event object. Listener errors never reach the producer; they become a
 * process warning.
 */
export class Emitter<T> {
  #listeners: readonly ((event: T) => void)[] = [];
  readonly #channel: Channel | undefined;
  readonly #source: string | undefined;

  /**
   * @param channelName - also publish on this diagnostics channel (`faultline:<area>:<event>`).
   * @param source - the emitting component's name, included in channel messages.
   */
  constructor(channelName?: string, source?: string) {
    this.#channel = channelName === undefined ? undefined : faultlineChannel(channelName);
    this.#source = source;
  }

  /** True when a listener or a diagnostics-channel subscriber would receive an event. */
  get active(): boolean {
    return this.#listeners.length > 0 || this.#channel?.hasSubscribers === true;
  }

  /** Subscribe function handed out to consumers. */
  readonly event: Event<T> = (listener) => {
    this.#listeners = [...this.#listeners, listener];
    let done = false;
    const dispose = (): void => {
      if (done) return;
      done = true;
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
    return { dispose, [Symbol.dispose]: dispose };
  };

  /** Delivers `event` to every listener and channel subscriber. */
  emit(event: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        reportListenerError(error);
      }
    }
    if (this.#channel?.hasSubscribers === true) {
      const message: ChannelMessage<T> = { source: this.#source, event };
      this.#channel.publish(message);
    }
  }
}
