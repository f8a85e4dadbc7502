import {
  abortReason,
  assertNonNegativeNumber,
  assertOneOf,
  Emitter,
  neverAbortedSignal,
  RateLimitedError,
  realClock,
  type Clock,
  type Event,
  type TimerHandle,
  channelNames,
} from '../../core/index.ts';
import { unwatchAbort, watchAbort, type AbortWatch, type AbortWatcher } from '../abort-watch.ts';
import { toContext } from '../context.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from '../types.ts';
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

/** A call waiting for capacity: a node of the FIFO queue. */
class Waiter implements AbortWatcher {
  readonly fn: PolicyFunction<unknown>;
  readonly context: PolicyContext;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly #drop: (waiter: Waiter) => boolean;
  prev: Waiter | undefined;
  next: Waiter | undefined;
  watch: AbortWatch | undefined;
  abortPrev: AbortWatcher | undefined;
  abortNext: AbortWatcher | undefined;

  constructor(
    drop: (waiter: Waiter) => boolean,
    fn: PolicyFunction<unknown>,
    context: PolicyContext,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#drop = drop;
    this.fn = fn;
    this.context = context;
    this.resolve = resolve;
    this.reject = reject;
  }

  signalAborted(): void {
    if (this.#drop(this)) this.reject(abortReason(this.context.signal));
  }
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
  #head: Waiter | undefined;
  #tail: Waiter | undefined;
  #queued = 0;
  #timer: TimerHandle | undefined;

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
    this.#emitter = new Emitter(channelNames.rateLimited, name);
    this.onRateLimited = this.#emitter.event;
  }

  /** Calls waiting for capacity now. */
  get queued(): number {
    return this.#queued;
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
    if (this.#head === undefined && this.#limiter.tryAcquire(now)) return call(fn, context);
    const waitMs = this.#limiter.availableAt(now, this.#queued) - now;
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
    return this.#enqueue(fn, context, waitMs) as Promise<T>;
  }

  #notify(action: RateLimitEvent['action'], waitMs: number): void {
    if (this.#emitter.active) this.#emitter.emit({ action, waitMs, queued: this.#queued });
  }

  #enqueue(fn: PolicyFunction<unknown>, context: PolicyContext, waitMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter = new Waiter(this.#drop, fn, context, resolve, reject);
      waiter.prev = this.#tail;
      if (this.#tail === undefined) this.#head = waiter;
      else this.#tail.next = waiter;
      this.#tail = waiter;
      this.#queued++;
      if (context.signal !== neverAbortedSignal) watchAbort(context.signal, waiter);
      // The timer always serves the head; later waiters are served after it.
      if (waiter.prev === undefined) this.#timer = this.#clock.setTimer(waitMs, this.#wake);
    });
  }

  readonly #wake = (): void => {
    this.#timer = undefined;
    const now = this.#clock.now();
    let waiter = this.#head;
    while (waiter !== undefined && this.#limiter.tryAcquire(now)) {
      this.#unlink(waiter);
      call(waiter.fn, waiter.context).then(waiter.resolve, waiter.reject);
      waiter = this.#head;
    }
    // A started call may itself have queued a new head, which armed the timer.
    if (waiter !== undefined && !this.#armed()) {
      this.#timer = this.#clock.setTimer(this.#limiter.availableAt(now, 0) - now, this.#wake);
    }
  };

  #armed(): boolean {
    return this.#timer !== undefined;
  }

  readonly #drop = (waiter: Waiter): boolean => {
    if (waiter.prev === undefined && this.#head !== waiter) return false;
    this.#unlink(waiter);
    return true;
  };

  #unlink(waiter: Waiter): void {
    const { prev, next } = waiter;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    waiter.prev = undefined;
    waiter.next = undefined;
    this.#queued--;
    unwatchAbort(waiter);
    if (this.#head === undefined && this.#timer !== undefined) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
  }
}
