import type { Command } from 'commander';
import { createRandom } from '../../core/index.ts';
import { isProxyConfigError, startProxyServer, type ProxyLogEntry } from '../../proxy/index.ts';
import { addFlags, parse, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext } from '../main.ts';
import { checkBindAddress, serveUntilSignal } from '../serve-until-signal.ts';
import { UsageError } from '../usage-error.ts';

/** What `faultline proxy` accepts. */
export interface ProxyCommandConfig {
  host: string;
  port: number;
  config: string;
  allowRemote: boolean;
  seed: string;
  json: boolean;
}

const flags: FlagTable<ProxyCommandConfig> = {
  host: {
    flag: '--host <address>',
    description: 'address of the admin API',
    defaultDescription: '127.0.0.1',
  },
  port: {
    flag: '--port <port>',
    description: 'port of the admin API',
    parse: parse.integer(0),
    defaultDescription: '8474',
  },
  config: {
    flag: '--config <file>',
    description: "proxies to create at start (Toxiproxy's JSON format, toxics allowed)",
  },
  allowRemote: {
    flag: '--allow-remote',
    description: 'allow binding the API or a proxy to an address other than loopback',
  },
  seed: { flag: '--seed <seed>', description: 'seed for toxicity draws, for reproducible runs' },
  json: { flag: '--json', description: 'log JSON lines instead of text' },
};

function formatEntry(entry: ProxyLogEntry): string {
  const { level, message, ...fields } = entry;
  const details = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${level.toUpperCase().padEnd(5)} ${message}${details === '' ? '' : ` ${details}`}\n`;
}

/** Registers `faultline proxy`. */
export function registerProxy(program: Command, { io }: CliContext): void {
  const command = program
    .command('proxy')
    .description('run the TCP/HTTP chaos proxy with a Toxiproxy-compatible admin API')
    .addHelpText(
      'after',
      `\nExamples:\n  faultline proxy\n  faultline proxy --port 8474 --config proxies.json\n\nExisting Toxiproxy clients work unchanged against http://127.0.0.1:8474.\n`,
    );
  addFlags(command, flags).action(async () => {
    const config = readFlags(command, flags);
    const host = config.host ?? '127.0.0.1';
    checkBindAddress(host, config.allowRemote);
    const json = config.json === true;
    try {
      const server = await startProxyServer({
        host,
        port: config.port ?? 8474,
        ...(config.config === undefined ? {} : { config: config.config }),
        allowRemote: config.allowRemote === true,
        ...(config.seed === undefined ? {} : { random: createRandom(config.seed) }),
        logger: (entry) => {
          io.stderr(json ? `${JSON.stringify(entry)}\n` : formatEntry(entry));
        },
      });
      io.stdout(`faultline proxy: admin API on ${server.url} (Ctrl-C to stop)\n`);
      await serveUntilSignal(io, () => server.close());
    } catch (error) {
      if (isProxyConfigError(error))
        throw new UsageError(error.message, 'fix the config file and start again');
      throw error;
    }
  });
}
