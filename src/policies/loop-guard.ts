import {
  assertFunction,
  assertInteger,
  assertPositiveNumber,
  Emitter,
  InvalidOptionError,
  LoopDetectedError,
  realClock,
  type Clock,
  type Event,
  channelNames,
} from '../core/index.ts';
import { toContext } from './context.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from './types.ts';

/** Options of {@link loopGuard}. */
export interface LoopGuardOptions extends PolicyOptions {
  /**
   * Names the action a call performs, for {@link LoopGuard.execute}: calls with the same key
   * are "the same action". Typically reads the current step from a closure or an
   * `AsyncLocalStorage`. Not needed when keys are given explicitly ({@link LoopGuard.run},
   * {@link LoopGuard.protect}, {@link LoopGuard.check}).
   * @default undefined (`execute` rejects; use `run(key, fn)`)
   */
  key?: (context: PolicyContext) => string;
  /**
   * How many times the same action may happen within `windowMs`; the next one is refused.
   * @default 10
   */
  maxRepeats?: number;
  /**
   * The span, in milliseconds, over which repeats are counted. `Infinity` counts over the
   * guard's whole life (one agent run), until {@link LoopGuard.reset}.
   * @default Infinity
   */
  windowMs?: number;
}

/** Emitted by {@link LoopGuard.onLoopDetected} when an action is refused. */
export interface LoopDetectedEvent {
  /** The repeated action's key. */
  readonly key: string;
  /** How often it was seen within the window, the refused attempt included. */
  readonly repetitions: number;
  readonly maxRepeats: number;
  readonly windowMs: number;
}

/** Rejects with the original error, whatever its type: it is never wrapped. */
function rethrow(reason: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
  return Promise.reject(reason);
}

/** Refusals keep the key short enough for a log line. */
function shorten(key: string): string {
  return key.length <= 120 ? key : `${key.slice(0, 117)}...`;
}

/**
 * A deterministic text for any arguments: object keys sorted, so `{a, b}` and `{b, a}` name the
 * same action. Values JSON cannot show (functions, symbols, cycles) fall back to `String()`.
 */
function stableKey(value: unknown, seen = new Set<object>()): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return `${value}n`;
    if (value === undefined) return 'undefined';
    return typeof value === 'function' || typeof value === 'symbol'
      ? String(value)
      : JSON.stringify(value);
  }
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item) => stableKey(item, seen)).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const entries = Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey(record[k], seen)}`);
    text = `{${entries.join(',')}}`;
  }
  seen.delete(value);
  return text;
}

/**
 * Stops an agent that repeats the same action: the same tool with the same arguments, the same
 * failing step, the same prompt. Create it with {@link loopGuard}.
 *
 * An action is named by a string key. Three ways to give it:
 * - `guard.protect(fn)` wraps a function; the key is built from its arguments (or by a key
 *   function you pass), so `search({ q: 'x' })` twice is the same action.
 * - `guard.run(key, fn, signal?)` runs one call under an explicit key.
 * - `guard.execute(fn, signal?)` (the policy form, for `wrap`) asks the `key` option.
 *
 * `check(key)` and `record(key)` split the two halves for code that only observes actions.
 * Every admitted call is recorded before `fn` runs, whether it then succeeds or fails: a loop
 * of failing attempts is the usual case. Refused calls are not recorded, so an action becomes
 * allowed again as its oldest repeats leave the window. Place the guard outside any retry so
 * that retries of one action do not count as repeats.
 */
export class LoopGuard implements Policy {
  /** Name used in events, channel messages and error messages. */
  readonly name: string;
  /** Repeats allowed within the window. */
  readonly maxRepeats: number;
  /** The counting window in milliseconds (`Infinity`: the guard's whole life). */
  readonly windowMs: number;
  readonly #clock: Clock;
  readonly #keyOf: ((context: PolicyContext) => string) | undefined;
  readonly #emitter: Emitter<LoopDetectedEvent>;
  readonly #seen = new Map<string, number[]>();
  #sweepAt = 1024;

  /** Fires when an action is refused as a loop. */
  readonly onLoopDetected: Event<LoopDetectedEvent>;

  constructor(options: LoopGuardOptions = {}) {
    const name = options.name ?? 'loopGuard';
    this.name = name;
    this.maxRepeats = assertInteger(name, 'maxRepeats', options.maxRepeats ?? 10, 1);
    this.windowMs =
      options.windowMs === undefined || options.windowMs === Infinity
        ? Infinity
        : assertPositiveNumber(name, 'windowMs', options.windowMs);
    this.#keyOf = options.key === undefined ? undefined : assertFunction(name, 'key', options.key);
    this.#clock = options.clock ?? realClock;
    this.#emitter = new Emitter(channelNames.loopDetected, name);
    this.onLoopDetected = this.#emitter.event;
  }

  #now(): number {
    return this.windowMs === Infinity ? 0 : this.#clock.now();
  }

  /** The times of `key` still inside the window (oldest first), expired ones dropped. */
  #times(key: string, now: number): number[] | undefined {
    const times = this.#seen.get(key);
    if (times === undefined || this.windowMs === Infinity) return times;
    let expired = 0;
    while (expired < times.length && (times[expired] as number) + this.windowMs <= now) expired++;
    if (expired === times.length) {
      this.#seen.delete(key);
      return undefined;
    }
    if (expired > 0) times.splice(0, expired);
    return times;
  }

  /** How often `key` happened within the window. */
  count(key: string): number {
    return this.#times(key, this.#now())?.length ?? 0;
  }

  /**
   * Throws a {@link LoopDetectedError} if one more `key` would be one repeat too many; records
   * nothing.
   */
  check(key: string): void {
    this.#check(key, this.#now());
  }

  #check(key: string, now: number): void {
    const seen = this.#times(key, now)?.length ?? 0;
    if (seen < this.maxRepeats) return;
    const repetitions = seen + 1;
    if (this.#emitter.active) {
      this.#emitter.emit({
        key,
        repetitions,
        maxRepeats: this.maxRepeats,
        windowMs: this.windowMs,
      });
    }
    const span = this.windowMs === Infinity ? 'in this run' : `within ${this.windowMs} ms`;
    throw new LoopDetectedError(
      `${this.name}: action ${JSON.stringify(shorten(key))} repeated ${repetitions} times ${span} (at most ${this.maxRepeats} allowed)`,
      key,
      repetitions,
    );
  }

  /**
   * Records one occurrence of `key` without checking it (for actions observed elsewhere).
   * @returns how often `key` happened within the window, this time included.
   */
  record(key: string): number {
    return this.#record(key, this.#now());
  }

  #record(key: string, now: number): number {
    let times = this.#times(key, now);
    if (times === undefined) {
      times = [];
      this.#seen.set(key, times);
      if (this.#seen.size >= this.#sweepAt) this.#sweep(now);
    }
    times.push(now);
    // Only the latest `maxRepeats` matter for the next check.
    if (times.length > this.maxRepeats) times.shift();
    return times.length;
  }

  /** Drops keys with nothing left in the window, so one-off keys do not pile up. */
  #sweep(now: number): void {
    for (const key of this.#seen.keys()) this.#times(key, now);
    this.#sweepAt = Math.max(1024, this.#seen.size * 2);
  }

  /** Forgets `key`, or every key. */
  reset(key?: string): void {
    if (key === undefined) this.#seen.clear();
    else this.#seen.delete(key);
  }

  /**
   * Runs `fn` as action `key`: refused with a {@link LoopDetectedError} (without calling `fn`)
   * when `key` already happened `maxRepeats` times within the window.
   */
  run<T>(key: string, fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const now = this.#now();
    try {
      this.#check(key, now);
    } catch (error) {
      return rethrow(error);
    }
    this.#record(key, now);
    try {
      return Promise.resolve(fn(toContext(input)));
    } catch (error) {
      return rethrow(error);
    }
  }

  /**
   * The policy form: the action's key comes from the `key` option.
   * @throws {LoopDetectedError} when the action repeats too often.
   */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const keyOf = this.#keyOf;
    if (keyOf === undefined) {
      const expected = 'a function (context) => string to call execute(); or call run(key, fn)';
      return Promise.reject(
        new InvalidOptionError(`${this.name}: option 'key' must be ${expected}`, {
          owner: this.name,
          option: 'key',
          value: undefined,
          expected,
        }),
      );
    }
    const context = toContext(input);
    let key: string;
    try {
      key = keyOf(context);
    } catch (error) {
      return rethrow(error);
    }
    return this.run(key, fn, context);
  }

  /**
   * Wraps `fn` so each call is an action keyed by its arguments: by default a stable text of
   * all of them (object keys sorted), or whatever `keyOf` returns.
   *
   * @example
   * ```ts
   * const guard = loopGuard({ maxRepeats: 3, windowMs: 60_000 });
   * const search = guard.protect(tools.search, (query) => `search:${query.q}`);
   * await search({ q: 'weather' }); // the 4th identical search within a minute throws
   * ```
   */
  protect<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
    keyOf?: (...args: A) => string,
  ): (...args: A) => Promise<R> {
    assertFunction(this.name, 'fn', fn);
    if (keyOf !== undefined) assertFunction(this.name, 'keyOf', keyOf);
    return (...args: A): Promise<R> => {
      let key: string;
      try {
        key = keyOf === undefined ? stableKey(args) : keyOf(...args);
      } catch (error) {
        return rethrow(error);
      }
      return this.run(key, () => fn(...args));
    };
  }
}

/**
 * Creates a {@link LoopGuard}.
 *
 * @example
 * ```ts
 * // The policy form, for wrap(): the key names the step the agent is on.
 * const guard = loopGuard({ maxRepeats: 5, key: () => `${step.tool}:${JSON.stringify(step.args)}` });
 * const result = await wrap(guard, retry(), timeout(10_000)).execute(() => runStep(step));
 * ```
 */
export function loopGuard(options?: LoopGuardOptions): LoopGuard {
  return new LoopGuard(options);
}
