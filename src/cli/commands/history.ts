import type { Command } from 'commander';
import { RunHistory, defaultHistoryPath, type RunSummary } from '../../store/index.ts';
import { addFlags, parse, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext } from '../main.ts';
import { UsageError } from '../usage-error.ts';

/** What `faultline history` accepts. */
export interface HistoryCommandConfig {
  db: string;
  name: string;
  limit: number;
  compare: string[];
  json: boolean;
}

const flags: FlagTable<HistoryCommandConfig> = {
  db: {
    flag: '--db <path>',
    description: 'history database',
    defaultDescription: defaultHistoryPath,
  },
  name: {
    flag: '--name <name>',
    description: 'only runs of this scenario, experiment or campaign',
  },
  limit: {
    flag: '--limit <n>',
    description: 'most recent runs to list',
    parse: parse.integer(1),
    defaultDescription: '20',
  },
  compare: {
    flag: '--compare <before,after>',
    description: 'compare the headline numbers of two runs by id',
    parse: parse.list(),
  },
  json: { flag: '--json', description: 'print JSON instead of a table' },
};

const format = (value: number | undefined): string =>
  value === undefined ? '–' : Number.isInteger(value) ? String(value) : value.toFixed(3);

/** Registers `faultline history`. */
export function registerHistory(program: Command, { io }: CliContext): void {
  const command = program
    .command('history')
    .description('list stored runs, or compare two of them')
    .addHelpText(
      'after',
      `\nExamples:\n  faultline history --name ToolServerDown --limit 5\n  faultline history --compare <before-id>,<after-id>\n`,
    );
  addFlags(command, flags).action(() => {
    const config = readFlags(command, flags);
    const history = RunHistory.open(config.db ?? defaultHistoryPath);
    try {
      if (config.compare !== undefined) {
        const [before, after, ...rest] = config.compare;
        if (before === undefined || after === undefined || rest.length > 0) {
          throw new UsageError(
            '--compare takes exactly two run ids',
            'faultline history --compare <before>,<after>',
          );
        }
        const rows = history.compare(before, after);
        if (config.json === true) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
        else {
          io.stdout(`metric                         before       after        delta\n`);
          for (const row of rows) {
            io.stdout(
              `${row.metric.padEnd(30)} ${format(row.before).padStart(10)}  ${format(row.after).padStart(10)}  ${format(row.delta).padStart(10)}\n`,
            );
          }
        }
        return;
      }
      const runs = history.list({
        ...(config.name === undefined ? {} : { name: config.name }),
        limit: config.limit ?? 20,
      });
      if (config.json === true) {
        io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
        return;
      }
      if (runs.length === 0) {
        io.stdout(
          `No runs stored in ${history.path} yet; run \`faultline demo\` or \`faultline run\` first.\n`,
        );
        return;
      }
      io.stdout(printTable(runs));
    } finally {
      history.close();
    }
  });
}

function printTable(runs: RunSummary[]): string {
  const lines = [
    `${'id'.padEnd(44)} ${'kind'.padEnd(10)} ${'name'.padEnd(28)} ${'status'.padEnd(7)} ${'seed'.padEnd(12)} started`,
  ];
  for (const run of runs) {
    lines.push(
      `${run.id.padEnd(44)} ${run.kind.padEnd(10)} ${run.name.padEnd(28)} ${run.status.padEnd(7)} ${run.seed.padEnd(12)} ${new Date(run.startedAt).toISOString()}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
