import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../core/index.ts';
import {
  buildFailureModeCatalog,
  renderFailureModeCatalogHtml,
  renderFailureModeCatalogMarkdown,
  type ExperimentResultInput,
  type FailureModeCatalogInput,
} from '../../reports/index.ts';
import { defaultHistoryPath } from '../../store/index.ts';
import { addFlags, parse, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext } from '../main.ts';
import {
  formatOf,
  loadCatalogFile,
  loadReportSource,
  openHistory,
  recordSource,
  reportFormats,
  type ReportFormat,
} from './report.ts';

/** What `faultline catalog` accepts. */
export interface CatalogCommandConfig {
  file: string;
  run: string[];
  db: string;
  output: string;
  format: ReportFormat;
}

const defaultCatalogFile = 'failure-modes.yaml';

const flags: FlagTable<CatalogCommandConfig> = {
  file: {
    flag: '--file <path>',
    description: 'the failure-mode catalog (YAML or JSON) you maintain',
    defaultDescription: defaultCatalogFile,
  },
  run: {
    flag: '--run <ids>',
    description: 'fill it from these runs only: run ids or journal files, comma-separated',
    parse: parse.list(),
    defaultDescription: 'the latest run of each experiment and scenario in the history',
  },
  db: {
    flag: '--db <path>',
    description: 'run history to read results from',
    defaultDescription: defaultHistoryPath,
  },
  output: {
    flag: '--output <path>',
    description: 'write the catalog to this file (atomically)',
    defaultDescription: 'print it',
  },
  format: {
    flag: '--format <format>',
    description: 'md, html (self-contained page with the priority matrix) or json',
    parse: parse.oneOf(reportFormats),
    defaultDescription: 'by --output extension, else md',
  },
};

/** The latest result of each experiment and scenario in the history (none when there is none). */
function latestResults(db: string): ExperimentResultInput[] {
  if (!existsSync(db)) return [];
  const history = openHistory(db);
  try {
    const seen = new Set<string>();
    const results: ExperimentResultInput[] = [];
    for (const entry of history.list({ limit: 500 })) {
      if (entry.kind === 'run') continue;
      const record = history.get(entry.id);
      if (record === undefined) continue;
      // Scenario entries of a campaign carry their own results; the campaign entry only repeats them.
      if (record.kind === 'campaign' && record.parentId === undefined) continue;
      for (const result of recordSource(history, record).results) {
        if (seen.has(result.id)) continue;
        seen.add(result.id);
        results.push(result);
      }
    }
    return results;
  } finally {
    history.close();
  }
}

/** Registers `faultline catalog`. */
export function registerCatalog(program: Command, { io }: CliContext): void {
  const command = program
    .command('catalog')
    .description(
      'render the failure-mode catalog with the current handling of each mode filled from experiment and scenario results, sorted by priority (likelihood × impact)',
    )
    .addHelpText(
      'after',
      `
Examples:
  faultline catalog --file examples/ecommerce/failure-modes.yaml
  faultline catalog --run experiment-tool-server-down-2026-11-25T19-30-00Z-7f3a --format html --output catalog.html
  faultline catalog --run .faultline/journals/a.json,.faultline/journals/b.json --format json
`,
    );
  addFlags(command, flags).action(async () => {
    const config = readFlags(command, flags);
    const db = config.db ?? defaultHistoryPath;
    const catalog = await loadCatalogFile(config.file ?? defaultCatalogFile);
    const results: ExperimentResultInput[] = [];
    if (config.run === undefined) results.push(...latestResults(db));
    else for (const ref of config.run) results.push(...(await loadReportSource(ref, db)).results);
    const input: FailureModeCatalogInput = {
      title: catalog.title,
      system: catalog.system,
      failureModes: catalog.failureModes,
      results,
    };
    const format = formatOf(config.format, config.output);
    const text =
      format === 'html'
        ? renderFailureModeCatalogHtml(input)
        : format === 'json'
          ? `${JSON.stringify(buildFailureModeCatalog(input), null, 2)}\n`
          : renderFailureModeCatalogMarkdown(input);
    if (config.output === undefined) {
      io.stdout(text);
      return;
    }
    await writeFileAtomic(config.output, text);
    const built = buildFailureModeCatalog(input);
    io.stdout(
      `Wrote the failure-mode catalog to ${config.output}: ${String(built.entries.length)} failure modes, ${String(built.results.matched)} of ${String(built.results.total)} results matched\n`,
    );
  });
}
