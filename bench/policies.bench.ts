/**
 * faultline's policies side by side with cockatiel's and opossum's, in one process, interleaved.
 * Each candidate runs `await policy.execute(noop)` with a function that resolves at once, so the
 * figure is the policy's own overhead above a bare `await noop()`.
 *
 *   npm run bench -- policies
 */
import {
  ConsecutiveBreaker,
  TimeoutStrategy,
  bulkhead as cockatielBulkhead,
  circuitBreaker as cockatielBreaker,
  handleAll,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  wrap as cockatielWrap,
} from 'cockatiel';
import OpossumBreaker from 'opossum';
import {
  bulkhead,
  circuitBreaker,
  consecutiveFailures,
  retry,
  timeout,
  wrap,
} from '../src/policies/index.ts';
import { compare, report } from './harness.ts';

const noop = (): Promise<number> => Promise.resolve(1);

/** Runs every policy comparison and returns the overhead ratios (ours / peer). */
export async function main(): Promise<Record<string, number>> {
  const ratios: Record<string, number> = {};

  const ours = circuitBreaker({ strategy: consecutiveFailures({ threshold: 5 }) });
  const theirs = cockatielBreaker(handleAll, {
    halfOpenAfter: 60_000,
    breaker: new ConsecutiveBreaker(5),
  });
  const opossum = new OpossumBreaker(noop, { timeout: false, resetTimeout: 60_000 });
  const breakerResults = await compare([
    { name: 'bare await noop()', run: noop },
    { name: 'faultline circuitBreaker', run: () => ours.execute(noop) },
    { name: 'cockatiel circuitBreaker(Consecutive)', run: () => theirs.execute(noop) },
    { name: 'opossum fire()', run: () => opossum.fire() },
  ]);
  const breaker = report('circuit breaker (closed, success path)', breakerResults, {
    baseline: 'bare await noop()',
    ours: 'faultline circuitBreaker',
    peers: ['cockatiel circuitBreaker(Consecutive)', 'opossum fire()'],
    target: 0.5,
  });
  ratios['breaker/cockatiel'] = breaker.ratios['cockatiel circuitBreaker(Consecutive)']!;
  ratios['breaker/opossum'] = breaker.ratios['opossum fire()']!;

  const ourBulkhead = bulkhead({ maxConcurrent: 10, maxQueued: 10 });
  const theirBulkhead = cockatielBulkhead(10, 10);
  const bulkheadResults = await compare([
    { name: 'bare await noop()', run: noop },
    { name: 'faultline bulkhead', run: () => ourBulkhead.execute(noop) },
    { name: 'cockatiel bulkhead', run: () => theirBulkhead.execute(noop) },
  ]);
  ratios['bulkhead/cockatiel'] = report('bulkhead (free slot)', bulkheadResults, {
    baseline: 'bare await noop()',
    ours: 'faultline bulkhead',
    peers: ['cockatiel bulkhead'],
    target: 0.5,
  }).ratios['cockatiel bulkhead']!;

  for (const strategy of ['cooperative', 'aggressive'] as const) {
    const ourStack = wrap(
      retry({ maxAttempts: 3 }),
      circuitBreaker({ strategy: consecutiveFailures({ threshold: 5 }) }),
      timeout({ ms: 10_000, strategy }),
    );
    const theirStack = cockatielWrap(
      cockatielRetry(handleAll, { maxAttempts: 3 }),
      cockatielBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) }),
      cockatielTimeout(
        10_000,
        strategy === 'cooperative' ? TimeoutStrategy.Cooperative : TimeoutStrategy.Aggressive,
      ),
    );
    const results = await compare([
      { name: 'bare await noop()', run: noop },
      { name: `faultline wrap(retry, breaker, timeout)`, run: () => ourStack.execute(noop) },
      { name: `cockatiel wrap(retry, breaker, timeout)`, run: () => theirStack.execute(noop) },
    ]);
    ratios[`wrap-${strategy}/cockatiel`] = report(
      `wrap(retry, breaker, timeout ${strategy})`,
      results,
      {
        baseline: 'bare await noop()',
        ours: 'faultline wrap(retry, breaker, timeout)',
        peers: ['cockatiel wrap(retry, breaker, timeout)'],
        target: 0.1,
      },
    ).ratios['cockatiel wrap(retry, breaker, timeout)']!;
  }
  return ratios;
}

if (import.meta.main) await main();
