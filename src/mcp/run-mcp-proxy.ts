import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { invalidOption, type Seed } from '../core/index.ts';
import type { ChaosConfig } from '../faults/index.ts';
import { LineTransport } from './line-transport.ts';
import { loadMcpProxyConfig, type McpRestartPolicy } from './mcp-chaos-config.ts';
import { McpChaosProxy, type McpProxyExit } from './mcp-chaos-proxy.ts';
import { httpUpstream, stdioUpstream } from './upstreams.ts';

/**
 * Options of {@link runMcpProxy}; each is meant to be a flag of `faultline mcp-proxy`:
 *
 * ```
 * faultline mcp-proxy [--config faults.json] [--seed 42] [--max-restarts 3]
 *   [--restart-delay-ms 500] [--quiet] -- node server.js
 * faultline mcp-proxy --config faults.json --upstream-url http://127.0.0.1:3001/mcp
 * ```
 */
export interface McpProxyRunOptions {
  /**
   * `--config`: path of a faults file (YAML or JSON): a chaos
   * config plus an optional `restart` policy. See `loadMcpProxyConfig`.
   * @default undefined (use `chaos`, else no faults)
   */
  readonly config?: string;
  /**
   * A chaos config from code, used when `config` is absent.
   * @default undefined
   */
  readonly chaos?: ChaosConfig;
  /**
   * `--seed`: overrides the config's seed, to replay a run.
   * @default the config's seed, else a fresh one (logged)
   */
  readonly seed?: Seed;
  /**
   * The command after `--`: the stdio MCP server to spawn and its arguments.
   * @default undefined (then `upstreamUrl` is required)
   */
  readonly command?: readonly string[];
  /**
   * `--upstream-url`: a Streamable HTTP MCP server to proxy instead of a command.
   * @default undefined
   */
  readonly upstreamUrl?: string;
  /**
   * `--header 'Name: value'`: headers for `upstreamUrl`.
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * `--max-restarts`: how many times an exited upstream server is restarted (overrides the
   * file's `restart.maxRestarts`).
   * @default the file's, else 0
   */
  readonly maxRestarts?: number;
  /**
   * `--restart-delay-ms`: wait before a restart (overrides the file's `restart.delayMs`).
   * @default the file's, else 0
   */
  readonly restartDelayMs?: number;
  /**
   * `--quiet`: no log lines on stderr.
   * @default false
   */
  readonly quiet?: boolean;
  /**
   * Where the client's messages come from.
   * @default process.stdin
   */
  readonly stdin?: Readable;
  /**
   * Where the protocol goes (nothing else is ever written there).
   * @default process.stdout
   */
  readonly stdout?: Writable;
  /**
   * Where log lines go.
   * @default process.stderr
   */
  readonly stderr?: Writable;
  /**
   * Aborting it ends the proxy.
   * @default undefined
   */
  readonly signal?: AbortSignal;
}

const owner = 'mcp-proxy';

/**
 * Runs the MCP chaos proxy on stdio until the session ends: the client (an agent, an IDE, the
 * SDK's `StdioClientTransport`) starts this process instead of the real server; the proxy
 * spawns the server (or connects to `upstreamUrl`) and injects the configured faults. On the
 * process's own stdio it also handles SIGINT/SIGTERM (ends the proxy) and SIGUSR2 (trips the
 * kill switch). Resolves with how it ended; exit the process with its `exitCode` (the upstream
 * HTTP client may keep sockets alive for a few seconds otherwise).
 *
 * @example
 * ```ts
 * const { exitCode } = await runMcpProxy({ config: 'faults.json', command: ['node', 'server.js'] });
 * process.exit(exitCode);
 * ```
 */
export async function runMcpProxy(options: McpProxyRunOptions): Promise<McpProxyExit> {
  const command = options.command;
  const url = options.upstreamUrl;
  if ((command === undefined || command.length === 0) === (url === undefined)) {
    invalidOption(
      owner,
      'command',
      command,
      "a server command (after '--') or an upstream URL (--upstream-url), not both",
    );
  }
  if (command !== undefined && command.some((part) => typeof part !== 'string')) {
    invalidOption(owner, 'command', command, 'an array of strings');
  }
  const file = options.config === undefined ? undefined : await loadMcpProxyConfig(options.config);
  let chaos: ChaosConfig = file?.chaos ?? options.chaos ?? { faults: [] };
  if (options.seed !== undefined) chaos = { ...chaos, seed: options.seed };
  const restart: McpRestartPolicy = {
    ...(file?.restart ?? {}),
    ...(options.maxRestarts === undefined ? {} : { maxRestarts: options.maxRestarts }),
    ...(options.restartDelayMs === undefined ? {} : { delayMs: options.restartDelayMs }),
  };
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const onProcessStdio = stdin === process.stdin;
  const client = new LineTransport({
    input: stdin,
    output: stdout,
    endOutputOnClose: stdout !== process.stdout,
  });
  const [program, ...args] = command ?? [];
  const upstream: () => Transport =
    program === undefined
      ? () =>
          httpUpstream({
            url: url as string,
            ...(options.headers ? { headers: options.headers } : {}),
          })
      : () => stdioUpstream({ command: program, args });
  const proxy = new McpChaosProxy({
    client,
    upstream,
    chaos,
    restart,
    log:
      options.quiet === true
        ? false
        : (line) => {
            if (!stderr.destroyed) stderr.write(`[faultline mcp-proxy] ${line}\n`);
          },
    site: program === undefined ? { url: url as string } : { command: command?.join(' ') ?? '' },
  });
  const cleanups: (() => void)[] = [];
  const listen = (signal: NodeJS.Signals, handler: () => void): void => {
    process.on(signal, handler);
    cleanups.push(() => process.off(signal, handler));
  };
  if (onProcessStdio) {
    listen('SIGINT', () => void proxy.close());
    listen('SIGTERM', () => void proxy.close());
    listen('SIGUSR2', () => {
      proxy.scope.killSwitch.trip('SIGUSR2 received');
    });
  }
  if (options.signal !== undefined) {
    const signal = options.signal;
    const abort = (): void => void proxy.close();
    signal.addEventListener('abort', abort, { once: true });
    cleanups.push(() => {
      signal.removeEventListener('abort', abort);
    });
  }
  const finish = (): void => {
    for (const cleanup of cleanups) cleanup();
    if (onProcessStdio) process.stdin.destroy();
  };
  try {
    await proxy.start();
  } catch (error) {
    finish();
    throw error;
  }
  if (options.signal?.aborted === true) void proxy.close();
  const exit = await proxy.closed;
  finish();
  return exit;
}
