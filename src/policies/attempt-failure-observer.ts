import { isCircuitOpenError } from '../core/index.ts';
import { toContext } from './context.ts';
import type { Policy, PolicyContext, PolicyFunction } from './types.ts';

/**
 * Internal: a policy that changes nothing and calls `onFailure` for each failed attempt passing
 * through it, then rethrows. Placed between a retry and the rest (breaker, timeout), it sees each
 * failure as the retry sees it: an aggressive timeout settles before the abandoned attempt does.
 * A circuit breaker's refusal is no attempt, so it is not reported.
 * @internal
 */
export function attemptFailureObserver(
  onFailure: (error: unknown, context: PolicyContext) => void,
): Policy {
  return {
    execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
      const context = toContext(input);
      return Promise.resolve()
        .then(() => fn(context))
        .catch((error: unknown) => {
          if (!isCircuitOpenError(error)) onFailure(error, context);
          throw error;
        });
    },
  };
}
