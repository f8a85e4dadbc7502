import type { Command } from 'commander';
import { runMcpProxy } from '../../mcp/index.ts';
import { addFlags, parse, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext } from '../main.ts';
import { UsageError } from '../usage-error.ts';

/** What `faultline mcp-proxy` accepts (the upstream command comes after `--`). */
export interface McpProxyCommandConfig {
  config: string;
  seed: string;
  upstreamUrl: string;
  header: string[];
  maxRestarts: number;
  restartDelayMs: number;
  quiet: boolean;
}

const checkHeader = (raw: string, flag: string): string[] => {
  if (!/^[^:\s]+:\s*.*$/.test(raw)) {
    throw new UsageError(`${flag} must look like "Name: value", got "${raw}"`);
  }
  return [raw];
};

const flags: FlagTable<McpProxyCommandConfig> = {
  config: { flag: '--config <file>', description: 'faults to inject (YAML or JSON)' },
  seed: { flag: '--seed <seed>', description: 'seed that replays the same injections' },
  upstreamUrl: {
    flag: '--upstream-url <url>',
    description: 'proxy a Streamable HTTP server instead of a command',
  },
  header: {
    flag: '--header <header>',
    description: 'HTTP header for the upstream URL, "Name: value" (repeatable)',
    parse: checkHeader,
    repeatable: true,
  },
  maxRestarts: {
    flag: '--max-restarts <n>',
    description: 'restart a crashed upstream at most n times',
    parse: parse.integer(0),
    defaultDescription: '0',
  },
  restartDelayMs: {
    flag: '--restart-delay-ms <ms>',
    description: 'wait before restarting a crashed upstream',
    parse: parse.duration,
  },
  quiet: { flag: '--quiet', description: 'do not log injections to stderr' },
};

/** Registers `faultline mcp-proxy`. */
export function registerMcpProxy(program: Command, context: CliContext): void {
  const command = program
    .command('mcp-proxy')
    .description('run an MCP server behind a chaos proxy on stdio')
    .argument('[command...]', 'the command that starts the MCP server (after --)')
    .addHelpText(
      'after',
      `\nExamples:\n  faultline mcp-proxy --config faults.yaml -- npx @modelcontextprotocol/server-memory\n  faultline mcp-proxy --upstream-url http://127.0.0.1:3001/mcp --seed 7\n\nInjections are logged to stderr; stdout carries the protocol. SIGUSR2 trips the kill switch.\n`,
    );
  addFlags(command, flags).action(async (upstreamCommand: string[]) => {
    const config = readFlags(command, flags);
    if (upstreamCommand.length === 0 && config.upstreamUrl === undefined) {
      throw new UsageError(
        'no MCP server to proxy',
        'give the command after --, e.g. faultline mcp-proxy -- node server.js, or use --upstream-url',
      );
    }
    if (upstreamCommand.length > 0 && config.upstreamUrl !== undefined) {
      throw new UsageError('give either a command after -- or --upstream-url, not both');
    }
    const headers = Object.fromEntries(
      (config.header ?? []).map((h) => {
        const at = h.indexOf(':');
        return [h.slice(0, at).trim(), h.slice(at + 1).trim()];
      }),
    );
    const exit = await runMcpProxy({
      ...(config.config === undefined ? {} : { config: config.config }),
      ...(config.seed === undefined ? {} : { seed: config.seed }),
      ...(config.upstreamUrl === undefined ? {} : { upstreamUrl: config.upstreamUrl, headers }),
      ...(upstreamCommand.length === 0 ? {} : { command: upstreamCommand }),
      ...(config.maxRestarts === undefined ? {} : { maxRestarts: config.maxRestarts }),
      ...(config.restartDelayMs === undefined ? {} : { restartDelayMs: config.restartDelayMs }),
      ...(config.quiet === true ? { quiet: true } : {}),
    });
    if (exit.exitCode !== 0) context.io.stderr(`faultline mcp-proxy: ${exit.detail}\n`);
    context.exitCode = exit.exitCode;
    // An HTTP upstream's sockets may linger for seconds; the proxy is done.
    context.exitNow = true;
  });
}
