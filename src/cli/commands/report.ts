import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { VirtualClock, writeFileAtomic } from '../../core/index.ts';
import type { ScenarioSummary } from '../../experiments/campaign/index.ts';
import {
  isExperimentJournalError,
  parseExperimentJournal,
  readExperimentJournal,
  type ExperimentJournal,
} from '../../experiments/experiment-runner-journal.ts';
import { loadFailureModes } from '../../experiments/load-failure-modes.ts';
import { isExperimentFileError } from '../../experiments/experiment-file-error.ts';
import { findScenario } from '../../experiments/scenarios/index.ts';
import { MetricsRecorder, type MetricsFigures, type MetricsSummary } from '../../metrics/index.ts';
import {
  buildReliabilityReport,
  renderReliabilityReportHtml,
  renderReliabilityReportMarkdown,
  type ExperimentResultInput,
  type FailureModeInput,
  type ReliabilityReportInput,
} from '../../reports/index.ts';
import { defaultHistoryPath, RunHistory, type RunRecord } from '../../store/index.ts';
import { addFlags, parse, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext } from '../main.ts';
import { UsageError } from '../usage-error.ts';

/** The report formats the CLI writes. */
export const reportFormats = ['md', 'html', 'json'] as const;

/** A report format: Markdown, a self-contained HTML page, or the report as JSON. */
export type ReportFormat = (typeof reportFormats)[number];

/** The format to write: the flag's, else by the file's extension, else Markdown. */
export function formatOf(format: ReportFormat | undefined, path: string | undefined): ReportFormat {
  if (format !== undefined) return format;
  const lower = (path ?? '').toLowerCase();
  if (lower.endsWith('.html') || lower.endsWith('.htm')) return 'html';
  return lower.endsWith('.json') ? 'json' : 'md';
}

/** An empty metrics summary, for a report on something that made no run. */
export function emptyMetrics(name: string, seed: string): MetricsSummary {
  return new MetricsRecorder({ name, seed, clock: new VirtualClock() }).summary();
}

/**
 * A scenario of a campaign as the reports take an experiment result: its expectation lines with
 * the share of runs in which each held.
 */
export function scenarioResultInput(
  s: ScenarioSummary,
  seed: string,
  figures: MetricsFigures | undefined,
): ExperimentResultInput {
  return {
    id: s.name,
    title: s.title,
    hypothesis: s.hypothesis,
    seed,
    runs: s.runs,
    status: s.runs === 0 ? 'skipped' : 'completed',
    hypothesisConfirmed: s.runs === 0 ? null : s.hypothesisHeld,
    scenario: s.name,
    faultKinds: findScenario(s.name)?.faultKinds ?? [],
    figures,
    expectations: s.expectations.map((t) => ({
      label: t.label,
      expected: t.expected,
      actual:
        t.passRate === null
          ? t.actual
          : `${t.actual} (held in ${String(t.passed)}/${String(t.passed + t.failed)} runs)`,
      passed: t.passRate === null ? null : t.failed === 0,
    })),
  };
}

/** What a report is made of: results, the metrics behind them, the system. */
export interface ReportSource {
  readonly system: string;
  readonly seed: string;
  readonly metrics: MetricsSummary;
  readonly results: readonly ExperimentResultInput[];
}

/** The report source of an experiment journal. */
export function journalSource(journal: ExperimentJournal): ReportSource {
  return {
    system: journal.experiment.system,
    seed: journal.seed,
    metrics: journal.metrics ?? emptyMetrics(journal.experiment.id, journal.seed),
    results: journal.result === null ? [] : [journal.result],
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScenarioSummary(value: unknown): value is ScenarioSummary {
  return isRecord(value) && typeof value.name === 'string' && Array.isArray(value.expectations);
}

function isMetricsSummary(value: unknown): value is MetricsSummary {
  return isRecord(value) && value.schema === 'faultline.metrics/v1';
}

/** The report source of a history entry: an experiment (its journal) or a campaign. */
export function recordSource(history: RunHistory, record: RunRecord): ReportSource {
  if (record.kind === 'experiment') {
    if (record.journal === undefined) {
      throw new UsageError(`run ${record.id} has no journal stored`);
    }
    return journalSource(parseExperimentJournal(record.journal, `run ${record.id}`));
  }
  const parent = record.parentId === undefined ? record : (history.get(record.parentId) ?? record);
  const metrics = isMetricsSummary(parent.metrics)
    ? parent.metrics
    : emptyMetrics(parent.name, parent.seed);
  const children =
    record.parentId === undefined
      ? history
          .list({ parentId: record.id, limit: 1000 })
          .map((child) => history.get(child.id))
          .filter((child): child is RunRecord => child !== undefined)
      : [record];
  const results = children.flatMap((child) =>
    isScenarioSummary(child.metrics)
      ? [scenarioResultInput(child.metrics, child.seed, metrics.scenarios[child.metrics.name])]
      : [],
  );
  return { system: 'ecommerce', seed: record.seed, metrics, results };
}

/** Opens the run history at `db`, refusing to create one where none exists. */
export function openHistory(db: string): RunHistory {
  if (!existsSync(db)) {
    throw new UsageError(
      `no run history at ${db}`,
      'run an experiment or campaign first (faultline run, faultline demo), or pass --db <path>',
    );
  }
  return RunHistory.open(db);
}

/**
 * Reads a report source from a journal file, or from the run history by run id. Mistakes (no
 * such file or run, not a journal) are usage errors.
 */
export async function loadReportSource(ref: string, db: string): Promise<ReportSource> {
  if (existsSync(ref) && statSync(ref).isFile()) {
    try {
      return journalSource(await readExperimentJournal(ref));
    } catch (error) {
      if (isExperimentJournalError(error)) {
        throw new UsageError(error.message, 'pass a journal written by faultline run, or a run id');
      }
      throw error;
    }
  }
  if (/\.(json|ya?ml)$/i.test(ref) || ref.includes('/')) {
    throw new UsageError(
      `no such file: ${ref}`,
      'pass a journal file or a run id from faultline history',
    );
  }
  const history = openHistory(db);
  try {
    const record = history.get(ref);
    if (record === undefined) {
      throw new UsageError(
        `no journal file or run with id "${ref}"`,
        `faultline history --db ${db} lists the run ids`,
      );
    }
    return recordSource(history, record);
  } finally {
    history.close();
  }
}

/** Loads a failure-mode catalog, its problems as a usage error. */
export async function loadCatalogFile(
  path: string,
): Promise<Awaited<ReturnType<typeof loadFailureModes>>> {
  if (!existsSync(path)) {
    throw new UsageError(
      `no failure-mode catalog at ${path}`,
      'pass --file <path>; the example system has one in examples/ecommerce/failure-modes.yaml',
    );
  }
  try {
    return await loadFailureModes(path);
  } catch (error) {
    if (isExperimentFileError(error)) {
      throw new UsageError(error.message, 'fix the catalog file and run again');
    }
    throw error;
  }
}

/** Renders the reliability report in a format. */
export function renderReliabilityReport(
  input: ReliabilityReportInput,
  format: ReportFormat,
): string {
  if (format === 'html') return renderReliabilityReportHtml(input);
  if (format === 'json') return `${JSON.stringify(buildReliabilityReport(input), null, 2)}\n`;
  return renderReliabilityReportMarkdown(input);
}

/** The reliability report's input for a report source. */
export function reliabilityInput(
  source: ReportSource,
  failureModes?: readonly FailureModeInput[],
): ReliabilityReportInput {
  return {
    system: source.system,
    seed: source.seed,
    metrics: source.metrics,
    experiments: source.results,
    ...(failureModes === undefined ? {} : { failureModes }),
  };
}

/** What `faultline report` accepts. */
export interface ReportCommandConfig {
  output: string;
  format: ReportFormat;
  db: string;
  failureModes: string;
}

const flags: FlagTable<ReportCommandConfig> = {
  output: {
    flag: '--output <path>',
    description: 'write the report to this file (atomically)',
    defaultDescription: 'print it',
  },
  format: {
    flag: '--format <format>',
    description: 'md, html (self-contained page with charts) or json',
    parse: parse.oneOf(reportFormats),
    defaultDescription: 'by --output extension, else md',
  },
  db: {
    flag: '--db <path>',
    description: 'run history to read run ids from',
    defaultDescription: defaultHistoryPath,
  },
  failureModes: {
    flag: '--failure-modes <file>',
    description: 'failure-mode catalog: high-priority modes not shown to be handled become risks',
  },
};

/** Registers `faultline report`. */
export function registerReport(program: Command, { io }: CliContext): void {
  const command = program
    .command('report')
    .argument('<journal-or-run-id>', 'an experiment journal file, or a run id from the history')
    .description('render the reliability report of a stored experiment journal or history entry')
    .addHelpText(
      'after',
      `
Examples:
  faultline report .faultline/journals/experiment-tool-server-down-2026-11-25T19-30-00Z-7f3a.json
  faultline report experiment-tool-server-down-2026-11-25T19-30-00Z-7f3a --format html --output report.html
  faultline report ecommerce-demo-2026-11-25T19-30-00Z --failure-modes failure-modes.yaml
`,
    );
  addFlags(command, flags).action(async (ref: string) => {
    const config = readFlags(command, flags);
    const source = await loadReportSource(ref, config.db ?? defaultHistoryPath);
    const failureModes =
      config.failureModes === undefined
        ? undefined
        : (await loadCatalogFile(config.failureModes)).failureModes;
    const format = formatOf(config.format, config.output);
    const text = renderReliabilityReport(reliabilityInput(source, failureModes), format);
    if (config.output === undefined) {
      io.stdout(text);
      return;
    }
    await writeFileAtomic(config.output, text);
    io.stdout(`Wrote the reliability report to ${config.output}\n`);
  });
}
