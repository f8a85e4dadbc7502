import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertInteger, invalidOption } from '../core/index.ts';
import {
  createDashboardHandler,
  type DashboardHandler,
  type DashboardHandlerOptions,
} from './dashboard-handler.ts';
import { toNodeListener } from './node-listener.ts';

/** Port `faultline dashboard` listens on unless told otherwise. */
export const DEFAULT_DASHBOARD_PORT = 8475;

/** Options of {@link startDashboard}: where to listen, plus the handler's options. */
export interface DashboardOptions extends DashboardHandlerOptions {
  /**
   * Interface to listen on. Anything but loopback exposes the run history to the network.
   * @default '127.0.0.1'
   */
  host?: string | undefined;
  /**
   * Port to listen on; 0 picks a free one (see {@link DashboardServer.url}). The CLI uses
   * {@link DEFAULT_DASHBOARD_PORT}.
   * @default 0
   */
  port?: number | undefined;
}

/** A running dashboard. */
export interface DashboardServer {
  /** Where the page is, e.g. `http://127.0.0.1:8475/`. */
  readonly url: string;
  readonly host: string;
  /** The port actually bound. */
  readonly port: number;
  /** The handler the server runs (to serve the same dashboard elsewhere). */
  readonly handler: DashboardHandler;
  /** Ends the event streams, closes every connection and stops listening. */
  close(): Promise<void>;
}

const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Serves the dashboard over HTTP, on loopback by default: the page, its assets, the JSON API and
 * the live event stream (see {@link createDashboardHandler}). On loopback, requests whose `Host`
 * is not a loopback name are refused, which defeats DNS rebinding.
 *
 * @example
 * ```ts
 * const history = RunHistory.open();
 * const feed = new LiveFeed();
 * const dashboard = await startDashboard({ history, live: feed, port: 8475 });
 * console.log(`dashboard at ${dashboard.url}`);
 * // ... run the campaign, publishing to `feed` ...
 * await dashboard.close();
 * history.close();
 * ```
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.trim() === '') {
    invalidOption('startDashboard', 'host', host, 'a host name or IP address');
  }
  const requestedPort = assertInteger('startDashboard', 'port', options.port ?? 0, 0);
  if (requestedPort > 65_535) {
    invalidOption('startDashboard', 'port', requestedPort, 'an integer from 0 to 65535');
  }
  const bracketed = host.includes(':') ? `[${host}]` : host;
  const allowedHosts =
    options.allowedHosts ??
    (isLoopback(host) ? [...new Set([...loopbackNames, bracketed])] : undefined);
  const handler = createDashboardHandler({ ...options, allowedHosts });
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(requestedPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${bracketed}:${port}/`,
    host,
    port,
    handler,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        handler.close();
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
