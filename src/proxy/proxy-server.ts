import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import {
  InvalidOptionError,
  randomSeeded,
  realClock,
  type Clock,
  type Random,
} from '../core/index.ts';
import { formatHostPort, isLoopbackHost } from './address.ts';
import { createAdminHandler, DEFAULT_BODY_LIMIT, type AdminHandler } from './admin-handler.ts';
import { loadProxyConfig } from './config.ts';
import { silentProxyLogger, type ProxyLogger } from './logger.ts';
import { toNodeListener } from './node-adapter.ts';
import { ProxyRegistry, type ProxyRegistryOptions } from './proxy-registry.ts';

/**
 * Options of {@link startProxyServer}. The CLI's `faultline proxy` flags mirror them:
 * `--host`, `--port`, `--config`, `--allow-remote`.
 */
export interface ProxyServerOptions {
  /**
   * Address the admin API binds. Anything but loopback needs `allowRemote`.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Port of the admin API (0 picks a free one; see {@link ProxyServer.port}).
   * @default 8474
   */
  port?: number;
  /**
   * A config file to load at start: Toxiproxy's JSON format (an array of `{name, listen,
   * upstream, enabled}`), where each proxy may also have `http` and `toxics`.
   * @default undefined (start empty)
   */
  config?: string;
  /**
   * Allow the admin API and the proxies to bind non-loopback addresses. The API can open
   * sockets anywhere and is unauthenticated, hence the explicit switch.
   * @default false
   */
  allowRemote?: boolean;
  /**
   * Receives every proxy and toxic change, and upstream trouble.
   * @default silentProxyLogger
   */
  logger?: ProxyLogger;
  /**
   * Largest admin API request body, in bytes.
   * @default 1_048_576
   */
  bodyLimit?: number;
  /**
   * Time source of the toxics.
   * @default realClock
   */
  clock?: Clock;
  /**
   * Seeded randomness of toxicity draws, jitter and slicing (same seed, same connection order:
   * same draws).
   * @default randomSeeded()
   */
  random?: Random;
  /**
   * How proxies bind their listeners (tests substitute a fake).
   * @default netBinder
   * @internal
   */
  bind?: ProxyRegistryOptions['bind'];
}

/** A running proxy server: the admin API plus its proxies. */
export interface ProxyServer {
  /** Base URL of the admin API, e.g. `http://127.0.0.1:8474`. */
  readonly url: string;
  readonly host: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** The proxies, for use from code. */
  readonly registry: ProxyRegistry;
  /** The admin API as a handler (what the HTTP server serves). */
  readonly handler: AdminHandler;
  /** Stops accepting, closes every proxy and connection, and the admin API. Idempotent. */
  close(): Promise<void>;
  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the chaos proxy server: a Toxiproxy-compatible admin API (default
 * `127.0.0.1:8474`) managing named TCP/HTTP proxies and their toxics.
 *
 * @example
 * ```ts
 * const server = await startProxyServer({ port: 0 });
 * const redis = await server.registry.create({ name: 'redis', upstream: '127.0.0.1:6379' });
 * server.registry.addToxic('redis', { type: 'latency', attributes: { latency: 100 } });
 * // point the client at redis.listen ...
 * await server.close();
 * ```
 */
export async function startProxyServer(options: ProxyServerOptions = {}): Promise<ProxyServer> {
  const owner = 'startProxyServer';
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') {
    throw new InvalidOptionError(`${owner}: option 'host' must be a non-empty string`, {
      owner,
      option: 'host',
      value: host,
      expected: 'a non-empty string',
    });
  }
  const port = options.port ?? 8474;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionError(
      `${owner}: option 'port' must be an integer from 0 to 65535, got ${String(port)}`,
      { owner, option: 'port', value: port, expected: 'an integer from 0 to 65535' },
    );
  }
  const allowRemote = options.allowRemote ?? false;
  if (!allowRemote && !isLoopbackHost(host)) {
    throw new InvalidOptionError(
      `${owner}: option 'host' must be a loopback address unless 'allowRemote' is set, got ${JSON.stringify(host)}`,
      { owner, option: 'host', value: host, expected: 'a loopback address (or allowRemote: true)' },
    );
  }
  const logger = options.logger ?? silentProxyLogger;
  const clock = options.clock ?? realClock;
  const random = options.random ?? randomSeeded();
  const registry = new ProxyRegistry({
    clock,
    random: random.fork('proxies'),
    logger,
    allowRemote,
    ...(options.bind === undefined ? {} : { bind: options.bind }),
  });
  const handler = createAdminHandler(registry, {
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    logger,
    clock,
    random: random.fork('request-ids'),
  });

  if (options.config !== undefined) {
    try {
      const count = await loadProxyConfig(registry, options.config);
      logger({
        level: 'info',
        message: 'Populated proxies from file',
        config: options.config,
        proxies: count,
      });
    } catch (error) {
      await registry.close();
      throw error;
    }
  }

  const server: Server = createServer(
    {
      requestTimeout: 30_000,
      headersTimeout: 15_000,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16_384,
    },
    toNodeListener(handler),
  );
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(
        { host: host === 'localhost' ? '127.0.0.1' : host, port, exclusive: true },
        () => {
          server.off('error', reject);
          resolve();
        },
      );
    });
  } catch (error) {
    await registry.close();
    throw error;
  }
  const address = server.address();
  const boundHost = address !== null && typeof address === 'object' ? address.address : host;
  const boundPort = address !== null && typeof address === 'object' ? address.port : port;
  const url = `http://${formatHostPort(boundHost, boundPort)}`;
  logger({ level: 'info', message: 'Started admin API', url });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      for (const socket of sockets) socket.destroy();
      await registry.close();
      await stopped;
      logger({ level: 'info', message: 'Stopped admin API', url });
    })());

  return {
    url,
    host: boundHost,
    port: boundPort,
    registry,
    handler,
    close,
    [Symbol.asyncDispose]: close,
  };
}
