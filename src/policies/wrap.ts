import { toContext } from './context.ts';
import type { Policy, PolicyContext, PolicyFunction } from './types.ts';

/**
 * Composes policies into one. The first policy is the outermost: it sees every call first and
 * every outcome last. The usual order is fallback, retry, circuit breaker, timeout, with the
 * function innermost:
 *
 * ```
 * caller -> fallback -> retry -> breaker -> timeout -> fn
 * ```
 *
 * so each retry attempt is timed on its own, a timed-out attempt counts as a breaker failure,
 * and the retry stops early when the breaker opens.
 *
 * @example
 * ```ts
 * const resilient = wrap(retry({ maxAttempts: 3 }), circuitBreaker(), timeout({ ms: 10_000 }));
 * const answer = await resilient.execute(({ signal }) => fetch(url, { signal }));
 * ```
 */
export function wrap(...policies: Policy[]): Policy {
  if (policies.length === 1 && policies[0] !== undefined) return policies[0];
  const chain = policies.slice();
  return {
    execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
      const step = (
        index: number,
        context: AbortSignal | PolicyContext | undefined,
      ): Promise<T> => {
        const policy = chain[index];
        if (policy === undefined) {
          return Promise.resolve(fn(toContext(context)));
        }
        if (index === chain.length - 1) return policy.execute(fn, context);
        return policy.execute((inner) => step(index + 1, inner), context);
      };
      return step(0, input);
    },
  };
}
