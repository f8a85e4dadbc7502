import type { WorkflowRunResult } from '../../agents/index.ts';
import type { DistributionSummary, MetricsFigures } from '../../metrics/index.ts';
import type { Scenario } from '../scenarios/index.ts';
import type {
  CampaignFailure,
  DurationFigures,
  ExpectationTally,
  ScenarioSummary,
} from './campaign-result.ts';
import type { RunOutcome } from './execute-run.ts';

interface LineCount {
  readonly id: string;
  readonly label: string;
  readonly expected: string;
  passed: number;
  failed: number;
  unmeasured: number;
  actual: string;
  seed: string | null;
  sampleIndex: number;
  sampleFailing: boolean;
}

function durations(d: DistributionSummary | undefined): DurationFigures {
  return {
    n: d?.n ?? 0,
    mean: d?.mean ?? null,
    p50: d?.p50 ?? null,
    p95: d?.p95 ?? null,
    p99: d?.p99 ?? null,
    max: d?.max ?? null,
  };
}

/** Counts one scenario's runs as they finish, in any order. @internal */
export class ScenarioTally {
  readonly scenario: Scenario;
  runs = 0;
  succeeded = 0;
  crashed = 0;
  degraded = 0;
  injections = 0;
  virtualMs = 0;
  runsPassed = 0;
  readonly failures: CampaignFailure[] = [];
  omittedFailures = 0;
  readonly #lines: LineCount[];
  readonly #maxFailures: number;

  constructor(scenario: Scenario, maxFailures: number) {
    this.scenario = scenario;
    this.#maxFailures = maxFailures;
    this.#lines = scenario.expectations.map((e) => ({
      id: e.id,
      label: e.label,
      expected: e.expected,
      passed: 0,
      failed: 0,
      unmeasured: 0,
      actual: 'no run yet',
      seed: null,
      sampleIndex: Infinity,
      sampleFailing: false,
    }));
  }

  add<R extends WorkflowRunResult>(outcome: RunOutcome<R>): void {
    const { analysis } = outcome;
    this.runs++;
    if (analysis.status === 'completed') this.succeeded++;
    if (analysis.crashed) this.crashed++;
    if (analysis.degraded) this.degraded++;
    this.injections += analysis.injections.length;
    this.virtualMs += analysis.durationMs;
    if (outcome.passed) this.runsPassed++;
    outcome.lines.forEach((line, i) => {
      const count = this.#lines[i];
      if (count === undefined) return;
      if (line.passed === true) count.passed++;
      else if (line.passed === false) count.failed++;
      else count.unmeasured++;
      // The first failing run's value, else the first run's (by index, whatever the order).
      const failing = line.passed === false;
      if (
        (failing && !count.sampleFailing) ||
        (failing === count.sampleFailing && outcome.index < count.sampleIndex)
      ) {
        count.actual = line.actual;
        count.seed = outcome.seed;
        count.sampleIndex = outcome.index;
        count.sampleFailing = failing;
      }
    });
    if (!outcome.passed) {
      const failure: CampaignFailure = {
        scenario: this.scenario.name,
        index: outcome.index,
        seed: outcome.seed,
        status: analysis.status,
        error:
          analysis.error === undefined ? null : `${analysis.error.name}: ${analysis.error.message}`,
        lines: outcome.lines.filter((l) => l.passed === false),
      };
      this.failures.push(failure);
      this.failures.sort((a, b) => a.index - b.index);
      if (this.failures.length > this.#maxFailures) {
        this.failures.pop();
        this.omittedFailures++;
      }
    }
  }

  summary(figures: MetricsFigures | undefined): ScenarioSummary {
    let judged = 0;
    let passed = 0;
    const expectations: ExpectationTally[] = this.#lines.map((l) => {
      judged += l.passed + l.failed;
      passed += l.passed;
      return {
        id: l.id,
        label: l.label,
        expected: l.expected,
        passed: l.passed,
        failed: l.failed,
        unmeasured: l.unmeasured,
        passRate: l.passed + l.failed === 0 ? null : l.passed / (l.passed + l.failed),
        actual: l.actual,
        seed: l.seed,
      };
    });
    return {
      name: this.scenario.name,
      title: this.scenario.title,
      hypothesis: this.scenario.hypothesis,
      runs: this.runs,
      succeeded: this.succeeded,
      failed: this.runs - this.succeeded,
      crashed: this.crashed,
      degraded: this.degraded,
      successRate: this.runs === 0 ? null : this.succeeded / this.runs,
      failures: figures?.failures.total ?? 0,
      recovered: figures?.failures.recovered ?? 0,
      recoveryRate: figures?.failures.recoveryRate ?? null,
      mttrMs: durations(figures?.mttrMs),
      detectionMs: durations(figures?.detectionMs),
      falsePositiveRate: figures?.liveness.falsePositiveRate ?? null,
      healing: {
        healed: figures?.healing.healed ?? 0,
        failed: figures?.healing.failed ?? 0,
        escalations: figures?.healing.escalations ?? 0,
      },
      injections: this.injections,
      virtualMs: this.virtualMs,
      expectations,
      expectationsPassRate: judged === 0 ? null : passed / judged,
      runsPassed: this.runsPassed,
      hypothesisHeld: this.runs > 0 && this.runsPassed === this.runs,
    };
  }
}
