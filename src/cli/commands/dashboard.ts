import type { Command } from 'commander';
import { DEFAULT_DASHBOARD_PORT, startDashboard } from '../../dashboard/index.ts';
import { RunHistory, defaultHistoryPath } from '../../store/index.ts';
import { addFlags, parse, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext } from '../main.ts';
import { checkBindAddress, serveUntilSignal } from '../serve-until-signal.ts';

/** What `faultline dashboard` accepts. */
export interface DashboardCommandConfig {
  host: string;
  port: number;
  db: string;
  allowRemote: boolean;
}

/** The flags of every command that serves something: host, port, remote access. */
export const dashboardFlags: FlagTable<DashboardCommandConfig> = {
  host: {
    flag: '--host <address>',
    description: 'address to bind',
    defaultDescription: '127.0.0.1',
  },
  port: {
    flag: '--port <port>',
    description: 'port to listen on (0 picks a free one)',
    parse: parse.integer(0),
    defaultDescription: String(DEFAULT_DASHBOARD_PORT),
  },
  db: {
    flag: '--db <path>',
    description: 'run history to show',
    defaultDescription: defaultHistoryPath,
  },
  allowRemote: {
    flag: '--allow-remote',
    description: 'allow binding an address other than loopback',
  },
};

/** Registers `faultline dashboard`. */
export function registerDashboard(program: Command, { io }: CliContext): void {
  const command = program
    .command('dashboard')
    .description('serve the dashboard: run history and trends (live during `run --dashboard`)')
    .addHelpText(
      'after',
      '\nExamples:\n  faultline dashboard\n  faultline dashboard --port 9000 --db ci/history.db\n',
    );
  addFlags(command, dashboardFlags).action(async () => {
    const config = readFlags(command, dashboardFlags);
    const host = config.host ?? '127.0.0.1';
    checkBindAddress(host, config.allowRemote);
    const history = RunHistory.open(config.db ?? defaultHistoryPath);
    const server = await startDashboard({
      host,
      port: config.port ?? DEFAULT_DASHBOARD_PORT,
      history,
    });
    io.stdout(`faultline dashboard on ${server.url} (Ctrl-C to stop)\n`);
    await serveUntilSignal(io, async () => {
      await server.close();
      history.close();
    });
  });
}
