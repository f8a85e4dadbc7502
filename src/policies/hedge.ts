import {
  assertFunction,
  assertInteger,
  assertNonNegativeNumber,
  Emitter,
  neverAbortedSignal,
  realClock,
  type Clock,
  type Event,
  type TimerHandle,
  channelNames,
} from '../core/index.ts';
import { toContext } from './context.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from './types.ts';

/** Options of {@link hedge}. */
export interface HedgeOptions extends PolicyOptions {
  /**
   * How long an attempt may run before another one is started beside it, in milliseconds.
   * Pick a high percentile of the normal latency (say p95) so that only slow calls are hedged.
   */
  delayMs: number;
  /**
   * Extra attempts at most, beside the first.
   * @default 1
   */
  maxHedges?: number;
  /**
   * Failures after which the next attempt starts at once instead of waiting for `delayMs`;
   * any other failure rejects the call and aborts the attempts still running.
   * @default every error
   */
  shouldHandle?: (error: unknown) => boolean;
}

/** Emitted when a hedged attempt starts. */
export interface HedgeEvent {
  /** The attempt that starts: 2 for the first hedge. */
  readonly attempt: number;
  /** `'delay'`: the attempts before it were slow; `'failure'`: the previous one failed. */
  readonly reason: 'delay' | 'failure';
  /** The failure that started it, when `reason` is `'failure'`. */
  readonly error?: unknown;
}

/**
 * Races a slow call against fresh attempts: starts another attempt when the running ones have
 * not answered within `delayMs` (or as soon as one fails), takes the first success, and aborts
 * the others. Created by {@link hedge}.
 *
 * Each attempt gets its own signal, aborted when another attempt wins or when the caller
 * aborts; the first attempt needs one too, since it may turn out to be a loser. When every
 * attempt fails, the first attempt's error is rethrown: it is the original failure, and the
 * hedges usually fail the same way (a failure that starts another attempt is also reported by
 * `onHedge`).
 */
export class HedgePolicy implements Policy {
  /** Name used in events and diagnostics-channel messages. */
  readonly name: string;
  readonly #delayMs: number;
  readonly #maxHedges: number;
  readonly #shouldHandle: ((error: unknown) => boolean) | undefined;
  readonly #clock: Clock;
  readonly #emitter: Emitter<HedgeEvent>;

  /** Fires when a hedged attempt starts. */
  readonly onHedge: Event<HedgeEvent>;

  constructor(options: HedgeOptions) {
    const owner = 'hedge';
    this.name = options.name ?? 'hedge';
    this.#delayMs = assertNonNegativeNumber(owner, 'delayMs', options.delayMs);
    this.#maxHedges = assertInteger(owner, 'maxHedges', options.maxHedges ?? 1, 1);
    this.#shouldHandle =
      options.shouldHandle === undefined
        ? undefined
        : assertFunction(owner, 'shouldHandle', options.shouldHandle);
    this.#clock = options.clock ?? realClock;
    this.#emitter = new Emitter(channelNames.hedge, this.name);
    this.onHedge = this.#emitter.event;
  }

  /**
   * Runs `fn`, hedging it as configured. Each attempt receives its own signal and its attempt
   * number (1 for the first, 2 for the first hedge, ...). Rejects with the caller's abort reason
   * when the caller aborts.
   */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const caller = toContext(input).signal;
    if (caller.aborted) return Promise.reject(caller.reason as Error);
    return new Promise<T>((resolve, settleWithError) => {
      // Rejections pass on what the attempts threw (or the caller's abort reason) unchanged.
      const reject: (reason: unknown) => void = settleWithError;
      // Controllers of the attempts still running; a settled attempt's slot is cleared.
      const controllers: (AbortController | undefined)[] = [];
      let started = 0;
      let failed = 0;
      let done = false;
      let firstError: unknown;
      let timer: TimerHandle | undefined;

      const finish = (reason: unknown): void => {
        done = true;
        if (timer !== undefined) this.#clock.clearTimer(timer);
        caller.removeEventListener('abort', onCallerAbort);
        let lost = reason;
        for (const controller of controllers) {
          if (controller === undefined) continue;
          lost ??= new DOMException('Another hedged attempt settled first', 'AbortError');
          controller.abort(lost);
        }
      };
      const onCallerAbort = (): void => {
        if (done) return;
        finish(caller.reason);
        reject(caller.reason);
      };
      const onDelay = (): void => {
        timer = undefined;
        launch('delay', undefined);
      };

      const launch = (reason: 'delay' | 'failure', error: unknown): void => {
        const attempt = ++started;
        const controller = new AbortController();
        controllers.push(controller);
        if (attempt > 1 && this.#emitter.active) {
          this.#emitter.emit(
            reason === 'failure' ? { attempt, reason, error } : { attempt, reason },
          );
        }
        if (attempt <= this.#maxHedges) timer = this.#clock.setTimer(this.#delayMs, onDelay);
        const onValue = (value: T): void => {
          controllers[attempt - 1] = undefined;
          if (done) return;
          finish(undefined);
          resolve(value);
        };
        const onFailure = (failure: unknown): void => {
          controllers[attempt - 1] = undefined;
          if (done) return;
          failed++;
          if (attempt === 1) firstError = failure;
          let handled: boolean;
          try {
            handled = this.#shouldHandle === undefined || this.#shouldHandle(failure);
          } catch (predicateError) {
            finish(undefined);
            reject(predicateError);
            return;
          }
          if (!handled) {
            finish(undefined);
            reject(failure);
          } else if (started <= this.#maxHedges) {
            if (timer !== undefined) this.#clock.clearTimer(timer);
            timer = undefined;
            launch('failure', failure);
          } else if (failed === started) {
            finish(undefined);
            reject(firstError);
          }
        };
        let outcome: T | PromiseLike<T>;
        try {
          outcome = fn({ signal: controller.signal, attempt });
        } catch (thrown) {
          onFailure(thrown);
          return;
        }
        Promise.resolve(outcome).then(onValue, onFailure);
      };

      if (caller !== neverAbortedSignal) {
        caller.addEventListener('abort', onCallerAbort, { once: true });
      }
      launch('delay', undefined);
    });
  }
}

/**
 * Creates a {@link HedgePolicy}: tail-latency insurance for idempotent calls (a model or a search
 * tool that is sometimes slow), at the price of extra calls.
 *
 * @example
 * ```ts
 * const fast = hedge({ delayMs: 2_000, maxHedges: 1 });
 * fast.onHedge(({ attempt }) => metrics.count('hedged', { attempt }));
 * const answer = await fast.execute(({ signal }) => model.generate(prompt, { signal }));
 * ```
 */
export function hedge(options: HedgeOptions): HedgePolicy {
  return new HedgePolicy(options);
}
