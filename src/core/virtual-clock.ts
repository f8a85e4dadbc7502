import { sleepOn, type Clock, type TimerHandle } from './clock.ts';
import { assertFiniteNumber, assertNonNegativeNumber } from './options.ts';

interface VirtualTimer {
  at: number;
  seq: number;
  callback: (() => void) | undefined;
}

/** Options of a {@link VirtualClock}. */
export interface VirtualClockOptions {
  /**
   * The clock's starting time in epoch milliseconds.
   * @default 0
   */
  start?: number;
  /**
   * How many timers `runUntilIdle()` fires before it decides that something reschedules itself
   * forever and throws.
   * @default 1_000_000
   */
  maxTimers?: number;
}

const flushMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock that never waits: time moves only when told to, jumping straight to the next timer.
 * Timers fire in time order, ties in creation order, and every callback's promise continuations
 * run before the next timer fires, so many concurrent agents on one clock behave
 * deterministically.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const done = clock.sleep(60_000);
 * await clock.advance(60_000); // returns at once; `done` is resolved
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #heap: VirtualTimer[] = [];
  #live = 0;
  readonly #maxTimers: number;

  constructor(options: VirtualClockOptions = {}) {
    this.#now = assertFiniteNumber('VirtualClock', 'start', options.start ?? 0);
    this.#maxTimers = options.maxTimers ?? 1_000_000;
  }

  now(): number {
    return this.#now;
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.#live;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  setTimer(ms: number, callback: () => void): TimerHandle {
    const timer: VirtualTimer = {
      at: this.#now + (Number.isFinite(ms) && ms > 0 ? ms : 0),
      seq: this.#seq++,
      callback,
    };
    this.#push(timer);
    this.#live++;
    return timer as unknown as TimerHandle;
  }

  clearTimer(handle: TimerHandle): void {
    const timer = handle as unknown as VirtualTimer;
    if (timer.callback !== undefined) {
      timer.callback = undefined;
      this.#live--;
    }
  }

  /** Time of the next timer, or `undefined` when none is pending. */
  peek(): number | undefined {
    this.#dropCleared();
    return this.#heap[0]?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order and letting the
   * continuations of each settle before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    assertNonNegativeNumber('VirtualClock.advance', 'ms', ms);
    const until = this.#now + ms;
    await flushMacrotask();
    for (;;) {
      const at = this.peek();
      if (at === undefined || at > until) break;
      this.#fireNext();
      await flushMacrotask();
    }
    this.#now = until;
  }

  /**
   * Jumps to the next timer and fires it (after letting pending continuations settle).
   * @returns `false` when no timer was pending.
   */
  async next(): Promise<boolean> {
    await flushMacrotask();
    if (this.peek() === undefined) return false;
    this.#fireNext();
    await flushMacrotask();
    return true;
  }

  /** Fires timers in order until none is left, including timers scheduled along the way. */
  async runUntilIdle(): Promise<void> {
    let fired = 0;
    while (await this.next()) {
      if (++fired > this.#maxTimers) {
        throw new Error(
          `VirtualClock.runUntilIdle: more than ${this.#maxTimers} timers fired; something reschedules itself forever`,
        );
      }
    }
  }

  /**
   * Drives time until `work` settles, then returns its result (or throws its error). Time jumps
   * from timer to timer; when no timer is pending but `work` is still waiting (on real I/O), it
   * yields to the event loop until something happens.
   */
  async run<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const promise = typeof work === 'function' ? work() : work;
    const state = { settled: false };
    const markSettled = (): void => {
      state.settled = true;
    };
    promise.then(markSettled, markSettled);
    let fired = 0;
    for (;;) {
      await flushMacrotask();
      if (state.settled) return promise;
      if (this.peek() === undefined) continue;
      this.#fireNext();
      if (++fired > this.#maxTimers) {
        throw new Error(
          `VirtualClock.run: more than ${this.#maxTimers} timers fired before the work settled`,
        );
      }
    }
  }

  #fireNext(): void {
    const timer = this.#pop();
    if (timer?.callback === undefined) return;
    const callback = timer.callback;
    timer.callback = undefined;
    this.#live--;
    if (timer.at > this.#now) this.#now = timer.at;
    callback();
  }

  #dropCleared(): void {
    while (this.#heap.length > 0 && this.#heap[0]?.callback === undefined) this.#pop();
  }

  #less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(timer: VirtualTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as VirtualTimer;
      if (!this.#less(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): VirtualTimer | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.#less(heap[r] as VirtualTimer, heap[l] as VirtualTimer) ? r : l;
      const c = heap[child] as VirtualTimer;
      if (!this.#less(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
