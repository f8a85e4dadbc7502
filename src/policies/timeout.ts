import {
  abortReason,
  assertOneOf,
  assertPositiveNumber,
  Emitter,
  neverAbortedSignal,
  realClock,
  TimeoutError,
  type Clock,
  type Event,
  type TimerHandle,
  channelNames,
} from '../core/index.ts';
import { unwatchAbort, watchAbort, type AbortWatch, type AbortWatcher } from './abort-watch.ts';
import { toContext } from './context.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from './types.ts';

/**
 * How a {@link TimeoutPolicy} enforces its deadline.
 *
 * - `'aggressive'`: at the deadline the call rejects with a {@link TimeoutError} at once, whether
 *   or not the function has stopped; the function's signal is aborted too, so a function that
 *   listens stops its work. The caller always gets control back on time.
 * - `'cooperative'`: at the deadline only the function's signal is aborted (its reason is a
 *   {@link TimeoutError}); the policy then waits for the function and returns whatever it
 *   settles with. Functions that reject with `signal.reason` (as `fetch` does) therefore surface
 *   the `TimeoutError`; a function may also stop early and return a partial result. A function
 *   that never reads `context.signal` is not timed at all, which makes this strategy almost free.
 */
export type TimeoutStrategy = 'cooperative' | 'aggressive';

/** Options of {@link timeout}. */
export interface TimeoutOptions extends PolicyOptions {
  /** The deadline of each call, in milliseconds from the moment `execute` is called. */
  ms: number;
  /**
   * How the deadline is enforced; see {@link TimeoutStrategy}. Aggressive is the default because
   * an agent's tools and SDKs often ignore abort signals, and a timeout that can hang is no
   * timeout. Choose `'cooperative'` when the work must really have stopped before the call
   * returns (for example inside a bulkhead, whose slot is freed when the call returns) or when
   * the function returns a partial result on abort.
   * @default 'aggressive'
   */
  strategy?: TimeoutStrategy;
}

/** Emitted by {@link TimeoutPolicy.onTimeout} when a call reaches its deadline. */
export interface TimeoutEvent {
  /** The policy's deadline in milliseconds. */
  readonly timeoutMs: number;
  /** The strategy that enforced it. */
  readonly strategy: TimeoutStrategy;
}

/** A timed call, kept in a {@link DeadlineQueue} until it settles or expires. */
interface DeadlineNode {
  deadline: number;
  prev: DeadlineNode | undefined;
  next: DeadlineNode | undefined;
  queued: boolean;
  expire(): void;
}

/** A Node.js timer handle (the real clock's) can stop holding the process open. */
interface KeepAliveHandle {
  ref(): unknown;
  unref(): unknown;
}

function canUnref(handle: TimerHandle): boolean {
  return typeof (handle as unknown as Partial<KeepAliveHandle>).unref === 'function';
}

/**
 * Deadlines of one duration on one clock, in deadline order, with a single timer armed for the
 * earliest. Calls of a fixed duration start in time order, so insertion nearly always appends.
 * A call that settles early is unlinked without touching the timer, which then fires early once
 * and re-arms for the new earliest deadline: under load there is about one timer per duration
 * rather than one per call.
 *
 * When the queue empties, a timer that supports `unref()` (Node's) stays armed but stops holding
 * the process open, so back-to-back calls reuse it; any other timer (a virtual clock's) is
 * cleared, so simulated time never jumps to a deadline nobody waits for.
 */
class DeadlineQueue {
  readonly #clock: Clock;
  #head: DeadlineNode | undefined;
  #tail: DeadlineNode | undefined;
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  #unrefed = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  add(node: DeadlineNode): void {
    node.queued = true;
    if (this.#unrefed) {
      this.#unrefed = false;
      (this.#timer as unknown as KeepAliveHandle).ref();
    }
    let after = this.#tail;
    while (after !== undefined && after.deadline > node.deadline) after = after.prev;
    node.prev = after;
    if (after === undefined) {
      node.next = this.#head;
      if (this.#head === undefined) this.#tail = node;
      else this.#head.prev = node;
      this.#head = node;
      if (node.deadline < this.#timerAt) this.#arm(node.deadline);
    } else {
      node.next = after.next;
      if (after.next === undefined) this.#tail = node;
      else after.next.prev = node;
      after.next = node;
    }
  }

  remove(node: DeadlineNode): void {
    if (!node.queued) return;
    this.#unlink(node);
    const timer = this.#timer;
    if (this.#head === undefined && timer !== undefined) {
      if (canUnref(timer)) {
        this.#unrefed = true;
        (timer as unknown as KeepAliveHandle).unref();
      } else {
        this.#clock.clearTimer(timer);
        this.#timer = undefined;
        this.#timerAt = Infinity;
      }
    }
  }

  #unlink(node: DeadlineNode): void {
    node.queued = false;
    const { prev, next } = node;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    node.prev = undefined;
    node.next = undefined;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#unrefed = false;
    this.#timerAt = at;
    // Whole milliseconds, rounded up: a real timer then never fires before the deadline.
    this.#timer = this.#clock.setTimer(Math.ceil(at - this.#clock.now()), this.#fire);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#unrefed = false;
    let node = this.#head;
    if (node === undefined) return;
    const now = this.#clock.now();
    while (node !== undefined && node.deadline <= now) {
      this.#unlink(node);
      node.expire();
      node = this.#head;
    }
    // An expiring call's listeners may have started new calls and armed the timer already.
    if (node !== undefined && !this.#armed()) this.#arm(node.deadline);
  };

  #armed(): boolean {
    return this.#timer !== undefined;
  }
}

const queuesByClock = new WeakMap<Clock, Map<number, DeadlineQueue>>();

function deadlineQueue(clock: Clock, ms: number): DeadlineQueue {
  let byDuration = queuesByClock.get(clock);
  if (byDuration === undefined) {
    byDuration = new Map();
    queuesByClock.set(clock, byDuration);
  }
  let queue = byDuration.get(ms);
  if (queue === undefined) {
    queue = new DeadlineQueue(clock);
    byDuration.set(ms, queue);
  }
  return queue;
}

/** What every call of one policy shares. */
interface TimeoutShared {
  readonly ms: number;
  readonly name: string;
  readonly clock: Clock;
  readonly queue: DeadlineQueue;
  readonly emitter: Emitter<TimeoutEvent>;
  readonly event: TimeoutEvent;
}

function timeoutError(shared: TimeoutShared): TimeoutError {
  return new TimeoutError(`${shared.name}: timed out after ${shared.ms} ms`, shared.ms);
}

function notifyTimeout(shared: TimeoutShared): void {
  if (shared.emitter.active) shared.emitter.emit(shared.event);
}

const notReturned: unique symbol = Symbol('not returned');

/**
 * The context handed to a function under a cooperative timeout. Its `signal` is created on first
 * read: a function that never looks at it costs no controller, no timer and no listener.
 */
class CooperativeCall implements PolicyContext, DeadlineNode, AbortWatcher {
  readonly attempt: number;
  readonly #shared: TimeoutShared;
  readonly #parent: AbortSignal;
  #controller: AbortController | undefined;
  #result: unknown = notReturned;
  deadline: number;
  prev: DeadlineNode | undefined;
  next: DeadlineNode | undefined;
  queued = false;
  watch: AbortWatch | undefined;
  abortPrev: AbortWatcher | undefined;
  abortNext: AbortWatcher | undefined;

  constructor(shared: TimeoutShared, parent: PolicyContext, start: number) {
    this.#shared = shared;
    this.#parent = parent.signal;
    this.attempt = parent.attempt;
    this.deadline = start + shared.ms;
  }

  get signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    const parent = this.#parent;
    const shared = this.#shared;
    if (parent.aborted) {
      controller.abort(parent.reason);
    } else if (shared.clock.now() >= this.deadline) {
      this.expire();
    } else {
      shared.queue.add(this);
      if (parent !== neverAbortedSignal) watchAbort(parent, this);
      if (this.#result !== notReturned) this.#settleWatch(this.#result);
    }
    return controller.signal;
  }

  /** Called by `execute` once the function has returned (not necessarily settled). */
  returned(result: unknown): void {
    this.#result = result;
    if (this.queued) this.#settleWatch(result);
  }

  /** Stops timing once the function's result settles. */
  #settleWatch(result: unknown): void {
    if (isThenable(result)) {
      Promise.resolve(result).then(this.#finish, this.#finish);
    } else {
      this.#finish();
    }
  }

  readonly #finish = (): void => {
    this.#shared.queue.remove(this);
    unwatchAbort(this);
  };

  /** The deadline passed. */
  expire(): void {
    unwatchAbort(this);
    this.#controller?.abort(timeoutError(this.#shared));
    notifyTimeout(this.#shared);
  }

  signalAborted(): void {
    this.#shared.queue.remove(this);
    this.#controller?.abort(this.#parent.reason);
  }
}

let nextResolve: ((value: unknown) => void) | undefined;
let nextReject: ((reason: unknown) => void) | undefined;
function captureResolvers(
  resolve: (value: unknown) => void,
  reject: (reason: unknown) => void,
): void {
  nextResolve = resolve;
  nextReject = reject;
}

/**
 * The context and deadline-queue node of one call under an aggressive timeout. The promise the
 * caller gets settles with the first of: the function settling, the deadline, the caller's abort.
 */
class AggressiveCall implements PolicyContext, DeadlineNode, AbortWatcher {
  readonly attempt: number;
  readonly #shared: TimeoutShared;
  readonly #parent: AbortSignal;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (reason: unknown) => void;
  #controller: AbortController | undefined;
  #settled = false;
  #timedOut: TimeoutError | undefined;
  deadline: number;
  prev: DeadlineNode | undefined;
  next: DeadlineNode | undefined;
  queued = false;
  watch: AbortWatch | undefined;
  abortPrev: AbortWatcher | undefined;
  abortNext: AbortWatcher | undefined;
  readonly promise: Promise<unknown>;

  constructor(shared: TimeoutShared, parent: PolicyContext) {
    this.#shared = shared;
    this.#parent = parent.signal;
    this.attempt = parent.attempt;
    this.deadline = shared.clock.now() + shared.ms;
    // A shared executor avoids allocating a closure per call.
    this.promise = new Promise(captureResolvers);
    this.#resolve = nextResolve as (value: unknown) => void;
    this.#reject = nextReject as (reason: unknown) => void;
    shared.queue.add(this);
    if (this.#parent !== neverAbortedSignal) watchAbort(this.#parent, this);
  }

  get signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    if (this.#timedOut !== undefined) controller.abort(this.#timedOut);
    else if (this.#parent.aborted) controller.abort(this.#parent.reason);
    return controller.signal;
  }

  readonly succeed = (value: unknown): void => {
    if (this.#settled) return;
    this.#settled = true;
    this.#shared.queue.remove(this);
    unwatchAbort(this);
    this.#resolve(value);
  };

  readonly fail = (error: unknown): void => {
    if (this.#settled) return;
    this.#settled = true;
    this.#shared.queue.remove(this);
    unwatchAbort(this);
    this.#reject(error);
  };

  expire(): void {
    if (this.#settled) return;
    this.#settled = true;
    unwatchAbort(this);
    const error = timeoutError(this.#shared);
    this.#timedOut = error;
    this.#controller?.abort(error);
    notifyTimeout(this.#shared);
    this.#reject(error);
  }

  signalAborted(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#shared.queue.remove(this);
    this.#controller?.abort(this.#parent.reason);
    this.#reject(abortReason(this.#parent));
  }
}

/** Rejects with fn's own error, whatever its type: it is never wrapped. */
function rethrow(reason: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
  return Promise.reject(reason);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value instanceof Promise ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { then?: unknown }).then === 'function')
  );
}

/**
 * Gives each call a deadline. Create it with {@link timeout}.
 *
 * Abort machinery is created only when needed: the context's `signal` is built on first read,
 * and deadlines share one timer per clock and duration. The caller's own abort always wins: it
 * rejects with the caller's reason, never with a `TimeoutError`. The function's signal is not
 * aborted when the call succeeds, so a returned stream can keep reading.
 */
export class TimeoutPolicy implements Policy {
  /** Name used in events, channel messages and error messages. */
  readonly name: string;
  /** The deadline of each call, in milliseconds. */
  readonly ms: number;
  /** How the deadline is enforced. */
  readonly strategy: TimeoutStrategy;
  readonly #shared: TimeoutShared;

  /**
   * Fires when a call reaches its deadline (for a cooperative timeout: only when the function
   * read its signal, since otherwise nothing is timed).
   */
  readonly onTimeout: Event<TimeoutEvent>;

  constructor(options: TimeoutOptions) {
    const name = options.name ?? 'timeout';
    this.name = name;
    this.ms = assertPositiveNumber(name, 'ms', options.ms);
    this.strategy = assertOneOf(name, 'strategy', options.strategy ?? 'aggressive', [
      'aggressive',
      'cooperative',
    ]);
    const clock = options.clock ?? realClock;
    const emitter = new Emitter<TimeoutEvent>(channelNames.timeout, name);
    this.onTimeout = emitter.event;
    this.#shared = {
      ms: this.ms,
      name,
      clock,
      queue: deadlineQueue(clock, this.ms),
      emitter,
      event: Object.freeze({ timeoutMs: this.ms, strategy: this.strategy }),
    };
  }

  /**
   * Runs `fn` under the deadline.
   * @throws {TimeoutError} when the deadline passes first (aggressive), or whatever `fn` throws.
   * @throws the caller's `signal.reason` when the caller aborts first.
   */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const context = toContext(input);
    if (context.signal.aborted) return Promise.reject(abortReason(context.signal));
    const shared = this.#shared;
    if (this.strategy === 'cooperative') {
      const call = new CooperativeCall(shared, context, shared.clock.now());
      let result: T | PromiseLike<T>;
      try {
        result = fn(call);
      } catch (error) {
        call.returned(undefined);
        return rethrow(error);
      }
      call.returned(result);
      return Promise.resolve(result);
    }
    const call = new AggressiveCall(shared, context);
    let result: T | PromiseLike<T>;
    try {
      result = fn(call);
    } catch (error) {
      call.fail(error);
      return call.promise as Promise<T>;
    }
    if (isThenable(result)) Promise.resolve(result).then(call.succeed, call.fail);
    else call.succeed(result);
    return call.promise as Promise<T>;
  }
}

/**
 * Creates a {@link TimeoutPolicy}. Pass the deadline in milliseconds, or options.
 *
 * @example
 * ```ts
 * const fiveSeconds = timeout(5_000); // aggressive
 * const polite = timeout({ ms: 5_000, strategy: 'cooperative' });
 * const reply = await polite.execute(({ signal }) => fetch(url, { signal }));
 * ```
 */
export function timeout(options: number | TimeoutOptions): TimeoutPolicy {
  return new TimeoutPolicy(typeof options === 'number' ? { ms: options } : options);
}
