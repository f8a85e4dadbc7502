import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isInvalidOptionError } from '../core/index.ts';
import { registerDashboard } from './commands/dashboard.ts';
import { registerDemo } from './commands/demo.ts';
import { registerHistory } from './commands/history.ts';
import { registerMcpProxy } from './commands/mcp-proxy.ts';
import { registerProxy } from './commands/proxy.ts';
import { registerRun } from './commands/run.ts';
import { registerReport } from './commands/report.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerReplay } from './commands/replay.ts';
import { registerScenarios } from './commands/scenarios.ts';
import { UsageError } from './usage-error.ts';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdout is a terminal (progress bars instead of plain lines). */
  isTty: boolean;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stdout.isTTY,
};

/** What every command gets: where to write, and where to leave its exit code. */
export interface CliContext {
  readonly io: CliIo;
  /** 0 unless the command sets it (1: a hypothesis or check failed). */
  exitCode: number;
  /** Set by commands after which the process must end even if handles linger. */
  exitNow: boolean;
}

/** Builds the `faultline` command tree. */
export function createProgram(context: CliContext): Command {
  const { io } = context;
  const program = new Command('faultline')
    .description('Chaos engineering and resilience for TypeScript AI agent systems.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  registerDemo(program, context);
  registerRun(program, context);
  registerReport(program, context);
  registerCatalog(program, context);
  registerScenarios(program, context);
  registerReplay(program, context);
  registerHistory(program, context);
  registerDashboard(program, context);
  registerProxy(program, context);
  registerMcpProxy(program, context);
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

/**
 * Runs the CLI and returns its exit code: 0 success, 1 a hypothesis or check failed, 2 a usage
 * mistake, 3 an unexpected error.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return (await execute(argv, io)).exitCode;
}

/** Runs the CLI as the `faultline` process: sets the exit code, or exits when a command asks. */
export async function runAsProcess(argv: readonly string[]): Promise<void> {
  // `faultline … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const context = await execute(argv, processIo);
  if (context.exitNow) process.exit(context.exitCode);
  process.exitCode = context.exitCode;
}

async function execute(argv: readonly string[], io: CliIo): Promise<CliContext> {
  const context: CliContext = { io, exitCode: 0, exitNow: false };
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message (and help) for usage mistakes
      context.exitCode = error.exitCode === 0 ? 0 : 2;
      return context;
    }
    if (error instanceof UsageError || isInvalidOptionError(error)) {
      io.stderr(`faultline: ${(error as Error).message}\n`);
      if (error instanceof UsageError && error.hint !== undefined)
        io.stderr(`  hint: ${error.hint}\n`);
      context.exitCode = 2;
      return context;
    }
    const verbose = argv.includes('--verbose');
    io.stderr(
      `faultline: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (verbose && error instanceof Error && error.stack !== undefined)
      io.stderr(`${error.stack}\n`);
    else io.stderr('  hint: run again with --verbose for details\n');
    context.exitCode = 3;
    return context;
  }
}
