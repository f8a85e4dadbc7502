import {
  assertFunction,
  Emitter,
  InvalidOptionError,
  type Event,
  channelNames,
} from '../core/index.ts';
import { toContext } from './context.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from './types.ts';

/**
 * Produces a fallback answer from the failure that made it necessary and the caller's context.
 */
export type FallbackHandler<R> = (reason: unknown, context: PolicyContext) => R | PromiseLike<R>;

/** One alternative of a {@link fallbackChain}: a handler, optionally named for reports. */
export type FallbackAlternative<R> =
  | FallbackHandler<R>
  | {
      /** Shown in events and reports, e.g. `'model-b'`. */
      readonly name: string;
      readonly run: FallbackHandler<R>;
    };

interface NamedAlternative<R> {
  readonly name: string;
  readonly run: FallbackHandler<R>;
}

/**
 * An ordered list of alternatives tried one after the other when the wrapped function fails
 * (primary tool → fallback tool; model A → model B → cached answer). Created by
 * {@link fallbackChain}.
 */
export class FallbackChain<R> {
  /** The alternatives in the order they are tried. */
  readonly alternatives: readonly NamedAlternative<R>[];

  constructor(alternatives: readonly FallbackAlternative<R>[]) {
    if (alternatives.length === 0) {
      throw new InvalidOptionError(
        "fallbackChain: option 'alternatives' must be at least one alternative, got none",
        {
          owner: 'fallbackChain',
          option: 'alternatives',
          value: alternatives,
          expected: 'at least one alternative',
        },
      );
    }
    this.alternatives = alternatives.map((alternative, i) => {
      const option = `alternatives[${i}]`;
      if (typeof alternative === 'function') {
        return { name: alternative.name || `alternative-${i + 1}`, run: alternative };
      }
      const given: unknown = alternative;
      if (typeof given !== 'object' || given === null) {
        throw new InvalidOptionError(
          `fallbackChain: option '${option}' must be a function or { name, run }, got ${String(given)}`,
          { owner: 'fallbackChain', option, value: given, expected: 'a function or { name, run }' },
        );
      }
      return {
        name: alternative.name,
        run: assertFunction('fallbackChain', `${option}.run`, alternative.run),
      };
    });
  }
}

/**
 * Builds a chain of alternatives for {@link fallback}: when the wrapped function fails, the first
 * alternative runs; if it fails too, the next one; and so on.
 *
 * @example
 * ```ts
 * const answer = fallback(
 *   fallbackChain(
 *     { name: 'small-model', run: (_reason, { signal }) => small.generate(prompt, { signal }) },
 *     { name: 'cache', run: () => cache.get(prompt) },
 *   ),
 * );
 * const { value, name } = await answer.executeWithReport(({ signal }) => large.generate(prompt, { signal }));
 * ```
 */
export function fallbackChain<R>(...alternatives: FallbackAlternative<R>[]): FallbackChain<R> {
  return new FallbackChain(alternatives);
}

/** Options of {@link fallback}. */
export interface FallbackOptions extends PolicyOptions {
  /**
   * Which failures to fall back from; others are rethrown at once. Applies to the failures of
   * the alternatives too. A caller's abort is always rethrown.
   * @default every error
   */
  shouldHandle?: (error: unknown) => boolean;
}

/** Emitted when an alternative is about to run. */
export interface FallbackEvent {
  /** The failure that made the fallback necessary (of the primary, or of the previous alternative). */
  readonly reason: unknown;
  /** Which alternative runs: 1 for the first one. */
  readonly index: number;
  /** Its name (`'value'` for a plain value). */
  readonly name: string;
}

/** Which alternative answered a call, and why the ones before it did not. */
export interface FallbackReport<T> {
  /** The answer. */
  readonly value: T;
  /** 0 when the wrapped function answered, otherwise the alternative's position (1-based). */
  readonly index: number;
  /** `'primary'`, or the alternative's name. */
  readonly name: string;
  /** The failures that came before the answer, in order (empty when the primary answered). */
  readonly reasons: readonly unknown[];
}

/**
 * Answers with an alternative when the wrapped function fails. Created by {@link fallback}.
 * When every alternative fails, the last alternative's error is rethrown (the earlier failures
 * are in the `onFallback` events).
 */
export class FallbackPolicy<R> implements Policy {
  /** Name used in events and diagnostics-channel messages. */
  readonly name: string;
  readonly #alternatives: readonly NamedAlternative<R>[];
  readonly #shouldHandle: ((error: unknown) => boolean) | undefined;
  readonly #emitter: Emitter<FallbackEvent>;

  /** Fires each time an alternative is about to run, with the failure that led to it. */
  readonly onFallback: Event<FallbackEvent>;

  constructor(source: FallbackChain<R> | FallbackHandler<R> | R, options: FallbackOptions = {}) {
    this.name = options.name ?? 'fallback';
    this.#shouldHandle =
      options.shouldHandle === undefined
        ? undefined
        : assertFunction('fallback', 'shouldHandle', options.shouldHandle);
    if (source instanceof FallbackChain) {
      this.#alternatives = source.alternatives;
    } else if (typeof source === 'function') {
      const run = source as FallbackHandler<R>;
      this.#alternatives = [{ name: run.name || 'fallback', run }];
    } else {
      const value = source;
      this.#alternatives = [{ name: 'value', run: () => value }];
    }
    this.#emitter = new Emitter(channelNames.fallback, this.name);
    this.onFallback = this.#emitter.event;
  }

  /**
   * Runs `fn`; if it fails with a handled error, returns the first alternative that answers.
   * (The overload without `R` lets the policy be composed with `wrap`; there, the fallback's
   * answer must fit the wrapped function's type.)
   */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T | R>;
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T>;
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T | R> {
    const context = toContext(input);
    let outcome: T | PromiseLike<T>;
    try {
      outcome = fn(context);
    } catch (error) {
      return this.#fallBack(error, context, undefined).then(pickValue);
    }
    return Promise.resolve(outcome).then(undefined, (error: unknown) =>
      this.#fallBack(error, context, undefined).then(pickValue),
    );
  }

  /** Like {@link execute}, but tells which alternative answered and what failed before it. */
  executeWithReport<T>(
    fn: PolicyFunction<T>,
    input?: AbortSignal | PolicyContext,
  ): Promise<FallbackReport<T | R>> {
    const context = toContext(input);
    let outcome: T | PromiseLike<T>;
    try {
      outcome = fn(context);
    } catch (error) {
      return this.#fallBack(error, context, []);
    }
    return Promise.resolve(outcome).then(
      (value): FallbackReport<T | R> => ({ value, index: 0, name: 'primary', reasons: [] }),
      (error: unknown) => this.#fallBack(error, context, []),
    );
  }

  async #fallBack(
    error: unknown,
    context: PolicyContext,
    reasons: unknown[] | undefined,
  ): Promise<FallbackReport<R>> {
    let reason = error;
    for (let i = 0; i < this.#alternatives.length; i++) {
      if (context.signal.aborted) throw reason;
      if (this.#shouldHandle !== undefined && !this.#shouldHandle(reason)) throw reason;
      reasons?.push(reason);
      const alternative = this.#alternatives[i] as NamedAlternative<R>;
      if (this.#emitter.active) {
        this.#emitter.emit({ reason, index: i + 1, name: alternative.name });
      }
      try {
        const value = await alternative.run(reason, context);
        return { value, index: i + 1, name: alternative.name, reasons: reasons ?? [] };
      } catch (failure) {
        reason = failure;
      }
    }
    throw reason;
  }
}

function pickValue<R>(report: FallbackReport<R>): R {
  return report.value;
}

/**
 * Creates a {@link FallbackPolicy} from a value, a handler `(reason, context) => value`, or a
 * {@link fallbackChain}. A function is always taken as a handler: to fall back to a function
 * value, return it from a handler.
 *
 * @example
 * ```ts
 * const safe = fallback((reason) => ({ text: 'The assistant is unavailable.', reason: String(reason) }));
 * safe.onFallback(({ reason, name }) => log.warn({ reason, name }));
 * const reply = await safe.execute(({ signal }) => agent.answer(question, { signal }));
 * ```
 */
export function fallback<R>(
  source: FallbackChain<R> | FallbackHandler<R> | R,
  options?: FallbackOptions,
): FallbackPolicy<R> {
  return new FallbackPolicy(source, options);
}
