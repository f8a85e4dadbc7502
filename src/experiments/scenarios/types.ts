import type { WorkflowRunResult } from '../../agents/index.ts';
import type { ChaosConfig, InjectionRecord } from '../../faults/index.ts';
import type { RunAnalysis } from './analyse-run.ts';

/**
 * The chaos a scenario injects into each run: a chaos config without what the campaign runner
 * sets per run (`enabled`, the run's `seed`, the scope's `name`, which is the run id, and the
 * campaign's `clock`).
 */
export type ScenarioChaos = Omit<ChaosConfig, 'enabled' | 'seed' | 'random' | 'name' | 'clock'>;

/** The policy reactions a run observer records (`faultline:policy:*` channels). */
export type PolicyReactionType =
  | 'retry'
  | 'retry-give-up'
  | 'timeout'
  | 'circuit-break'
  | 'circuit-rejected'
  | 'loop-detected'
  | 'budget-exceeded'
  | 'bulkhead-rejected'
  | 'fallback';

/** One policy reaction seen during a run, attributed to the run by its async context. */
export interface PolicyEventRecord {
  readonly type: PolicyReactionType;
  /** The policy's name, e.g. `upload-image-retry`. */
  readonly source: string | undefined;
  /** Milliseconds since the run started, on the run's clock. */
  readonly elapsedMs: number;
  /**
   * The event's main number: the wait before the next attempt (`retry`), the deadline
   * (`timeout`), the repetitions (`loop-detected`), the budget spent (`budget-exceeded`).
   */
  readonly value: number | undefined;
  /** The attempt that failed (`retry`, `retry-give-up`). */
  readonly attempt: number | undefined;
}

/**
 * Everything recorded about one run of a scenario: the workflow's result (with its agent
 * events), the faults injected (the chaos journal's injections, times relative to the run's
 * start) and the policies' reactions.
 */
export interface ObservedRun<R extends WorkflowRunResult = WorkflowRunResult> {
  /** The scenario's name. */
  readonly scenario: string;
  /** Run number within the scenario (0-based). */
  readonly index: number;
  /** The run's id: its seed. */
  readonly runId: string;
  /** The run's seed: `replayRun` reproduces the run from it. */
  readonly seed: string;
  readonly result: R;
  readonly injections: readonly InjectionRecord[];
  readonly policyEvents: readonly PolicyEventRecord[];
}

/** What an expectation line found in one run. */
export interface ExpectationCheck {
  /** What happened, e.g. `3 retries (waits 0.4 s, 1.7 s, 2.9 s)`. */
  readonly actual: string;
  /** `null` when there was nothing to judge (not measured). */
  readonly passed: boolean | null;
}

/**
 * One line of a scenario's expected behaviour (detection time, retries, graceful failure, clear
 * error, no state corruption, ...), with the check that judges a run against it.
 */
export interface Expectation {
  /** Stable id, e.g. `detection-time`. */
  readonly id: string;
  /** E.g. `Detection time`. */
  readonly label: string;
  /** E.g. `≤ 10 s`. */
  readonly expected: string;
  /** Judges one analysed run. */
  check(run: RunAnalysis): ExpectationCheck;
}

/** One expected-vs-actual line of a run, with its verdict. */
export interface ExpectationLine {
  readonly id: string;
  readonly label: string;
  readonly expected: string;
  readonly actual: string;
  /** `null` when not measured. */
  readonly passed: boolean | null;
}

/** What {@link defineScenario} takes. */
export interface ScenarioDefinition {
  /**
   * PascalCase name (letters and digits), e.g. `ToolServerDown`: campaigns, reports, run seeds,
   * replays and the run history use it.
   */
  readonly name: string;
  /** One line, e.g. `The upload tool's server is down for 60 s`. */
  readonly title: string;
  /** What is broken, where and for how long. */
  readonly description: string;
  /** "When X, the system will Y." */
  readonly hypothesis: string;
  /** The faults of each run, with their targets (injection sites). */
  readonly chaos: ScenarioChaos;
  /** The expected behaviour, line by line. */
  readonly expectations: readonly Expectation[];
  /**
   * Labels for filtering and the failure-mode catalog.
   * @default []
   */
  readonly tags?: readonly string[];
}

/**
 * A named, documented chaos scenario: what it breaks (its chaos config), what should happen (its
 * hypothesis and expected-behaviour lines), and how to judge a run of it.
 */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly hypothesis: string;
  readonly chaos: ScenarioChaos;
  readonly expectations: readonly Expectation[];
  readonly tags: readonly string[];
  /** Kinds of the faults it injects (canonical names, e.g. `crash`, `network`). */
  readonly faultKinds: readonly string[];
  /** Judges one run: one expected-vs-actual line per expectation, in order. */
  evaluate(run: ObservedRun): ExpectationLine[];
  /** {@link evaluate} for a run already analysed with `analyseRun`. */
  judge(analysis: RunAnalysis): ExpectationLine[];
}
