import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/index.ts';
import { FaultlineError, hasCode } from '../core/errors/faultline-error.ts';
import type { KillSwitchTrigger } from '../faults/index.ts';
import type { MetricsFigures, MetricsSummary } from '../metrics/index.ts';
import type { ExpectationOutcome, ObservedBehaviour } from './experiment-expectations.ts';
import type { ExperimentResultSummary, CriterionOutcome } from './experiment-runner-result.ts';
import type { LogRecord } from './experiment-runner-observe.ts';
import type { ExperimentPhase, ExperimentRunStatus } from './experiment-runner-types.ts';
import type { ExperimentAction, ExperimentTime, RollbackStrategy } from './experiment-schema.ts';
import type { ProbeUnit } from './experiment-tolerance.ts';

/** One steady-state probe, measured. */
export interface ProbeReading {
  readonly name: string;
  readonly probe: string;
  readonly unit: ProbeUnit;
  /** The tolerance as text, e.g. `> 95%`. */
  readonly tolerance: string;
  /** `null` when there was nothing to measure (e.g. a recovery rate without failures). */
  readonly value: number | boolean | null;
  /** The value as people read it, e.g. `96.5%`. */
  readonly shown: string;
  /** Within tolerance; a probe with nothing to measure passes unless no run was made. */
  readonly ok: boolean;
  /** Why the probe could not be read (a registered probe that threw or is missing). */
  readonly error?: string;
}

/** A steady-state check: a batch of runs without faults and its probes. */
export interface SteadyStateRecord {
  readonly phase: ExperimentPhase;
  readonly title: string;
  /** Every probe within tolerance. */
  readonly met: boolean;
  readonly runs: number;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly probes: readonly ProbeReading[];
  readonly figures: MetricsFigures;
  /** What the batch added to the journal. */
  readonly batch?: unknown;
}

/** What became of one action of the method. */
export type MethodStepStatus =
  'applied' | 'removed' | 'ended' | 'skipped' | 'failed' | 'not-reached' | 'waited';

/** One action of the method and what became of it. */
export interface MethodStepRecord {
  readonly name: string;
  readonly type: ExperimentAction['type'];
  /** The fault's kind or the toxic's type. */
  readonly kind: string | undefined;
  readonly scope: 'run' | 'experiment' | undefined;
  readonly atMs: number;
  readonly durationMs: number | undefined;
  status: MethodStepStatus;
  /** When the runner applied it (toxics), ms since the experiment started. */
  appliedAtMs?: number;
  /** When the runner removed it (toxics). */
  removedAtMs?: number;
  /** Injections made (faults and MCP faults, from the metrics). */
  injections?: number;
  note?: string;
  error?: string;
}

/** The method: its steps, its batch of runs and what was observed. */
export interface MethodRecord {
  readonly startedAtMs: number;
  endedAtMs: number;
  runs: number;
  readonly runsPlanned: number;
  readonly steps: MethodStepRecord[];
  figures: MetricsFigures | null;
  observed: ObservedBehaviour | null;
  /** The `observe.metrics`, read from the method's figures. */
  metrics: Record<string, number | null>;
  logs: LogRecord | null;
  batch?: unknown;
}

/** One rollback action, run. */
export interface RollbackActionRecord {
  readonly name: string;
  readonly action: string;
  readonly status: 'succeeded' | 'failed';
  readonly atMs: number;
  readonly detail?: string;
}

/** The rollbacks: whether they ran, why, and each action's result. */
export interface RollbackRecord {
  readonly strategy: RollbackStrategy;
  ran: boolean;
  reason: string;
  readonly actions: RollbackActionRecord[];
}

/** The kill switch, once tripped. */
export interface KillSwitchRecord {
  readonly trigger: KillSwitchTrigger;
  readonly detail: string;
  readonly phase: ExperimentPhase | undefined;
  readonly atMs: number;
}

/** One line of the journal's timeline. */
export interface JournalEvent {
  /** Milliseconds since the experiment started, on its clock. */
  readonly atMs: number;
  readonly type:
    | 'experiment-started'
    | 'phase-started'
    | 'phase-finished'
    | 'probe'
    | 'step'
    | 'kill-switch'
    | 'rollback'
    | 'experiment-finished'
    | 'error';
  readonly phase?: ExperimentPhase;
  /** One line, for people. */
  readonly detail: string;
  readonly data?: unknown;
}

/**
 * Everything an experiment run did, as JSON: the experiment as run, each phase with its probes
 * and tolerance results, every method step with its times, the kill switch, the rollbacks, the
 * verdict, the method's metrics, and a timeline. `faultline report <journal>` renders reports
 * from it.
 */
export interface ExperimentJournal {
  readonly format: 'faultline.experiment-journal';
  readonly version: 1;
  /** The run's id (the run history's). */
  readonly id: string;
  readonly experiment: {
    readonly id: string;
    readonly title: string;
    readonly hypothesis: string;
    readonly system: string;
    readonly tags: readonly string[];
    /** The validated experiment, as run. */
    readonly spec: unknown;
  };
  readonly seed: string;
  readonly runs: number;
  readonly steadyStateRuns: number;
  readonly time: ExperimentTime;
  /** On the experiment's clock (epoch ms in real time; virtual ms otherwise). */
  readonly startedAt: number;
  finishedAt: number | null;
  status: ExperimentRunStatus | 'running';
  hypothesisConfirmed: boolean | null;
  steadyStateBefore: SteadyStateRecord | null;
  method: MethodRecord | null;
  steadyStateAfter: SteadyStateRecord | null;
  criteria: readonly CriterionOutcome[];
  expectations: readonly ExpectationOutcome[];
  killSwitch: KillSwitchRecord | null;
  readonly rollback: RollbackRecord;
  /** Why the experiment failed, when it did. */
  error: string | null;
  readonly events: JournalEvent[];
  /** What the reports read. */
  result: ExperimentResultSummary | null;
  /** The method's metrics (the steady state's before, when the method did not run). */
  metrics: MetricsSummary | null;
}

/** A file that is not an experiment journal. */
export class ExperimentJournalError extends FaultlineError {
  override readonly name = 'ExperimentJournalError';
  readonly file: string;

  constructor(file: string, message: string) {
    super('FL_EXPERIMENT_JOURNAL', `${file}: ${message}`, {});
    this.file = file;
  }
}

/** True when `error` is an {@link ExperimentJournalError}. */
export const isExperimentJournalError = hasCode<ExperimentJournalError>('FL_EXPERIMENT_JOURNAL');

/** The journal as the text written to files: indented JSON, ending with a newline. */
export function renderExperimentJournal(journal: ExperimentJournal): string {
  return `${JSON.stringify(journal, null, 2)}\n`;
}

/** Writes the journal to `path` atomically (readers see the old file or the whole new one). */
export async function writeExperimentJournal(
  path: string,
  journal: ExperimentJournal,
): Promise<void> {
  await writeFileAtomic(path, renderExperimentJournal(journal));
}

/**
 * Reads a journal from text, checking that it is one (format and version) and that it holds a
 * result. Throws an {@link ExperimentJournalError} saying what is wrong.
 *
 * @param file - names the journal in messages.
 */
export function parseExperimentJournal(text: string, file = 'journal'): ExperimentJournal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ExperimentJournalError(
      file,
      `not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExperimentJournalError(file, 'not an experiment journal (expected a JSON object)');
  }
  const journal = value as Partial<ExperimentJournal>;
  if (journal.format !== 'faultline.experiment-journal') {
    throw new ExperimentJournalError(
      file,
      `not an experiment journal (format is ${JSON.stringify(journal.format)}, expected "faultline.experiment-journal")`,
    );
  }
  if (journal.version !== 1) {
    throw new ExperimentJournalError(
      file,
      `journal version ${JSON.stringify(journal.version)} is not supported (expected 1)`,
    );
  }
  if (typeof journal.result !== 'object') {
    throw new ExperimentJournalError(file, 'the journal holds no result');
  }
  return journal as ExperimentJournal;
}

/** Reads and checks an experiment journal file (see {@link parseExperimentJournal}). */
export async function readExperimentJournal(path: string): Promise<ExperimentJournal> {
  return parseExperimentJournal(await readFile(path, 'utf8'), path);
}
