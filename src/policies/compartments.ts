import { assertFunction, InvalidOptionError } from '../core/index.ts';
import { toContext } from './context.ts';
import type { Policy, PolicyContext, PolicyFunction } from './types.ts';

/** Options of {@link compartments}. */
export interface CompartmentsOptions {
  /**
   * Picks the compartment of a call made through {@link Compartments.execute}, typically from
   * an `AsyncLocalStorage` holding the current agent or tenant. Not needed when every call goes
   * through {@link Compartments.for}.
   * @default undefined (`execute` rejects; use `for(key)`)
   */
  key?: (context: PolicyContext) => string;
}

/**
 * A lazily built policy per key: each agent, tenant or tool gets its own bulkhead, breaker,
 * retry budget and timeout, so one misbehaving key cannot exhaust the others. Create it with
 * {@link compartments}.
 */
export class Compartments<P extends Policy = Policy> implements Policy {
  readonly #factory: (key: string) => P;
  readonly #key: ((context: PolicyContext) => string) | undefined;
  readonly #policies = new Map<string, P>();

  constructor(factory: (key: string) => P, options: CompartmentsOptions = {}) {
    this.#factory = assertFunction('compartments', 'factory', factory);
    this.#key =
      options.key === undefined ? undefined : assertFunction('compartments', 'key', options.key);
  }

  /** The policy of `key`, built by the factory on first use and kept until deleted. */
  for(key: string): P {
    let policy = this.#policies.get(key);
    if (policy === undefined) {
      policy = this.#factory(key);
      this.#policies.set(key, policy);
    }
    return policy;
  }

  /** Runs `fn` in the compartment chosen by the `key` option. */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const keyOf = this.#key;
    if (keyOf === undefined) {
      return Promise.reject(
        new InvalidOptionError(
          "compartments: option 'key' must be a function to call execute(); or call for(key).execute()",
          {
            owner: 'compartments',
            option: 'key',
            value: undefined,
            expected: 'a function (context) => string',
          },
        ),
      );
    }
    const context = toContext(input);
    let policy: P;
    try {
      policy = this.for(keyOf(context));
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
      return Promise.reject(error);
    }
    return policy.execute(fn, context);
  }

  /** Whether `key` has a policy already. */
  has(key: string): boolean {
    return this.#policies.has(key);
  }

  /**
   * Forgets the policy of `key` (calls already running in it finish normally); the next call
   * for `key` gets a fresh one.
   * @returns whether there was one.
   */
  delete(key: string): boolean {
    return this.#policies.delete(key);
  }

  /** Forgets every compartment. */
  clear(): void {
    this.#policies.clear();
  }

  /** Number of compartments built so far. */
  get size(): number {
    return this.#policies.size;
  }

  /** The keys that have a compartment, in creation order. */
  keys(): IterableIterator<string> {
    return this.#policies.keys();
  }
}

/**
 * Gives each key its own policy, built on first use by `factory(key)`.
 *
 * @example
 * ```ts
 * // Each agent gets 2 concurrent tool calls, its own retries and a 30 s deadline per call.
 * const perAgent = compartments(() =>
 *   wrap(bulkhead({ maxConcurrent: 2 }), retry({ maxAttempts: 3 }), timeout(30_000)),
 * );
 * await perAgent.for('marketing').execute(({ signal }) => callTool(input, { signal }));
 *
 * // Or pick the key per call, e.g. from AsyncLocalStorage:
 * const byRun = compartments(() => bulkhead({ maxConcurrent: 1 }), {
 *   key: () => currentRun.getStore()?.agent ?? 'default',
 * });
 * ```
 */
export function compartments<P extends Policy>(
  factory: (key: string) => P,
  options?: CompartmentsOptions,
): Compartments<P> {
  return new Compartments(factory, options);
}
