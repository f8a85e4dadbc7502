import {
  abortReason,
  assertNonNegativeNumber,
  assertOneOf,
  Emitter,
  RateLimitedError,
  realClock,
  type Clock,
  type Event,
  channelNames,
} from '../../core/index.ts';
import { toContext } from '../context.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from '../types.ts';
import { WaitQueue } from '../wait-queue.ts';
import type { RateLimiter } from './rate-limiter.ts';

/**
 * What a rate limit does with a call that finds no capacity: `'wait'` queues it (in arrival
 * order, abortable) until capacity frees; `'reject'` refuses it at once with a
 * {@link RateLimitedError} carrying `retryAfterMs`.
 */
export type RateLimitMode = 'wait' | 'reject';

/** Options every rate limit accepts. */
export interface RateLimitOptions extends PolicyOptions {
  /**
   * What to do without capacity; see {@link RateLimitMode}. Waiting is the default because a
   * client that paces its own calls is the usual cure for a provider's rate limits.
   * @default 'wait'
   */
  mode?: RateLimitMode;
  /**
   * In `'wait'` mode, the longest wait accepted, in milliseconds: a call that would wait longer
   * (counting the calls queued before it) is refused at once with a {@link RateLimitedError}.
   * @default Infinity
   */
  maxWaitMs?: number;
}

/** Emitted by {@link RateLimitPolicy.onRateLimited} when a call finds no capacity. */
export interface RateLimitEvent {
  /** `'rejected'`: refused with a `RateLimitedError`; `'waiting'`: queued for capacity. */
  readonly action: 'rejected' | 'waiting';
  /** Milliseconds until the call is expected to get capacity. */
  readonly waitMs: number;
  /** Calls waiting, not counting this one. */
  readonly queued: number;
}

/** Rejects with fn's own error, whatever its type: it is never wrapped. */
function rethrow(reason: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
  return Promise.reject(reason);
}

function call<T>(fn: PolicyFunction<T>, context: PolicyContext): Promise<T> {
  try {
    return Promise.resolve(fn(context));
  } catch (error) {
    return rethrow(error);
  }
}

/**
 * Limits the rate of calls with a {@link RateLimiter}; create one with {@link tokenBucket} or
 * {@link slidingWindow}. Admission with capacity free costs one clock read and no allocation.
 * Waiting calls are served strictly in arrival order (a newcomer never overtakes them) on one
 * timer for the whole queue; a waiting call whose signal aborts leaves the queue and rejects
 * with the signal's reason. The limit counts admissions, not concurrency: pair it with a
 * bulkhead to bound calls in flight.
 */
export class RateLimitPolicy implements Policy {
  /** Name used in events, channel messages and error messages. */
  readonly name: string;
  /** What a call without capacity does. */
  readonly mode: RateLimitMode;
  /** In `'wait'` mode, the longest accepted wait in milliseconds. */
  readonly maxWaitMs: number;
  readonly #limiter: RateLimiter;
  readonly #clock: Clock;
  readonly #emitter: Emitter<RateLimitEvent>;
  readonly #queue: WaitQueue;

  /** Fires when a call finds no capacity (whether it then waits or is refused). */
  readonly onRateLimited: Event<RateLimitEvent>;

  constructor(limiter: RateLimiter, options: RateLimitOptions = {}) {
    const name = options.name ?? 'rateLimit';
    this.name = name;
    this.mode = assertOneOf(name, 'mode', options.mode ?? 'wait', ['wait', 'reject']);
    this.maxWaitMs =
      options.maxWaitMs === undefined || options.maxWaitMs === Infinity
        ? Infinity
        : assertNonNegativeNumber(name, 'maxWaitMs', options.maxWaitMs);
    this.#limiter = limiter;
    this.#clock = options.clock ?? realClock;
    this.#queue = new WaitQueue(this.#clock, this.#wake);
    this.#emitter = new Emitter(channelNames.rateLimited, name);
    this.onRateLimited = this.#emitter.event;
  }

  /** Calls waiting for capacity now. */
  get queued(): number {
    return this.#queue.size;
  }

  /**
   * Runs `fn` when the limit allows.
   * @throws {RateLimitedError} in `'reject'` mode without capacity, or in `'wait'` mode when the
   *   wait would exceed `maxWaitMs`.
   * @throws the caller's `signal.reason` when the caller aborts while waiting.
   */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const context = toContext(input);
    if (input !== undefined && context.signal.aborted) {
      return rethrow(abortReason(context.signal));
    }
    const now = this.#clock.now();
    const queue = this.#queue;
    if (queue.head === undefined && this.#limiter.tryAcquire(now)) return call(fn, context);
    const waitMs = this.#limiter.availableAt(now, queue.size) - now;
    if (this.mode === 'reject' || waitMs > this.maxWaitMs) {
      this.#notify('rejected', waitMs);
      const why =
        this.mode === 'reject'
          ? 'no capacity'
          : `capacity is ${waitMs} ms away, more than maxWaitMs (${this.maxWaitMs} ms)`;
      return rethrow(
        new RateLimitedError(`${this.name}: ${why}; retry after ${waitMs} ms`, waitMs),
      );
    }
    this.#notify('waiting', waitMs);
    // The timer always serves the head; later waiters are served after it.
    return queue.push(fn, context, Infinity, waitMs) as Promise<T>;
  }

  #notify(action: RateLimitEvent['action'], waitMs: number): void {
    if (this.#emitter.active) this.#emitter.emit({ action, waitMs, queued: this.#queue.size });
  }

  readonly #wake = (): void => {
    const queue = this.#queue;
    const now = this.#clock.now();
    let waiter = queue.head;
    while (waiter !== undefined && this.#limiter.tryAcquire(now)) {
      queue.shift();
      call(waiter.fn, waiter.context).then(waiter.resolve, waiter.reject);
      waiter = queue.head;
    }
    // A started call may itself have queued a new head, which armed the timer.
    if (waiter !== undefined) queue.arm(this.#limiter.availableAt(now, 0) - now);
  };
}
