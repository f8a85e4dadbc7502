import type { JsonValue } from '../core/index.ts';
import { headlineFigures, type MetricsFigures } from '../metrics/index.ts';
import type { ExpectationOutcome, ObservedBehaviour } from './experiment-expectations.ts';
import type { ExperimentJournal } from './experiment-runner-journal.ts';
import type { ExperimentRunStatus } from './experiment-runner-types.ts';
import type { SuccessCriteria } from './experiment-schema.ts';
import { formatMeasurement } from './experiment-tolerance.ts';

/** The four success criteria of an experiment (the reports' `SuccessCriterionName`). */
export type CriterionName =
  'detects-failure' | 'handles-without-crashing' | 'recovers' | 'corrupts-no-data';

/** Whether a success criterion was met, and the evidence. */
export interface CriterionOutcome {
  readonly criterion: CriterionName;
  /** `null` when it could not be judged. */
  readonly met: boolean | null;
  readonly detail: string;
}

/**
 * An experiment's result as the reports read it: the same shape as the reports'
 * `ExperimentResultInput` (pass it to the chaos, catalog and reliability reports as is).
 */
export interface ExperimentResultSummary {
  readonly id: string;
  readonly title: string;
  readonly hypothesis: string;
  readonly seed: string;
  /** Workflow runs of the method (of the steady state before, when the method did not run). */
  readonly runs: number;
  readonly status: ExperimentRunStatus;
  /** `null` when not judged (skipped, aborted, failed). */
  readonly hypothesisConfirmed: boolean | null;
  /** Kinds of the faults the method injects (toxics count as `network`). */
  readonly faultKinds: readonly string[];
  /** How long the experiment took, in ms of its clock. */
  readonly durationMs: number;
  readonly steadyState: readonly {
    readonly name: string;
    readonly tolerance: string;
    readonly before?: { readonly value: string; readonly ok: boolean } | undefined;
    readonly after?: { readonly value: string; readonly ok: boolean } | undefined;
  }[];
  readonly criteria: readonly CriterionOutcome[];
  readonly expectations: readonly {
    readonly label: string;
    readonly expected: string;
    readonly actual: string;
    readonly passed: boolean | null;
  }[];
  readonly figures?: MetricsFigures | undefined;
  readonly killSwitch?: { readonly trigger: string; readonly detail: string } | undefined;
  readonly rollback: { readonly strategy: string; readonly ran: boolean };
}

const ms = (value: number): string => formatMeasurement(value, 'ms');

/**
 * Judges the success criteria against the method's figures, what its runs showed, and whether
 * the steady state held after it. @internal
 */
export function evaluateCriteria(
  criteria: SuccessCriteria,
  figures: MetricsFigures,
  observed: ObservedBehaviour,
  steadyAfter: boolean,
): CriterionOutcome[] {
  const out: CriterionOutcome[] = [];
  const n = figures.runs.total;
  const basis = observed.basis === undefined ? `${String(n)} runs` : observed.basis;
  if (criteria.detectsFailure !== false) {
    const within = criteria.detectsFailure.withinMs;
    const detection = observed.detectionMs ?? figures.detectionMs.max;
    if (detection === null) {
      out.push({
        criterion: 'detects-failure',
        met: figures.failures.total === 0 ? null : false,
        detail:
          figures.failures.total === 0
            ? `no failure to detect in ${basis}`
            : `${String(figures.failures.total)} failure(s), none detected`,
      });
    } else {
      out.push({
        criterion: 'detects-failure',
        met: within === undefined || detection <= within,
        detail: `detected in ${ms(detection)} (${basis})${within === undefined ? '' : `, required within ${ms(within)}`}`,
      });
    }
  }
  if (criteria.handlesWithoutCrashing) {
    out.push({
      criterion: 'handles-without-crashing',
      met: n === 0 ? null : figures.runs.crashed === 0,
      detail: `${String(figures.runs.crashed)} crash(es) in ${String(n)} runs`,
    });
  }
  if (criteria.recovers !== false) {
    const within = criteria.recovers.withinMs;
    const mttr = figures.mttrMs.p95;
    const inTime = within === undefined || mttr === null || mttr <= within;
    const parts = [
      steadyAfter ? 'steady state held after the method' : 'steady state not met after the method',
    ];
    if (mttr !== null) parts.push(`MTTR-A p95 ${ms(mttr)}`);
    if (within !== undefined) parts.push(`required within ${ms(within)}`);
    out.push({ criterion: 'recovers', met: steadyAfter && inTime, detail: parts.join(', ') });
  }
  if (criteria.corruptsNoData) {
    const corrupted = observed.stateCorrupted;
    out.push({
      criterion: 'corrupts-no-data',
      met: corrupted === null ? null : !corrupted,
      detail:
        corrupted === null
          ? 'state consistency not measured'
          : corrupted
            ? `state corrupted (${basis})`
            : `no corruption found (${basis})`,
    });
  }
  return out;
}

/** What the runner derives when a batch reports no observed behaviour. @internal */
export function observedFromFigures(figures: MetricsFigures): ObservedBehaviour {
  const n = figures.runs.total;
  return {
    detectionMs: figures.detectionMs.max,
    retries: null,
    crashed: n === 0 ? null : figures.runs.crashed > 0,
    errorMessage: null,
    stateCorrupted: null,
    basis: `worst of ${String(n)} runs`,
  };
}

/** The expectation lines as the reports take them. @internal */
export function expectationLines(
  outcomes: readonly ExpectationOutcome[],
): ExperimentResultSummary['expectations'] {
  return outcomes.map(({ label, expected, actual, passed }) => ({
    label,
    expected,
    actual,
    passed,
  }));
}

/** How a history entry of an experiment ended (the run history's `RunStatus`). */
export type ExperimentHistoryStatus = 'passed' | 'failed' | 'aborted' | 'error';

/**
 * An experiment run as the run history stores it: the same shape as the store's `RunRecord`
 * with kind `experiment` (pass it to `history.record` as is).
 */
export interface ExperimentHistoryRecord {
  readonly id: string;
  readonly kind: 'experiment';
  /** The experiment's id: runs of the same experiment form a trend. */
  readonly name: string;
  readonly seed: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  /** Epoch milliseconds. */
  readonly finishedAt: number;
  readonly status: ExperimentHistoryStatus;
  /** Headline numbers: runs, success rate, recovery rate, MTTR-A and detection percentiles, ... */
  readonly summary: Readonly<Record<string, number>>;
  /** The experiment as run. */
  readonly config: JsonValue;
  /** The method's metrics summary. */
  readonly metrics: JsonValue;
  /** The journal, as JSON text. */
  readonly journal: string;
  readonly tags: readonly string[];
}

/** The history status of an experiment's status and verdict. */
export function historyStatusOf(
  status: ExperimentRunStatus,
  hypothesisConfirmed: boolean | null,
): ExperimentHistoryStatus {
  switch (status) {
    case 'aborted':
      return 'aborted';
    case 'failed':
      return 'error';
    case 'completed':
      return hypothesisConfirmed === true ? 'passed' : 'failed';
    default:
      return 'failed';
  }
}

function asJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}

/**
 * The run-history entry of an experiment run, from its journal: headline numbers from the
 * method's figures (the steady state's before when the method did not run), the experiment as
 * config, the metrics, the whole journal.
 *
 * @param wall - the real start and end (epoch ms): the journal's times are on the experiment's
 *   clock, which is virtual in virtual time.
 *
 * @example
 * ```ts
 * const run = await runExperiment(experiment, { runBatch });
 * history.record(experimentHistoryRecord(run.journal, { startedAt, finishedAt }));
 * ```
 */
export function experimentHistoryRecord(
  journal: ExperimentJournal,
  wall: { readonly startedAt: number; readonly finishedAt: number },
): ExperimentHistoryRecord {
  const figures = journal.method?.figures ?? journal.steadyStateBefore?.figures ?? null;
  const summary: Record<string, number> = figures === null ? {} : headlineFigures(figures);
  const put = (key: string, value: number | null | undefined): void => {
    if (typeof value === 'number' && Number.isFinite(value)) summary[key] = value;
  };
  put('injections', journal.metrics?.faults.injections);
  if (journal.hypothesisConfirmed !== null)
    summary.hypothesisConfirmed = journal.hypothesisConfirmed ? 1 : 0;
  const status = journal.status === 'running' ? 'aborted' : journal.status;
  return {
    id: journal.id,
    kind: 'experiment',
    name: journal.experiment.id,
    seed: journal.seed,
    startedAt: wall.startedAt,
    finishedAt: wall.finishedAt,
    status: historyStatusOf(status, journal.hypothesisConfirmed),
    summary,
    config: asJson(journal.experiment.spec),
    metrics: asJson(journal.metrics),
    journal: JSON.stringify(journal),
    tags: journal.experiment.tags,
  };
}
