import { AssertionError } from 'node:assert';
import type { ChaosTestResult } from '../faults/index.ts';

/** What {@link expectResilient} requires of a chaos test's result. */
export interface ResilienceExpectation {
  /**
   * Lowest acceptable recovery rate (0..1).
   * @default 0.9
   */
  readonly minRecoveryRate?: number;
  /**
   * Most crashes (operations that threw) allowed.
   * @default 0
   */
  readonly maxCrashes?: number;
  /**
   * Fewest injections for the result to prove anything; guards against a test that passes
   * because chaos was never enabled.
   * @default 1
   */
  readonly minInjections?: number;
  /**
   * How many failed recoveries and crashes the message lists.
   * @default 20
   */
  readonly listLimit?: number;
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

/**
 * Asserts that a chaos test shows the resilience you require, e.g. "≥ 90% recovery, 0
 * crashes". On failure it throws an `AssertionError` whose message says which requirement was
 * missed and lists the failed recoveries and crashes (operation, fault, target, error), so the
 * run can be understood, and replayed from its seed.
 *
 * @example
 * ```ts
 * const result = await new ChaosEngine({ enabled: true, seed: 1, failureRate: 0.3, types: ['network'] })
 *   .runChaosTest(() => agent.run(task), { iterations: 200 });
 * expectResilient(result, { minRecoveryRate: 0.9, maxCrashes: 0 });
 * ```
 */
export function expectResilient(
  result: ChaosTestResult,
  expectation: ResilienceExpectation = {},
): void {
  const minRecoveryRate = expectation.minRecoveryRate ?? 0.9;
  const maxCrashes = expectation.maxCrashes ?? 0;
  const minInjections = expectation.minInjections ?? 1;
  const limit = expectation.listLimit ?? 20;
  const problems: string[] = [];
  if (result.totalInjections < minInjections) {
    problems.push(
      `only ${result.totalInjections} injection(s), expected at least ${minInjections} (is chaos enabled, with a failure rate above 0?)`,
    );
  }
  if (result.recoveryRate < minRecoveryRate) {
    problems.push(
      `recovery rate ${pct(result.recoveryRate)} (${result.successfulRecoveries} of ${result.totalInjections}) is below ${pct(minRecoveryRate)}`,
    );
  }
  if (result.crashes > maxCrashes) {
    problems.push(`${result.crashes} crash(es), at most ${maxCrashes} allowed`);
  }
  if (problems.length === 0) return;

  const lines = [
    `Not resilient enough (seed ${JSON.stringify(result.seed)}, ${result.operations} operation(s), ${result.totalInjections} injection(s)):`,
    ...problems.map((p) => `  - ${p}`),
  ];
  const failed = result.injections.filter((i) => !i.recovered);
  if (failed.length > 0) {
    lines.push(`Failed recoveries (${failed.length}):`);
    for (const i of failed.slice(0, limit)) {
      const error =
        i.error === undefined ? 'result rejected' : `${i.error.name}: ${i.error.message}`;
      lines.push(
        `  ❌ #${i.seq} op ${i.operation} at ${Math.round(i.time)} ms: ${i.message} -> ${error}`,
      );
    }
    if (failed.length > limit) lines.push(`  ... and ${failed.length - limit} more`);
  }
  const crashes = result.failedOperations.filter((f) => f.crashed);
  if (crashes.length > 0) {
    lines.push(`Crashes (${crashes.length}):`);
    for (const c of crashes.slice(0, limit)) {
      const error = c.error === undefined ? 'unknown error' : `${c.error.name}: ${c.error.message}`;
      lines.push(`  💥 op ${c.operation} (${c.injections} injection(s)): ${error}`);
    }
    if (crashes.length > limit) lines.push(`  ... and ${crashes.length - limit} more`);
  }
  throw new AssertionError({
    message: lines.join('\n'),
    actual: {
      recoveryRate: result.recoveryRate,
      crashes: result.crashes,
      totalInjections: result.totalInjections,
    },
    expected: { minRecoveryRate, maxCrashes, minInjections },
    operator: 'expectResilient',
  });
}
