import {
  assertFunction,
  assertIntegerOrInfinity,
  Emitter,
  invalidOption,
  isBudgetExceededError,
  isInvalidOptionError,
  isLoopDetectedError,
  neverAbortedSignal,
  randomSeeded,
  realClock,
  type Clock,
  type Event,
  type Random,
  channelNames,
} from '../core/index.ts';
import { exponential, fullJitter, type Schedule, type ScheduleInput } from '../schedule/index.ts';
import { toContext } from './context.ts';
import type { RetryBudget } from './retry-budget.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from './types.ts';

/** Limits for one class of failures in a retry policy's `classes` table. */
export interface RetryClassOptions {
  /**
   * Attempts allowed while failures of this class occur, the first included; `1` never
   * retries them. Counted per class within one call.
   * @default the policy's `maxAttempts`
   */
  maxAttempts?: number;
  /**
   * Delays between attempts after failures of this class.
   * @default the policy's `schedule`
   */
  schedule?: Schedule;
}

/** Options of {@link retry}. */
export interface RetryOptions<C extends string = string> extends PolicyOptions {
  /**
   * Total attempts, the first included (`Infinity` to rely on the schedule to stop). With a
   * `classes` table it applies to failures whose class has no entry.
   * @default 3
   */
  maxAttempts?: number;
  /**
   * Delay before each retry; it may also stop retrying by returning `undefined`.
   * @default fullJitter(exponential()) — 0–200 ms, 0–400 ms, ... up to 30 s
   */
  schedule?: Schedule;
  /**
   * Which errors are worth retrying.
   * @default defaultShouldRetry — every error except faultline's permanent refusals
   */
  shouldRetry?: (error: unknown) => boolean;
  /**
   * Retries a call that returned a result this predicate accepts (say an HTTP 503 response).
   * When attempts run out, the last result is returned.
   * @default never retries a result
   */
  retryOnResult?: (result: unknown) => boolean;
  /**
   * Names the class of a failure, to look up its limits in `classes`
   * (see `defaultErrorClassifier`).
   * @default no classes: every failure uses `maxAttempts` and `schedule`
   */
  classify?: (error: unknown) => C | undefined;
  /**
   * Per-class limits. Each class counts its own failures within a call; failures of a class
   * without an entry share the policy's `maxAttempts` and `schedule`.
   * @default {}
   */
  classes?: Partial<Record<C, RetryClassOptions>>;
  /**
   * A budget shared with other policies that caps retries relative to traffic.
   * @default no budget
   */
  budget?: RetryBudget;
}

/** Emitted before each retry's delay. */
export interface RetryEvent {
  /** The attempt that failed (1-based); the next one is `attempt + 1`. */
  readonly attempt: number;
  /** How long the policy waits before the next attempt, in milliseconds. */
  readonly delayMs: number;
  /** The failure; `undefined` when a result is retried. */
  readonly error: unknown;
  /** The result that is retried, when `retryOnResult` accepted it. */
  readonly result?: unknown;
  /** The failure's class, when a `classify` function is set. */
  readonly errorClass?: string;
}

/** Why a retry policy stopped retrying. */
export type RetryGiveUpReason =
  | 'attempts' // maxAttempts (of the failure's class) reached
  | 'not-retryable' // shouldRetry refused the error
  | 'schedule' // the schedule returned undefined
  | 'budget' // the shared retry budget is spent
  | 'aborted'; // the caller's signal aborted

/** Emitted when a retry policy stops retrying and passes on the last failure. */
export interface RetryGiveUpEvent {
  /** Attempts made in this call. */
  readonly attempts: number;
  readonly reason: RetryGiveUpReason;
  /** The last failure, rethrown to the caller; `undefined` when a result is returned. */
  readonly error: unknown;
  /** The last result, returned to the caller, when `retryOnResult` rejected every attempt. */
  readonly result?: unknown;
  /** The failure's class, when a `classify` function is set. */
  readonly errorClass?: string;
}

/** Emitted when a call succeeds. */
export interface RetrySuccessEvent {
  /** Attempts made in this call, the successful one included. */
  readonly attempts: number;
}

/**
 * The default `shouldRetry`: retries every error except faultline's refusals that cannot pass
 * by themselves (budget exceeded, loop detected, invalid option). A caller's abort always stops
 * the policy, whatever the predicate says.
 */
export function defaultShouldRetry(error: unknown): boolean {
  return !(
    isBudgetExceededError(error) ||
    isLoopDetectedError(error) ||
    isInvalidOptionError(error)
  );
}

interface ClassLimits {
  readonly maxAttempts: number;
  readonly schedule: Schedule;
}

interface Failure<T> {
  failed: boolean;
  error: unknown;
  result: T | undefined;
}

const defaultBucket = '\0default';

/**
 * Runs a function again when it fails, waiting between attempts according to a
 * {@link Schedule}. Gives up by rethrowing the last error exactly as `fn` threw it. Created by
 * {@link retry}.
 */
export class RetryPolicy implements Policy {
  /** Name used in events and diagnostics-channel messages. */
  readonly name: string;
  readonly #maxAttempts: number;
  readonly #schedule: Schedule;
  readonly #shouldRetry: (error: unknown) => boolean;
  readonly #retryOnResult: ((result: unknown) => boolean) | undefined;
  readonly #classify: ((error: unknown) => string | undefined) | undefined;
  readonly #classes: ReadonlyMap<string, ClassLimits>;
  readonly #budget: RetryBudget | undefined;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #retryEmitter: Emitter<RetryEvent>;
  readonly #giveUpEmitter: Emitter<RetryGiveUpEvent>;
  readonly #successEmitter: Emitter<RetrySuccessEvent>;

  /** Fires before each retry's delay, with the failed attempt, the delay and the failure. */
  readonly onRetry: Event<RetryEvent>;
  /** Fires when the policy stops retrying, with the reason and the failure passed on. */
  readonly onGiveUp: Event<RetryGiveUpEvent>;
  /** Fires when a call succeeds (first attempt included), with the attempts it took. */
  readonly onSuccess: Event<RetrySuccessEvent>;

  constructor(options: RetryOptions = {}) {
    const owner = 'retry';
    this.name = options.name ?? 'retry';
    this.#maxAttempts = assertIntegerOrInfinity(owner, 'maxAttempts', options.maxAttempts ?? 3, 1);
    this.#schedule = assertFunction(
      owner,
      'schedule',
      options.schedule ?? fullJitter(exponential()),
    );
    this.#shouldRetry = assertFunction(
      owner,
      'shouldRetry',
      options.shouldRetry ?? defaultShouldRetry,
    );
    this.#retryOnResult =
      options.retryOnResult === undefined
        ? undefined
        : assertFunction(owner, 'retryOnResult', options.retryOnResult);
    this.#classify =
      options.classify === undefined
        ? undefined
        : assertFunction(owner, 'classify', options.classify);
    const classes = new Map<string, ClassLimits>();
    for (const [key, entry] of Object.entries(options.classes ?? {})) {
      const limits: unknown = entry;
      if (typeof limits !== 'object' || limits === null) {
        invalidOption(owner, `classes.${key}`, limits, 'an object');
      }
      const { maxAttempts, schedule } = limits as RetryClassOptions;
      classes.set(key, {
        maxAttempts:
          maxAttempts === undefined
            ? this.#maxAttempts
            : assertIntegerOrInfinity(owner, `classes.${key}.maxAttempts`, maxAttempts, 1),
        schedule:
          schedule === undefined
            ? this.#schedule
            : assertFunction(owner, `classes.${key}.schedule`, schedule),
      });
    }
    if (classes.size > 0 && this.#classify === undefined) {
      invalidOption(owner, 'classify', undefined, "a function when 'classes' is set");
    }
    this.#classes = classes;
    this.#budget = options.budget;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? randomSeeded();
    this.#retryEmitter = new Emitter(channelNames.retry, this.name);
    this.#giveUpEmitter = new Emitter(channelNames.retryGiveUp, this.name);
    this.#successEmitter = new Emitter(channelNames.retrySuccess, this.name);
    this.onRetry = this.#retryEmitter.event;
    this.onGiveUp = this.#giveUpEmitter.event;
    this.onSuccess = this.#successEmitter.event;
  }

  /**
   * Runs `fn`, retrying as configured. `fn` receives the caller's signal and the attempt number
   * (1, 2, ...). Resolves with the first accepted result; rejects with the last error as thrown,
   * or with the signal's reason when the caller aborts during a delay.
   */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const context = toContext(input);
    this.#budget?.recordCall();
    let outcome: T | PromiseLike<T>;
    try {
      outcome = fn(context.attempt === 1 ? context : { signal: context.signal, attempt: 1 });
    } catch (error) {
      return this.#retryAfter(fn, context.signal, { failed: true, error, result: undefined });
    }
    // The common case, a first attempt that succeeds, costs one `.then` and nothing else.
    if (this.#retryOnResult === undefined && !this.#successEmitter.active) {
      if (!isPromiseLike(outcome)) return Promise.resolve(outcome);
      return Promise.resolve(outcome).then(undefined, (error: unknown) =>
        this.#retryAfter(fn, context.signal, { failed: true, error, result: undefined }),
      );
    }
    return Promise.resolve(outcome).then(
      (result) => this.#accept(fn, context.signal, result),
      (error: unknown) =>
        this.#retryAfter(fn, context.signal, { failed: true, error, result: undefined }),
    );
  }

  #accept<T>(fn: PolicyFunction<T>, signal: AbortSignal, result: T): T | Promise<T> {
    if (this.#retryOnResult?.(result) === true) {
      return this.#retryAfter(fn, signal, { failed: false, error: undefined, result });
    }
    if (this.#successEmitter.active) this.#successEmitter.emit({ attempts: 1 });
    return result;
  }

  async #retryAfter<T>(fn: PolicyFunction<T>, signal: AbortSignal, last: Failure<T>): Promise<T> {
    const firstFailureAt = this.#clock.now();
    const counts = new Map<string, number>();
    let attempt = 1;
    let previousDelayMs = 0;
    for (;;) {
      let reason: RetryGiveUpReason | undefined;
      let errorClass: string | undefined;
      let delayMs = 0;
      if (signal.aborted) reason = 'aborted';
      else if (last.failed && !this.#shouldRetry(last.error)) reason = 'not-retryable';
      else {
        if (last.failed && this.#classify !== undefined) errorClass = this.#classify(last.error);
        const limits = errorClass === undefined ? undefined : this.#classes.get(errorClass);
        const bucket = limits === undefined ? defaultBucket : (errorClass as string);
        const count = (counts.get(bucket) ?? 0) + 1;
        counts.set(bucket, count);
        if (count >= (limits?.maxAttempts ?? this.#maxAttempts)) reason = 'attempts';
        else {
          const now = this.#clock.now();
          const input: ScheduleInput = last.failed
            ? {
                attempt: count,
                elapsedMs: now - firstFailureAt,
                nowMs: now,
                previousDelayMs,
                random: this.#random,
                error: last.error,
              }
            : {
                attempt: count,
                elapsedMs: now - firstFailureAt,
                nowMs: now,
                previousDelayMs,
                random: this.#random,
                result: last.result,
              };
          const delay = (limits?.schedule ?? this.#schedule)(input);
          if (delay === undefined || !(delay < Infinity)) reason = 'schedule';
          else if (this.#budget !== undefined && !this.#budget.tryRetry()) reason = 'budget';
          else delayMs = Math.max(0, delay);
        }
      }

      if (reason !== undefined) {
        this.#emitGiveUp(attempt, reason, last, errorClass);
        if (last.failed) throw last.error;
        return last.result as T;
      }

      if (this.#retryEmitter.active) {
        this.#retryEmitter.emit({
          attempt,
          delayMs,
          error: last.error,
          ...(last.failed ? {} : { result: last.result }),
          ...(errorClass === undefined ? {} : { errorClass }),
        });
      }
      if (delayMs > 0) {
        try {
          await this.#clock.sleep(delayMs, signal === neverAbortedSignal ? undefined : signal);
        } catch (abort) {
          this.#emitGiveUp(attempt, 'aborted', last, errorClass);
          throw abort;
        }
      }
      previousDelayMs = delayMs;
      attempt++;
      try {
        const result = await fn({ signal, attempt });
        if (this.#retryOnResult?.(result) !== true) {
          if (this.#successEmitter.active) this.#successEmitter.emit({ attempts: attempt });
          return result;
        }
        last = { failed: false, error: undefined, result };
      } catch (error) {
        last = { failed: true, error, result: undefined };
      }
    }
  }

  #emitGiveUp(
    attempts: number,
    reason: RetryGiveUpReason,
    last: Failure<unknown>,
    errorClass: string | undefined,
  ): void {
    if (this.#giveUpEmitter.active) {
      this.#giveUpEmitter.emit({
        attempts,
        reason,
        error: last.error,
        ...(last.failed ? {} : { result: last.result }),
        ...(errorClass === undefined ? {} : { errorClass }),
      });
    }
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Creates a {@link RetryPolicy}.
 *
 * @example
 * ```ts
 * const policy = retry({ maxAttempts: 4, schedule: fullJitter(exponential({ initialDelayMs: 500 })) });
 * policy.onRetry(({ attempt, delayMs, error }) => log.warn({ attempt, delayMs, error }));
 * const page = await policy.execute(({ signal }) => fetch(url, { signal }), callerSignal);
 * ```
 * @example
 * ```ts
 * // Per-class limits, as an agent calling a model would want them.
 * retry({
 *   classify: defaultErrorClassifier,
 *   classes: {
 *     network: { maxAttempts: 5, schedule: fullJitter(exponential()) },
 *     rateLimit: { maxAttempts: 3, schedule: delayFromError({ fallback: constant(60_000) }) },
 *     validation: { maxAttempts: 2, schedule: constant(0) },
 *     auth: { maxAttempts: 1 },
 *     contextLength: { maxAttempts: 1 },
 *   },
 * });
 * ```
 */
export function retry<C extends string = string>(options: RetryOptions<C> = {}): RetryPolicy {
  return new RetryPolicy(options);
}
