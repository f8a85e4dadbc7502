import type { MetricsFigures } from '../metrics/index.ts';

/**
 * How an experiment ended, in Chaos Toolkit's terms:
 *
 * - `completed`: the method ran and the steady state held afterwards;
 * - `deviated`: the method ran but the steady state was not met afterwards;
 * - `skipped`: the steady state was not met before, so the method did not run;
 * - `aborted`: the kill switch (or the user) stopped it;
 * - `failed`: the runner could not carry out the experiment (an action failed to apply).
 */
export type ExperimentStatus = 'completed' | 'deviated' | 'skipped' | 'aborted' | 'failed';

/** One steady-state probe, measured before and after the method. */
export interface ProbeOutcomeInput {
  /** E.g. `response-time p95`. */
  readonly name: string;
  /** The tolerance as text, e.g. `< 30 s`. */
  readonly tolerance: string;
  /** The reading before the method, formatted (`96.5%`), and whether it was within tolerance. */
  readonly before?: { readonly value: string; readonly ok: boolean } | undefined;
  /** The reading after the method. */
  readonly after?: { readonly value: string; readonly ok: boolean } | undefined;
}

/** The four success criteria of an experiment. */
export type SuccessCriterionName =
  'detects-failure' | 'handles-without-crashing' | 'recovers' | 'corrupts-no-data';

/** Whether a success criterion was met. */
export interface CriterionOutcomeInput {
  readonly criterion: SuccessCriterionName;
  /** `null` when it could not be judged. */
  readonly met: boolean | null;
  /** The evidence, e.g. `detected in 1.2 s (worst of 200 runs)`. */
  readonly detail?: string | undefined;
}

/**
 * One expected-vs-actual line (detection time, retries, graceful failure, clear error message,
 * state corrupted), as experiments and scenarios report them.
 */
export interface ExpectationLineInput {
  /** E.g. `Detection time`. */
  readonly label: string;
  /** E.g. `≤ 10 s`. */
  readonly expected: string;
  /** E.g. `4.2 s (worst of 200 runs)`. */
  readonly actual: string;
  /** `null` when not measured. */
  readonly passed: boolean | null;
}

/** A problem an experiment revealed. */
export interface ExperimentIssueInput {
  readonly description: string;
  /**
   * Fixed since (e.g. a later run of the same experiment passes this line).
   * @default false
   */
  readonly fixed?: boolean | undefined;
}

/**
 * What the reports read from one experiment's (or one scenario's) result. The experiment runner
 * produces it; a scenario of a campaign maps onto it too (`scenario` set, `id` its name).
 */
export interface ExperimentResultInput {
  /** The experiment's id (the failure-mode catalog matches on it). */
  readonly id: string;
  readonly title: string;
  /** "When X, the system will Y." */
  readonly hypothesis: string;
  /** The seed that replays it. */
  readonly seed: string;
  /** Workflow runs it made (the n behind its numbers). */
  readonly runs: number;
  readonly status: ExperimentStatus;
  /** `null` when not judged (skipped, aborted, failed). */
  readonly hypothesisConfirmed: boolean | null;
  /** The scenario it ran, when it is a scenario (the catalog matches on it). */
  readonly scenario?: string | undefined;
  /** Kinds of the faults it injected, canonical names (the catalog matches on them). */
  readonly faultKinds?: readonly string[] | undefined;
  /** How long it took, in ms of its clock. */
  readonly durationMs?: number | undefined;
  readonly steadyState?: readonly ProbeOutcomeInput[] | undefined;
  readonly criteria?: readonly CriterionOutcomeInput[] | undefined;
  readonly expectations?: readonly ExpectationLineInput[] | undefined;
  /**
   * Problems found. When absent, the reports list the failed probes, criteria and expectation
   * lines.
   */
  readonly issues?: readonly ExperimentIssueInput[] | undefined;
  /** Its metrics (e.g. `summary.campaign`, or `summary.scenarios[name]`). */
  readonly figures?: MetricsFigures | undefined;
  /** Why injection stopped early, if the kill switch tripped. */
  readonly killSwitch?: { readonly trigger: string; readonly detail: string } | undefined;
  /** The rollback strategy and whether the rollbacks ran. */
  readonly rollback?: { readonly strategy: string; readonly ran: boolean } | undefined;
}

const criterionLabels: Readonly<Record<SuccessCriterionName, string>> = {
  'detects-failure': 'Detects the failure',
  'handles-without-crashing': 'Handles it without crashing',
  recovers: 'Recovers when the failure ends',
  'corrupts-no-data': 'Corrupts no data',
};

/** The label of a success criterion. @internal */
export function criterionLabel(name: SuccessCriterionName): string {
  return criterionLabels[name];
}

/**
 * The problems a result revealed: its `issues` when given, else one per failed probe,
 * criterion and expectation line. @internal
 */
export function issuesOf(result: ExperimentResultInput): readonly ExperimentIssueInput[] {
  if (result.issues !== undefined) return result.issues;
  const issues: ExperimentIssueInput[] = [];
  for (const probe of result.steadyState ?? []) {
    if (probe.after !== undefined && !probe.after.ok) {
      issues.push({
        description: `Steady state after the method: ${probe.name} ${probe.after.value}, expected ${probe.tolerance}`,
      });
    } else if (probe.before !== undefined && !probe.before.ok) {
      issues.push({
        description: `Steady state before the method: ${probe.name} ${probe.before.value}, expected ${probe.tolerance}`,
      });
    }
  }
  for (const criterion of result.criteria ?? []) {
    if (criterion.met === false) {
      const detail = criterion.detail === undefined ? '' : ` (${criterion.detail})`;
      issues.push({
        description: `Not met: ${criterionLabel(criterion.criterion).toLowerCase()}${detail}`,
      });
    }
  }
  for (const line of result.expectations ?? []) {
    if (line.passed === false) {
      issues.push({ description: `${line.label}: expected ${line.expected}, got ${line.actual}` });
    }
  }
  if (result.killSwitch !== undefined) {
    issues.push({
      description: `Kill switch tripped (${result.killSwitch.trigger}): ${result.killSwitch.detail}`,
    });
  }
  return issues;
}
