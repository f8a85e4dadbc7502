import type { InjectionRecord } from '../../faults/index.ts';
import type { MetricsSummary } from '../../metrics/index.ts';
import type { ExpectationLine } from '../scenarios/index.ts';

/** How one expectation line fared over a scenario's runs. */
export interface ExpectationTally {
  readonly id: string;
  readonly label: string;
  readonly expected: string;
  /** Runs in which the line passed. */
  readonly passed: number;
  readonly failed: number;
  /** Runs in which it could not be judged. */
  readonly unmeasured: number;
  /** `passed / (passed + failed)`; `null` when never judged. */
  readonly passRate: number | null;
  /** A representative actual value: the first failing run's, else the first run's. */
  readonly actual: string;
  /** The seed of the run `actual` comes from. */
  readonly seed: string | null;
}

/** Percentiles of a duration in milliseconds (`null` without samples). */
export interface DurationFigures {
  readonly n: number;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** One scenario's runs, summarised. */
export interface ScenarioSummary {
  readonly name: string;
  readonly title: string;
  readonly hypothesis: string;
  readonly runs: number;
  /** Runs that completed (degraded ones included). */
  readonly succeeded: number;
  readonly failed: number;
  /** Failed with an unhandled error. */
  readonly crashed: number;
  /** Completed with a fallback's answer somewhere. */
  readonly degraded: number;
  /** `succeeded / runs`. */
  readonly successRate: number | null;
  /** Failures recorded (incidents: injected faults the system noticed). */
  readonly failures: number;
  readonly recovered: number;
  /** `recovered / failures`: recovery success rate. */
  readonly recoveryRate: number | null;
  /** MTTR-A: from a failure to the affected agent's recovery. */
  readonly mttrMs: DurationFigures;
  /** From a failure to the system's first reaction. */
  readonly detectionMs: DurationFigures;
  /** Share of slow-but-alive agents declared dead; `null` when none was observed. */
  readonly falsePositiveRate: number | null;
  /** Self-healing: restarts that healed, failed, and escalations. */
  readonly healing: {
    readonly healed: number;
    readonly failed: number;
    readonly escalations: number;
  };
  /** Injections applied. */
  readonly injections: number;
  /** Sum of the runs' durations on their clock. */
  readonly virtualMs: number;
  readonly expectations: readonly ExpectationTally[];
  /** Judged lines that passed over judged lines, over every run. */
  readonly expectationsPassRate: number | null;
  /** Runs in which every judged line passed. */
  readonly runsPassed: number;
  /** Every run met every expectation. */
  readonly hypothesisHeld: boolean;
}

/** A run that broke its scenario's expectations. */
export interface CampaignFailure {
  readonly scenario: string;
  readonly index: number;
  /** Replays it: `faultline replay <scenario> --seed <seed>`. */
  readonly seed: string;
  readonly status: 'completed' | 'failed';
  /** The error the caller got, when the run failed. */
  readonly error: string | null;
  /** The lines that failed. */
  readonly lines: readonly ExpectationLine[];
}

/** One run, in a line. */
export interface RunDigest {
  readonly scenario: string;
  readonly index: number;
  readonly seed: string;
  readonly status: 'completed' | 'failed';
  readonly crashed: boolean;
  readonly degraded: boolean;
  readonly durationMs: number;
  readonly injections: number;
  /** The error the caller got, when the run failed. */
  readonly error: ErrorDigest | null;
  /** Every judged expectation line passed. */
  readonly passed: boolean;
  /** Ids of the lines that failed. */
  readonly failedLines: readonly string[];
}

/** An injection kept as an example for the chaos report. */
export interface SampledInjection {
  /** The run's number in the whole campaign (0-based, in plan order). */
  readonly run: number;
  readonly scenario: string;
  readonly seed: string;
  readonly record: InjectionRecord;
  /** Its run completed anyway. */
  readonly recovered: boolean;
  /** The error its run failed with, when it failed. */
  readonly error: ErrorDigest | null;
}

/** An error, by name and message. */
export interface ErrorDigest {
  readonly name: string;
  readonly message: string;
}

/** The campaign's injections, counted. */
export interface CampaignChaosFigures {
  readonly injections: number;
  readonly byKind: Readonly<Record<string, number>>;
  /** Injections in runs that completed anyway. */
  readonly inSucceededRuns: number;
  readonly inFailedRuns: number;
  /** The first injections of each scenario (at most `sampleInjections` per scenario). */
  readonly sample: readonly SampledInjection[];
}

/** What `runCampaign` returns. */
export interface CampaignResult {
  readonly name: string;
  /** The campaign's seed; run `i` of scenario `S` has seed `<seed>-<S>-<i>`. */
  readonly seed: string;
  readonly time: 'virtual' | 'real';
  readonly runsPerScenario: number;
  readonly concurrency: number;
  /** Runs made (fewer than planned when aborted). */
  readonly runs: number;
  readonly runsPlanned: number;
  readonly aborted: boolean;
  /** Clock time when the campaign started and finished. */
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Real time the campaign took, in milliseconds. */
  readonly wallMs: number;
  /**
   * Sum of the runs' durations on their clock: how long the same runs would take one after the
   * other in real time. `virtualMs / wallMs` is the speed-up of virtual time.
   */
  readonly virtualMs: number;
  /** Every run met every expectation of its scenario. */
  readonly passed: boolean;
  readonly scenarios: readonly ScenarioSummary[];
  /** Runs that broke an expectation, with their seeds (at most `maxFailures` per scenario). */
  readonly failures: readonly CampaignFailure[];
  /** Failing runs left out of `failures`. */
  readonly omittedFailures: number;
  /** One line per run, in plan order (scenario by scenario, run by run). */
  readonly runDigests: readonly RunDigest[];
  readonly chaos: CampaignChaosFigures;
  /** The metrics recorder's summary at the end (per scenario under `scenarios`). */
  readonly metrics: MetricsSummary;
}

/** Where a campaign is, after each run. */
export interface CampaignProgress {
  readonly runsDone: number;
  readonly runsPlanned: number;
  /** Runs so far that broke an expectation. */
  readonly failures: number;
  /** Runs so far whose workflow failed (by design in some scenarios). */
  readonly runsFailed: number;
  /** The run that just finished. */
  readonly last: {
    readonly scenario: string;
    readonly seed: string;
    readonly status: 'completed' | 'failed';
    readonly passed: boolean;
  };
  /** Real time since the campaign started. */
  readonly wallMs: number;
  /** Sum of the finished runs' durations on their clock. */
  readonly virtualMs: number;
}
