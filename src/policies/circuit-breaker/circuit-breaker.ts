import {
  assertFunction,
  assertInteger,
  assertNonNegativeNumber,
  CircuitOpenError,
  type Clock,
  Emitter,
  type Event,
  invalidOption,
  isAbortError,
  neverAbortedSignal,
  type Random,
  randomSeeded,
  realClock,
  channelNames,
} from '../../core/index.ts';
import { toContext } from '../context.ts';
import type { Schedule } from '../../schedule/index.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from '../types.ts';
import type { BreakingStrategy } from './breaking-strategy.ts';
import type {
  BreakReason,
  CircuitBreakEvent,
  CircuitFailureEvent,
  CircuitHalfOpenEvent,
  CircuitRejectedEvent,
  CircuitResetEvent,
  CircuitStateChangeEvent,
  CircuitSuccessEvent,
  ResetReason,
} from './circuit-breaker-events.ts';
import {
  parseSnapshot,
  type CircuitBreakerSnapshot,
  type CircuitBreakerSnapshotInput,
} from './circuit-breaker-snapshot.ts';
import type { CircuitState } from './circuit-state.ts';
import { consecutiveFailures } from './consecutive-failures.ts';

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions extends PolicyOptions {
  /**
   * When the closed breaker opens. Each breaker needs its own strategy instance.
   * @default consecutiveFailures({ threshold: 5 })
   */
  strategy?: BreakingStrategy;
  /**
   * How long the breaker stays open before it lets probes through: milliseconds, or a
   * {@link Schedule} so that the wait grows while the dependency stays down. The schedule's
   * `attempt` is the opening's number since the breaker last closed (1, 2, ...), `elapsedMs`
   * the time since the first of them, `previousDelayMs` the previous open period and `error`
   * the failure that opened it. When it returns `undefined` or an invalid delay, the previous
   * open period is kept (60 s on a first opening).
   * @default 60_000
   * @example
   * ```ts
   * // 10 s, 20 s, 40 s, ... capped at 5 min, jittered; back to ~10 s once the breaker closes.
   * circuitBreaker({
   *   resetTimeout: fullJitter(exponential({ initialDelayMs: 10_000, maxDelayMs: 300_000 })),
   * });
   * ```
   */
  resetTimeout?: number | Schedule;
  /**
   * Calls let through at once while half-open. Further calls are refused with a
   * `CircuitOpenError` whose `retryAfterMs` is the length of the last open period (a hint: the
   * probes in flight decide).
   * @default 1
   */
  halfOpenMaxProbes?: number;
  /**
   * Successful probes needed to close the breaker. One failed probe reopens it.
   * @default 1
   */
  halfOpenSuccessesToClose?: number;
  /**
   * Which errors count as failures. Errors it rejects pass through untouched and count as
   * neither failure nor success. Aborts caused by the caller's own signal never count.
   * @default every error counts
   */
  shouldHandle?: (error: unknown) => boolean;
  /**
   * Start from a saved state (see {@link CircuitBreaker.toJSON}). Validated at construction.
   * @default a fresh closed breaker
   */
  initialState?: CircuitBreakerSnapshotInput;
}

/** Keeps a breaker isolated until released; also disposable with `using`. */
export interface CircuitIsolation {
  /** Ends this isolation; the breaker closes once every isolation is released. */
  release(): void;
  [Symbol.dispose](): void;
}

const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;
const ISOLATED = 3;
type StateCode = typeof CLOSED | typeof OPEN | typeof HALF_OPEN | typeof ISOLATED;
const stateNames = ['closed', 'open', 'half-open', 'isolated'] as const;
const stateCodes: Readonly<Record<CircuitState, StateCode>> = {
  closed: CLOSED,
  open: OPEN,
  'half-open': HALF_OPEN,
  isolated: ISOLATED,
};

const DEFAULT_RESET_TIMEOUT = 60_000;
const OWNER = 'circuitBreaker';
const adopted = new WeakSet<BreakingStrategy>();

/** Rejects with the caller's (or fn's) own error, whatever its type: it is never wrapped. */
function rethrow(reason: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
  return Promise.reject(reason);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return 'unprintable error';
  }
}

/**
 * A circuit breaker: after enough failures it opens and refuses calls at once with a
 * `CircuitOpenError`, sparing a failing dependency and the caller's time; after the reset
 * timeout it lets a few probe calls through (half-open) and closes again when they succeed.
 *
 * There is no timer: the state is derived from the clock when a call arrives or `state` is read.
 * A call started while closed counts only if the breaker is still closed when it finishes; a
 * probe counts only within its own half-open period. Create one with {@link circuitBreaker}.
 */
export class CircuitBreaker implements Policy {
  /** Name used in events, diagnostics-channel messages and error messages. */
  readonly name: string;
  /**
   * Fires when the breaker opens (or is isolated).
   * @event
   */
  readonly onBreak: Event<CircuitBreakEvent>;
  /**
   * Fires when the reset timeout has elapsed and the breaker lets probes through.
   * @event
   */
  readonly onHalfOpen: Event<CircuitHalfOpenEvent>;
  /**
   * Fires when the breaker closes again.
   * @event
   */
  readonly onReset: Event<CircuitResetEvent>;
  /**
   * Fires on every transition, just before `onBreak`, `onHalfOpen` or `onReset`.
   * @event
   */
  readonly onStateChange: Event<CircuitStateChangeEvent>;
  /**
   * Fires for every success the breaker counts.
   * @event
   */
  readonly onSuccess: Event<CircuitSuccessEvent>;
  /**
   * Fires for every failure the breaker counts.
   * @event
   */
  readonly onFailure: Event<CircuitFailureEvent>;
  /**
   * Fires for every call refused without running.
   * @event
   */
  readonly onRejected: Event<CircuitRejectedEvent>;

  readonly #strategy: BreakingStrategy;
  readonly #clock: Clock;
  readonly #random: Random | undefined;
  readonly #fixedTimeout: number;
  readonly #schedule: Schedule | undefined;
  readonly #maxProbes: number;
  readonly #successesToClose: number;
  readonly #shouldHandle: ((error: unknown) => boolean) | undefined;
  readonly #measures: boolean;

  readonly #breakEmitter: Emitter<CircuitBreakEvent>;
  readonly #halfOpenEmitter: Emitter<CircuitHalfOpenEvent>;
  readonly #resetEmitter: Emitter<CircuitResetEvent>;
  readonly #stateEmitter: Emitter<CircuitStateChangeEvent>;
  readonly #successEmitter: Emitter<CircuitSuccessEvent>;
  readonly #failureEmitter: Emitter<CircuitFailureEvent>;
  readonly #rejectedEmitter: Emitter<CircuitRejectedEvent>;

  #state: StateCode = CLOSED;
  /** Bumped on every transition, so a probe from an earlier half-open period is ignored. */
  #era = 0;
  #openUntil = Number.NaN;
  /** Length of the last open period (0 once closed). */
  #lastTimeout = 0;
  #firstTripAt = Number.NaN;
  #tripCount = 0;
  #lastTripAt = Number.NaN;
  #lastTripReason: BreakReason | undefined;
  #lastFailureAt = Number.NaN;
  #lastFailureError: unknown;
  #lastFailureMessage: string | undefined;
  #probes = 0;
  #probeSuccesses = 0;
  #isolations = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.name = options.name ?? 'circuit-breaker';
    this.#clock = options.clock ?? realClock;
    const strategy = options.strategy ?? consecutiveFailures();
    if (adopted.has(strategy)) {
      invalidOption(OWNER, 'strategy', strategy, 'a strategy not already used by another breaker');
    }
    this.#strategy = strategy;
    this.#measures = strategy.measuresDuration;

    const resetTimeout = options.resetTimeout ?? DEFAULT_RESET_TIMEOUT;
    if (typeof resetTimeout === 'number') {
      this.#fixedTimeout = assertNonNegativeNumber(OWNER, 'resetTimeout', resetTimeout);
      this.#schedule = undefined;
      this.#random = undefined;
    } else {
      this.#fixedTimeout = DEFAULT_RESET_TIMEOUT;
      this.#schedule = assertFunction(OWNER, 'resetTimeout', resetTimeout);
      this.#random = options.random ?? randomSeeded();
    }
    this.#maxProbes = assertInteger(OWNER, 'halfOpenMaxProbes', options.halfOpenMaxProbes ?? 1, 1);
    this.#successesToClose = assertInteger(
      OWNER,
      'halfOpenSuccessesToClose',
      options.halfOpenSuccessesToClose ?? 1,
      1,
    );
    this.#shouldHandle =
      options.shouldHandle === undefined
        ? undefined
        : assertFunction(OWNER, 'shouldHandle', options.shouldHandle);

    this.#breakEmitter = new Emitter(channelNames.circuitBreak, this.name);
    this.#halfOpenEmitter = new Emitter(channelNames.circuitHalfOpen, this.name);
    this.#resetEmitter = new Emitter(channelNames.circuitReset, this.name);
    this.#stateEmitter = new Emitter(channelNames.circuitStateChange, this.name);
    this.#successEmitter = new Emitter(channelNames.circuitSuccess, this.name);
    this.#failureEmitter = new Emitter(channelNames.circuitFailure, this.name);
    this.#rejectedEmitter = new Emitter(channelNames.circuitRejected, this.name);
    this.onBreak = this.#breakEmitter.event;
    this.onHalfOpen = this.#halfOpenEmitter.event;
    this.onReset = this.#resetEmitter.event;
    this.onStateChange = this.#stateEmitter.event;
    this.onSuccess = this.#successEmitter.event;
    this.onFailure = this.#failureEmitter.event;
    this.onRejected = this.#rejectedEmitter.event;

    strategy.attach(this.#clock);
    if (options.initialState !== undefined) this.#restore(options.initialState, 'initialState');
    adopted.add(strategy);
  }

  /**
   * The current state. Reading it after the reset timeout has elapsed turns an open breaker
   * half-open (firing `onStateChange` and `onHalfOpen`), exactly as the next call would.
   */
  get state(): CircuitState {
    if (this.#state === OPEN) {
      const now = this.#clock.now();
      if (now >= this.#openUntil) this.#toHalfOpen(now);
    }
    return stateNames[this.#state];
  }

  /** The strategy deciding when the breaker opens. */
  get strategy(): BreakingStrategy {
    return this.#strategy;
  }

  /**
   * Runs `fn` unless the breaker is open, isolated, or half-open with every probe taken; then the
   * call is refused at once with a `CircuitOpenError` carrying `retryAfterMs`. The outcome of
   * `fn` (its error, untouched, on failure) is returned as is.
   */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const context = toContext(input);
    if (this.#state !== CLOSED || this.#measures) return this.#executeGuarded(fn, context);
    const signal = context.signal;
    let result: T | PromiseLike<T>;
    if (signal === neverAbortedSignal) {
      try {
        result = fn(context);
      } catch (error) {
        this.#closedFailure(error, undefined, Number.NaN);
        return rethrow(error);
      }
      return Promise.resolve(result).then(this.#onClosedSuccess, this.#onClosedFailure);
    }
    if (signal.aborted) return rethrow(signal.reason);
    try {
      result = fn(context);
    } catch (error) {
      this.#closedFailure(error, signal, Number.NaN);
      return rethrow(error);
    }
    return Promise.resolve(result).then(this.#onClosedSuccess, (error: unknown) => {
      this.#closedFailure(error, signal, Number.NaN);
      throw error;
    });
  }

  /**
   * Holds the breaker open until the returned handle is released (or {@link close} is called),
   * e.g. while a dependency is under maintenance. Calls are refused with `retryAfterMs` 0.
   * Several isolations may overlap; the breaker closes when the last one is released.
   *
   * @example
   * ```ts
   * using _ = breaker.isolate(); // released at the end of the block
   * ```
   */
  isolate(): CircuitIsolation {
    if (this.#state !== ISOLATED) {
      const now = this.#clock.now();
      const from = this.#state;
      this.#enter(ISOLATED);
      this.#emitStateChange(from, ISOLATED, now);
      if (this.#breakEmitter.active) {
        this.#breakEmitter.emit({
          reason: 'isolated',
          error: undefined,
          failureCount: this.#strategy.failureCount,
          tripCount: this.#tripCount,
          retryAfterMs: 0,
          at: now,
        });
      }
    }
    this.#isolations++;
    const era = this.#era;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (this.#era !== era || this.#state !== ISOLATED) return;
      if (--this.#isolations === 0) this.#close('released', this.#clock.now());
    };
    return { release, [Symbol.dispose]: release };
  }

  /**
   * Closes the breaker by hand from any state, ending every isolation and forgetting the
   * counted failures and trips. Probes still running count no more.
   */
  close(): void {
    this.#close('manual', this.#clock.now());
  }

  /**
   * The breaker's state as JSON (what `JSON.stringify(breaker)` writes). A half-open breaker is
   * saved as half-open without its probes in flight.
   */
  toJSON(): CircuitBreakerSnapshot {
    const state = this.state;
    return {
      state,
      failureCount: this.#strategy.failureCount,
      lastFailure: Number.isNaN(this.#lastFailureAt)
        ? null
        : {
            at: this.#lastFailureAt,
            message: this.#lastFailureMessage ?? messageOf(this.#lastFailureError),
          },
      tripCount: this.#tripCount,
      lastTrip:
        this.#lastTripReason === undefined
          ? null
          : { at: this.#lastTripAt, reason: this.#lastTripReason },
      openUntil: state === 'open' ? this.#openUntil : null,
      strategy: this.#strategy.toJSON(),
    };
  }

  /**
   * Replaces the breaker's state with a saved one (see {@link toJSON}). The snapshot is
   * validated first: on an `InvalidOptionError` naming the bad field, nothing changes. Probes
   * still running count no more; `onStateChange` fires if the state differs.
   */
  restore(snapshot: CircuitBreakerSnapshotInput): void {
    this.#restore(snapshot, 'snapshot');
  }

  readonly #onClosedSuccess = <V>(value: V): V => {
    this.#closedSuccess(Number.NaN);
    return value;
  };

  readonly #onClosedFailure = (error: unknown): never => {
    this.#closedFailure(error, undefined, Number.NaN);
    throw error;
  };

  /** Everything but the closed fast path: timed calls, open, half-open and isolated states. */
  #executeGuarded<T>(fn: PolicyFunction<T>, context: PolicyContext): Promise<T> {
    const signal = context.signal;
    if (signal.aborted) return rethrow(signal.reason);
    if (this.#state === OPEN) {
      const now = this.#clock.now();
      if (now < this.#openUntil) return this.#reject('open', this.#openUntil - now);
      this.#toHalfOpen(now);
    }
    switch (this.#state) {
      case ISOLATED:
        return this.#reject('isolated', 0);
      case HALF_OPEN:
        return this.#probe(fn, context);
      case OPEN:
        // A listener of the half-open transition reopened the breaker.
        return this.#reject('open', Math.max(0, this.#openUntil - this.#clock.now()));
      case CLOSED:
        return this.#executeTimed(fn, context);
    }
  }

  #executeTimed<T>(fn: PolicyFunction<T>, context: PolicyContext): Promise<T> {
    const clock = this.#clock;
    const signal = context.signal;
    const start = clock.now();
    let result: T | PromiseLike<T>;
    try {
      result = fn(context);
    } catch (error) {
      this.#closedFailure(error, signal, clock.now() - start);
      return rethrow(error);
    }
    return Promise.resolve(result).then(
      (value) => {
        this.#closedSuccess(clock.now() - start);
        return value;
      },
      (error: unknown) => {
        this.#closedFailure(error, signal, clock.now() - start);
        throw error;
      },
    );
  }

  #probe<T>(fn: PolicyFunction<T>, context: PolicyContext): Promise<T> {
    if (this.#probes >= this.#maxProbes) return this.#reject('half-open', this.#lastTimeout);
    this.#probes++;
    const era = this.#era;
    const signal = context.signal;
    let result: T | PromiseLike<T>;
    try {
      result = fn(context);
    } catch (error) {
      this.#probeFailure(era, error, signal);
      return rethrow(error);
    }
    return Promise.resolve(result).then(
      (value) => {
        this.#probeSuccess(era);
        return value;
      },
      (error: unknown) => {
        this.#probeFailure(era, error, signal);
        throw error;
      },
    );
  }

  #closedSuccess(durationMs: number): void {
    if (this.#state !== CLOSED) return;
    if (this.#successEmitter.active) {
      const era = this.#era;
      this.#successEmitter.emit({ state: 'closed', at: this.#clock.now() });
      if (era !== this.#era) return;
    }
    const reason = this.#strategy.recordSuccess(durationMs);
    if (reason !== undefined) this.#trip(reason, undefined, this.#clock.now());
  }

  #probeSuccess(era: number): void {
    if (era !== this.#era) return;
    this.#probes--;
    if (this.#successEmitter.active) {
      this.#successEmitter.emit({ state: 'half-open', at: this.#clock.now() });
      if (era !== this.#era) return;
    }
    if (++this.#probeSuccesses >= this.#successesToClose) {
      this.#close('half-open-success', this.#clock.now());
    }
  }

  #probeFailure(era: number, error: unknown, signal: AbortSignal): void {
    if (era !== this.#era) return;
    this.#probes--;
    if (!this.#counts(error, signal)) return;
    const now = this.#clock.now();
    this.#noteFailure(error, now, 'half-open');
    if (era === this.#era) {
      this.#open('half-open-failure', error, now, this.#timeoutFor(error, now));
    }
  }

  #closedFailure(error: unknown, signal: AbortSignal | undefined, durationMs: number): void {
    if (this.#state !== CLOSED || !this.#counts(error, signal)) return;
    const now = this.#clock.now();
    const era = this.#era;
    this.#noteFailure(error, now, 'closed');
    if (era !== this.#era) return;
    const reason = this.#strategy.recordFailure(durationMs);
    if (reason !== undefined) this.#trip(reason, error, now);
  }

  #counts(error: unknown, signal: AbortSignal | undefined): boolean {
    if (signal?.aborted === true && (error === signal.reason || isAbortError(error))) return false;
    return this.#shouldHandle === undefined || this.#shouldHandle(error);
  }

  #noteFailure(error: unknown, now: number, state: 'closed' | 'half-open'): void {
    this.#lastFailureAt = now;
    this.#lastFailureError = error;
    this.#lastFailureMessage = undefined;
    if (this.#failureEmitter.active) this.#failureEmitter.emit({ error, state, at: now });
  }

  #reject<T>(state: 'open' | 'half-open' | 'isolated', retryAfterMs: number): Promise<T> {
    if (this.#rejectedEmitter.active) {
      this.#rejectedEmitter.emit({ state, retryAfterMs, at: this.#clock.now() });
    }
    const message =
      state === 'isolated'
        ? `Circuit breaker '${this.name}' is isolated`
        : state === 'open'
          ? `Circuit breaker '${this.name}' is open; retry in ${Math.ceil(retryAfterMs)} ms`
          : `Circuit breaker '${this.name}' is half-open and all ${this.#maxProbes} probe(s) are in flight`;
    const cause = this.#lastFailureError;
    return Promise.reject(
      new CircuitOpenError(message, retryAfterMs, cause === undefined ? {} : { cause }),
    );
  }

  /** The open period of the next opening. */
  #timeoutFor(error: unknown, now: number): number {
    const schedule = this.#schedule;
    if (schedule === undefined || this.#random === undefined) return this.#fixedTimeout;
    const first = this.#tripCount === 0;
    const ms = schedule({
      attempt: this.#tripCount + 1,
      elapsedMs: first ? 0 : Math.max(0, now - this.#firstTripAt),
      nowMs: now,
      previousDelayMs: this.#lastTimeout,
      random: this.#random,
      error,
    });
    if (ms !== undefined && ms >= 0 && ms < Infinity) return ms;
    return first ? DEFAULT_RESET_TIMEOUT : this.#lastTimeout;
  }

  /** Opens a closed breaker whose strategy tripped. */
  #trip(reason: BreakReason, error: unknown, now: number): void {
    this.#open(reason, error, now, this.#timeoutFor(error, now));
  }

  #enter(state: StateCode): void {
    this.#state = state;
    this.#era++;
    this.#probes = 0;
    this.#probeSuccesses = 0;
  }

  #open(reason: BreakReason, error: unknown, now: number, timeoutMs: number): void {
    const from = this.#state;
    this.#enter(OPEN);
    if (++this.#tripCount === 1) this.#firstTripAt = now;
    this.#lastTimeout = timeoutMs;
    this.#openUntil = now + timeoutMs;
    this.#lastTripAt = now;
    this.#lastTripReason = reason;
    this.#emitStateChange(from, OPEN, now);
    if (this.#breakEmitter.active) {
      this.#breakEmitter.emit({
        reason,
        error,
        failureCount: this.#strategy.failureCount,
        tripCount: this.#tripCount,
        retryAfterMs: timeoutMs,
        at: now,
      });
    }
  }

  #toHalfOpen(now: number): void {
    const from = this.#state;
    this.#enter(HALF_OPEN);
    this.#emitStateChange(from, HALF_OPEN, now);
    if (this.#halfOpenEmitter.active) {
      this.#halfOpenEmitter.emit({ tripCount: this.#tripCount, at: now });
    }
  }

  #close(reason: ResetReason, now: number): void {
    const from = this.#state;
    this.#enter(CLOSED);
    this.#tripCount = 0;
    this.#lastTimeout = 0;
    this.#isolations = 0;
    this.#strategy.reset();
    if (from === CLOSED) return;
    this.#emitStateChange(from, CLOSED, now);
    if (this.#resetEmitter.active) this.#resetEmitter.emit({ reason, at: now });
  }

  #emitStateChange(from: StateCode, to: StateCode, at: number): void {
    if (this.#stateEmitter.active) {
      this.#stateEmitter.emit({ from: stateNames[from], to: stateNames[to], at });
    }
  }

  #restore(input: CircuitBreakerSnapshotInput, path: string): void {
    const snapshot = parseSnapshot(input, path, this.#strategy.kind);
    this.#strategy.restore(snapshot.strategy, snapshot.failureCount, `${path}.strategy`);
    const from = this.#state;
    const to = stateCodes[snapshot.state];
    this.#enter(to);
    this.#isolations = 0;
    this.#tripCount = snapshot.tripCount;
    this.#openUntil = snapshot.openUntil;
    this.#lastFailureAt = snapshot.lastFailure?.at ?? Number.NaN;
    this.#lastFailureError = undefined;
    this.#lastFailureMessage = snapshot.lastFailure?.message;
    this.#lastTripAt = snapshot.lastTrip?.at ?? Number.NaN;
    this.#lastTripReason = snapshot.lastTrip?.reason;
    const now = this.#clock.now();
    // The snapshot keeps only the last opening; the series' start and periods are estimated.
    this.#firstTripAt = snapshot.lastTrip?.at ?? now;
    this.#lastTimeout =
      snapshot.tripCount === 0
        ? 0
        : to === OPEN && snapshot.lastTrip !== undefined
          ? Math.max(0, snapshot.openUntil - snapshot.lastTrip.at)
          : this.#fixedTimeout;
    if (from !== to) this.#emitStateChange(from, to, now);
  }
}

/**
 * Creates a {@link CircuitBreaker}.
 *
 * @example
 * ```ts
 * const breaker = circuitBreaker({ name: 'search-tool', resetTimeout: 30_000 });
 * breaker.onBreak(({ reason, tripCount }) => log.warn('search-tool breaker open', reason, tripCount));
 * try {
 *   const hits = await breaker.execute(({ signal }) => searchTool(query, { signal }));
 * } catch (error) {
 *   if (isCircuitOpenError(error)) return cachedHits(query); // fail fast, try later
 *   throw error;
 * }
 * ```
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreaker(options);
}
