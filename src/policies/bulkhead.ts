import {
  abortReason,
  assertInteger,
  assertIntegerOrInfinity,
  assertPositiveNumber,
  BulkheadRejectedError,
  Emitter,
  realClock,
  type Clock,
  type Event,
  channelNames,
} from '../core/index.ts';
import { toContext } from './context.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from './types.ts';
import { WaitQueue } from './wait-queue.ts';

/** Options of {@link bulkhead}. */
export interface BulkheadOptions extends PolicyOptions {
  /** Calls allowed to run at the same time (an integer >= 1). */
  maxConcurrent: number;
  /**
   * Calls allowed to wait for a slot, in arrival order, once all slots are taken; more are
   * rejected at once. `Infinity` queues without limit.
   * @default 0 (reject as soon as every slot is taken)
   */
  maxQueued?: number;
  /**
   * Longest wait in the queue, in milliseconds; a call still waiting then is rejected with a
   * {@link BulkheadRejectedError}. Leave unset to wait as long as it takes.
   * @default undefined (no limit)
   */
  queueTimeoutMs?: number;
}

/** Emitted by {@link BulkheadPolicy.onReject}. */
export interface BulkheadRejectEvent {
  /** `'full'`: every slot and queue place was taken; `'queue-timeout'`: it waited too long. */
  readonly reason: 'full' | 'queue-timeout';
  /** Calls running at that moment. */
  readonly executing: number;
  /** Calls queued at that moment (the rejected one not included). */
  readonly queued: number;
  /** The compartment's key for a bulkhead made by {@link BulkheadPolicy.for}. */
  readonly key: string | undefined;
}

/** Rejects with fn's own error, whatever its type: it is never wrapped. */
function rethrow(reason: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
  return Promise.reject(reason);
}

/**
 * Limits how many calls run at once, with an optional FIFO queue for the overflow. Create it
 * with {@link bulkhead}; give each agent, tenant or tool its own compartment with
 * {@link BulkheadPolicy.for} (or {@link compartments} for a whole per-key policy stack).
 *
 * A free slot costs one `.then` on the function's promise: no async function, no timer, no
 * allocation beyond the promise itself. The queue reads the clock only with `queueTimeoutMs`,
 * and all queued calls share one timer. A queued call whose signal aborts leaves the queue at
 * once and rejects with the signal's reason. A running call is never interrupted: combine with
 * a cooperative {@link timeout} inside the bulkhead to bound how long a slot is held.
 */
export class BulkheadPolicy implements Policy {
  /** Name used in events, channel messages and error messages. */
  readonly name: string;
  /** Calls allowed to run at the same time. */
  readonly maxConcurrent: number;
  /** Calls allowed to wait for a slot. */
  readonly maxQueued: number;
  /** Longest wait in the queue in milliseconds, if limited. */
  readonly queueTimeoutMs: number | undefined;
  readonly #options: BulkheadOptions;
  readonly #clock: Clock;
  readonly #emitter: Emitter<BulkheadRejectEvent>;
  #parent: BulkheadPolicy | undefined;
  #key: string | undefined;
  #compartments: Map<string, BulkheadPolicy> | undefined;
  #executing = 0;
  readonly #queue: WaitQueue;

  /** Fires when a call is refused; a compartment's refusals also fire on its parent. */
  readonly onReject: Event<BulkheadRejectEvent>;

  constructor(options: BulkheadOptions) {
    const name = options.name ?? 'bulkhead';
    this.name = name;
    this.maxConcurrent = assertInteger(name, 'maxConcurrent', options.maxConcurrent, 1);
    this.maxQueued = assertIntegerOrInfinity(name, 'maxQueued', options.maxQueued ?? 0);
    this.queueTimeoutMs =
      options.queueTimeoutMs === undefined
        ? undefined
        : assertPositiveNumber(name, 'queueTimeoutMs', options.queueTimeoutMs);
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#queue = new WaitQueue(this.#clock, this.#expire);
    this.#emitter = new Emitter(channelNames.bulkheadRejected, name);
    this.onReject = this.#emitter.event;
  }

  /** The compartment's key for a bulkhead made by {@link BulkheadPolicy.for}. */
  get key(): string | undefined {
    return this.#key;
  }

  /** Calls running now. */
  get executing(): number {
    return this.#executing;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.#queue.size;
  }

  /**
   * The compartment for `key`: a bulkhead with the same options and its own slots and queue,
   * created on first use and kept. Its refusals fire on its own `onReject` and on this one's,
   * with `key` set. Keys are never forgotten: for keys that come and go, use
   * {@link compartments}, which can delete them.
   *
   * @example
   * ```ts
   * const tools = bulkhead({ maxConcurrent: 2, maxQueued: 10 });
   * await tools.for(agent.id).execute(() => callTool(request)); // 2 at a time per agent
   * ```
   */
  for(key: string): BulkheadPolicy {
    this.#compartments ??= new Map();
    let compartment = this.#compartments.get(key);
    if (compartment === undefined) {
      compartment = new BulkheadPolicy({ ...this.#options, name: `${this.name}[${key}]` });
      compartment.#parent = this;
      compartment.#key = key;
      this.#compartments.set(key, compartment);
    }
    return compartment;
  }

  /**
   * Runs `fn` in a free slot, or queues it, or rejects.
   * @throws {BulkheadRejectedError} when every slot and queue place is taken, or the queue wait
   *   exceeded `queueTimeoutMs`.
   * @throws the caller's `signal.reason` when the caller aborts before a slot is free.
   */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const context = toContext(input);
    if (input !== undefined && context.signal.aborted) {
      return rethrow(abortReason(context.signal));
    }
    if (this.#executing < this.maxConcurrent) {
      this.#executing++;
      return this.#run(fn, context) as Promise<T>;
    }
    const queued = this.#queue.size;
    if (queued < this.maxQueued) {
      const timeoutMs = this.queueTimeoutMs;
      const deadline = timeoutMs === undefined ? Infinity : this.#clock.now() + timeoutMs;
      return this.#queue.push(fn, context, deadline, timeoutMs) as Promise<T>;
    }
    const error = new BulkheadRejectedError(
      `${this.name}: all ${this.maxConcurrent} slots are busy and ${queued} of ${this.maxQueued} queue places taken`,
      this.#executing,
      queued,
    );
    this.#notifyReject('full');
    return rethrow(error);
  }

  #run(fn: PolicyFunction<unknown>, context: PolicyContext): Promise<unknown> {
    let result: unknown;
    try {
      result = fn(context);
    } catch (error) {
      // Released from a microtask, like any other outcome, so a queue of calls that all throw
      // at once cannot recurse.
      result = rethrow(error);
    }
    return Promise.resolve(result).then(this.#onValue, this.#onError);
  }

  readonly #onValue = (value: unknown): unknown => {
    this.#release();
    return value;
  };

  readonly #onError = (error: unknown): never => {
    this.#release();
    throw error;
  };

  #release(): void {
    this.#executing--;
    const next = this.#queue.shift();
    if (next === undefined) return;
    this.#executing++;
    this.#run(next.fn, next.context).then(next.resolve, next.reject);
  }

  // Queue deadlines are in queue order, so one timer for the oldest call serves them all.
  readonly #expire = (): void => {
    const queue = this.#queue;
    const now = this.#clock.now();
    let entry = queue.head;
    while (entry !== undefined && entry.deadline <= now) {
      queue.shift();
      const error = new BulkheadRejectedError(
        `${this.name}: no slot came free within the queue timeout of ${this.queueTimeoutMs} ms`,
        this.#executing,
        queue.size,
      );
      this.#notifyReject('queue-timeout');
      entry.reject(error);
      entry = queue.head;
    }
    // A reject listener may have queued a new call, which armed the timer already.
    if (entry !== undefined) queue.arm(entry.deadline - now);
  };

  #notifyReject(reason: BulkheadRejectEvent['reason']): void {
    const parent = this.#parent === undefined ? undefined : this.#parent.#emitter;
    if (!this.#emitter.active && parent?.active !== true) return;
    const event: BulkheadRejectEvent = {
      reason,
      executing: this.#executing,
      queued: this.#queue.size,
      key: this.#key,
    };
    if (this.#emitter.active) this.#emitter.emit(event);
    if (parent?.active === true) parent.emit(event);
  }
}

/**
 * Creates a {@link BulkheadPolicy}.
 *
 * @example
 * ```ts
 * // At most 4 model calls at once, 20 more waiting up to 30 s each.
 * const models = bulkhead({ maxConcurrent: 4, maxQueued: 20, queueTimeoutMs: 30_000 });
 * const reply = await models.execute(({ signal }) => generate(prompt, { signal }));
 * ```
 */
export function bulkhead(options: BulkheadOptions): BulkheadPolicy {
  return new BulkheadPolicy(options);
}
