/**
 * faultline in one file: a model API that fails 30% of the time (rate limits with Retry-After,
 * connection resets, slow answers), called 1,000 times with and without faultline's policies,
 * all in virtual time. Runs in well under a second and prints the same numbers on every run.
 *
 *   npm run quickstart
 */
import { VirtualClock, createRandom } from '../src/core/index.ts';
import { chaos, withChaos, type ChaosConfig } from '../src/faults/index.ts';
import {
  circuitBreaker,
  consecutiveFailures,
  retry,
  timeout,
  wrap,
  type Policy,
} from '../src/policies/index.ts';
import { delayFromError, exponential, fullJitter } from '../src/schedule/index.ts';

const TASKS = 1_000;
const SEED = 2026;

/** The "model API": answers after 800 ms of (virtual) thinking. */
function createModel(clock: VirtualClock): (prompt: string) => Promise<string> {
  return withChaos(
    async (prompt: string) => {
      await clock.sleep(800);
      return `summary of ${prompt}`;
    },
    { operation: 'llm.generate' },
  );
}

interface Outcome {
  completed: number;
  retries: number;
  breakerTrips: number;
  virtualSeconds: number;
}

async function runTasks(withPolicies: boolean): Promise<Outcome> {
  const clock = new VirtualClock();
  const random = createRandom(SEED);
  const model = createModel(clock);
  const retryPolicy = retry({
    maxAttempts: 5,
    schedule: delayFromError({ fallback: fullJitter(exponential({ initialDelayMs: 500 })) }),
    clock,
    random: random.fork('retry'),
  });
  const breaker = circuitBreaker({
    strategy: consecutiveFailures({ threshold: 8 }),
    resetTimeout: 10_000,
    clock,
  });
  let retries = 0;
  let breakerTrips = 0;
  retryPolicy.onRetry(() => retries++);
  breaker.onBreak(() => breakerTrips++);
  const policy: Policy | undefined = withPolicies
    ? wrap(retryPolicy, breaker, timeout({ ms: 5_000, clock }))
    : undefined;

  const config: ChaosConfig = {
    enabled: true,
    seed: SEED,
    clock,
    killSwitch: false,
    faults: [
      {
        kind: 'error',
        name: 'rate-limit',
        type: 'rate-limited',
        retryAfterMs: 2_000,
        probability: 0.15,
      },
      { kind: 'network', name: 'reset', error: 'ECONNRESET', probability: 0.1 },
      { kind: 'latency', name: 'slow-model', ms: 12_000, probability: 0.05 },
    ],
  };
  let completed = 0;
  await clock.run(
    chaos.run(config, async () => {
      const tasks = Array.from({ length: TASKS }, async (_, i) => {
        await clock.sleep(i * 100); // one task every 100 ms
        try {
          const call = (): Promise<string> => model(`order #${i}`);
          await (policy === undefined ? call() : policy.execute(call));
          completed++;
        } catch {
          // counted as not completed
        }
      });
      await Promise.all(tasks);
    }),
  );
  return { completed, retries, breakerTrips, virtualSeconds: clock.now() / 1000 };
}

const started = performance.now();
const without = await runTasks(false);
const withFaultline = await runTasks(true);
const wallMs = performance.now() - started;

const row = (name: string, o: Outcome): string =>
  `| ${name.padEnd(28)} | ${`${((o.completed / TASKS) * 100).toFixed(1)}%`.padStart(9)} | ${String(o.retries).padStart(7)} | ${String(o.breakerTrips).padStart(13)} | ${o.virtualSeconds.toFixed(0).padStart(13)} |`;
console.log(`faultline quickstart: ${TASKS} model calls, ~30% faults injected, seed ${SEED}\n`);
console.log(
  '| run                          | completed | retries | breaker trips | virtual s     |',
);
console.log(
  '|------------------------------|-----------|---------|---------------|---------------|',
);
console.log(row('no policies', without));
console.log(row('retry + breaker + timeout', withFaultline));
console.log(`\nBoth runs took ${wallMs.toFixed(0)} ms of wall-clock time.`);
