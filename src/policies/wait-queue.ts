/**
 * Internal: the FIFO queue of calls waiting for a policy (a bulkhead slot, rate-limit capacity).
 * @internal
 */
import { abortReason, neverAbortedSignal, type Clock, type TimerHandle } from '../core/index.ts';
import { unwatchAbort, watchAbort, type AbortWatch, type AbortWatcher } from './abort-watch.ts';
import type { PolicyContext, PolicyFunction } from './types.ts';

/** A call waiting in a {@link WaitQueue}: a node of its list, linked to its caller's signal. */
export class QueuedCall implements AbortWatcher {
  readonly fn: PolicyFunction<unknown>;
  readonly context: PolicyContext;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  /** When the call stops waiting (`Infinity`: never); the owner decides what that means. */
  readonly deadline: number;
  readonly #queue: WaitQueue;
  prev: QueuedCall | undefined;
  next: QueuedCall | undefined;
  watch: AbortWatch | undefined;
  abortPrev: AbortWatcher | undefined;
  abortNext: AbortWatcher | undefined;

  constructor(
    queue: WaitQueue,
    fn: PolicyFunction<unknown>,
    context: PolicyContext,
    deadline: number,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#queue = queue;
    this.fn = fn;
    this.context = context;
    this.deadline = deadline;
    this.resolve = resolve;
    this.reject = reject;
  }

  /** The caller's signal aborted while waiting. */
  signalAborted(): void {
    if (this.#queue.remove(this)) this.reject(abortReason(this.context.signal));
  }
}

/**
 * Calls waiting in arrival order. A call whose signal aborts leaves at once, in O(1), and rejects
 * with the signal's reason. The whole queue shares one timer, which serves the head: the owner
 * arms it and, when it fires, serves or refuses calls from the head and re-arms it if any remain.
 * The timer is cleared as soon as the queue empties.
 */
export class WaitQueue {
  /** The oldest waiting call. */
  head: QueuedCall | undefined;
  /** Calls waiting now. */
  size = 0;
  #tail: QueuedCall | undefined;
  #timer: TimerHandle | undefined;
  readonly #clock: Clock;
  readonly #onTimer: () => void;

  constructor(clock: Clock, onTimer: () => void) {
    this.#clock = clock;
    this.#onTimer = onTimer;
  }

  /**
   * Queues a call; the promise settles when the owner runs it or refuses it. When the call is
   * the only one waiting and `headDelayMs` is set, the timer is armed for it.
   */
  push(
    fn: PolicyFunction<unknown>,
    context: PolicyContext,
    deadline: number,
    headDelayMs: number | undefined,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const entry = new QueuedCall(this, fn, context, deadline, resolve, reject);
      entry.prev = this.#tail;
      if (this.#tail === undefined) this.head = entry;
      else this.#tail.next = entry;
      this.#tail = entry;
      this.size++;
      if (context.signal !== neverAbortedSignal) watchAbort(context.signal, entry);
      if (headDelayMs !== undefined && entry.prev === undefined) this.arm(headDelayMs);
    });
  }

  /** Takes the oldest call out of the queue. */
  shift(): QueuedCall | undefined {
    const head = this.head;
    if (head !== undefined) this.#unlink(head);
    return head;
  }

  /** Removes `entry`; false when it had left the queue already. */
  remove(entry: QueuedCall): boolean {
    if (entry.prev === undefined && this.head !== entry) return false;
    this.#unlink(entry);
    return true;
  }

  /** Arms the timer to fire in `ms`, unless it is armed already (a callback may have re-armed it). */
  arm(ms: number): void {
    if (this.#timer === undefined) this.#timer = this.#clock.setTimer(ms, this.#fire);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#onTimer();
  };

  #unlink(entry: QueuedCall): void {
    const { prev, next } = entry;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    entry.prev = undefined;
    entry.next = undefined;
    this.size--;
    unwatchAbort(entry);
    if (this.head === undefined && this.#timer !== undefined) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
  }
}
