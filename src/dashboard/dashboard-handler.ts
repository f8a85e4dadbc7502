import { assertInteger, assertPositiveNumber, realClock, type Clock } from '../core/index.ts';
import { AssetCache, dashboardAssets } from './assets.ts';
import { historyView, type HistoryReader } from './history-view.ts';
import { LiveBroadcast } from './live-broadcast.ts';
import type { LiveSnapshot, LiveSource } from './live-snapshot.ts';

/**
 * The dashboard as a web-standard handler: no socket needed to call it. `close()` ends every
 * open event stream.
 */
export interface DashboardHandler {
  (request: Request): Promise<Response>;
  /** Ends every open event stream and stops listening to the live source. */
  close(): void;
}

/** Options of {@link createDashboardHandler}. */
export interface DashboardHandlerOptions {
  /** Live data of a running campaign or experiment; without it the page shows history only. */
  live?: LiveSource | undefined;
  /** Run history for the runs table and the trends; without it the page shows live data only. */
  history?: HistoryReader | undefined;
  /**
   * Time source of the update throttle and the heartbeats.
   * @default realClock
   */
  clock?: Clock | undefined;
  /**
   * Least time between two live updates sent to a page, in ms (100: at most 10 a second).
   * @default 100
   */
  minUpdateIntervalMs?: number | undefined;
  /**
   * Time between two heartbeat comments on an idle event stream, in ms.
   * @default 15_000
   */
  heartbeatMs?: number | undefined;
  /**
   * Host names (without port) accepted in the `Host` header, which defeats DNS rebinding
   * against a server on loopback; `undefined` accepts any.
   * @default undefined
   */
  allowedHosts?: readonly string[] | undefined;
}

/** What `GET /api/snapshot` answers. */
export interface DashboardSnapshot {
  /** `null` when the dashboard has no live source. */
  readonly live: LiveSnapshot | null;
  /** Whether `GET /api/history` has a history to read. */
  readonly historyAvailable: boolean;
}

/**
 * Every error the dashboard answers with: its status and message. The body is
 * `{"error": "<message>[: <detail>]", "status": <status>}`.
 */
export const dashboardErrors = {
  badQuery: { status: 400, message: 'bad query parameter' },
  bodyNotAccepted: { status: 400, message: 'request bodies are not accepted' },
  hostNotAllowed: { status: 403, message: 'host not allowed' },
  notFound: { status: 404, message: 'not found' },
  methodNotAllowed: { status: 405, message: 'method not allowed (the dashboard is read-only)' },
  internal: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

/** Names of the dashboard's errors (keys of {@link dashboardErrors}). */
export type DashboardErrorKind = keyof typeof dashboardErrors;

/**
 * Headers on every response: only this origin may supply scripts, styles, images and
 * connections; no framing, no sniffing, no referrer.
 */
export const dashboardSecurityHeaders: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
});

const ALLOW = 'GET, HEAD';
const MAX_HISTORY_LIMIT = 1_000;

function headers(extra: Record<string, string>): Headers {
  return new Headers({ ...dashboardSecurityHeaders, ...extra });
}

function errorResponse(kind: DashboardErrorKind, detail?: string, extra = {}): Response {
  const { status, message } = dashboardErrors[kind];
  const error = detail === undefined ? message : `${message}: ${detail}`;
  return new Response(`${JSON.stringify({ error, status })}\n`, {
    status,
    headers: headers({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...extra,
    }),
  });
}

function jsonResponse(value: unknown, head: boolean): Response {
  return new Response(head ? null : `${JSON.stringify(value)}\n`, {
    status: 200,
    headers: headers({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    }),
  });
}

function hostName(host: string): string {
  // `[::1]:8475` → `[::1]`; `localhost:8475` → `localhost`.
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

function hasBody(request: Request): boolean {
  const length = request.headers.get('content-length');
  return (
    request.body !== null ||
    request.headers.has('transfer-encoding') ||
    (length !== null && length.trim() !== '0')
  );
}

/**
 * Builds the dashboard's handler. Routes (all `GET` or `HEAD`; every other method gets 405):
 *
 * | path                        | answers                                                      |
 * | --------------------------- | ------------------------------------------------------------ |
 * | `/`                         | the page                                                     |
 * | `/assets/app.js`, `/assets/style.css`, `/assets/chart.umd.min.js` | its script, styles and Chart.js |
 * | `/api/snapshot`             | {@link DashboardSnapshot}                                    |
 * | `/api/history?name&limit`   | {@link HistoryView}                                          |
 * | `/api/events`               | server-sent events: `snapshot` (a {@link LiveSnapshot} or `null`) at most every `minUpdateIntervalMs`, `: heartbeat` comments |
 *
 * @example
 * ```ts
 * const handler = createDashboardHandler({ live: feed, history: RunHistory.open() });
 * const response = await handler(new Request('http://127.0.0.1/api/snapshot'));
 * ```
 */
export function createDashboardHandler(options: DashboardHandlerOptions = {}): DashboardHandler {
  const owner = 'dashboard';
  const minIntervalMs = assertPositiveNumber(
    owner,
    'minUpdateIntervalMs',
    options.minUpdateIntervalMs ?? 100,
  );
  const heartbeatMs = assertInteger(owner, 'heartbeatMs', options.heartbeatMs ?? 15_000, 1);
  const allowedHosts =
    options.allowedHosts === undefined
      ? undefined
      : new Set(options.allowedHosts.map((host) => host.toLowerCase()));
  const { live, history } = options;
  const assets = new AssetCache(dashboardAssets());
  const broadcast = new LiveBroadcast({
    live,
    clock: options.clock ?? realClock,
    minIntervalMs,
    heartbeatMs,
    retryMs: 2_000,
  });

  const route = async (request: Request, path: string, head: boolean): Promise<Response> => {
    switch (path) {
      case '/api/snapshot': {
        const body: DashboardSnapshot = {
          live: live === undefined ? null : live.snapshot(),
          historyAvailable: history !== undefined,
        };
        return jsonResponse(body, head);
      }
      case '/api/history': {
        const params = new URL(request.url).searchParams;
        const rawLimit = params.get('limit');
        const limit = rawLimit === null ? 50 : Number(rawLimit);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT || rawLimit === '') {
          return errorResponse(
            'badQuery',
            `limit must be an integer from 1 to ${MAX_HISTORY_LIMIT}, got "${rawLimit ?? ''}"`,
          );
        }
        const name = params.get('name');
        return jsonResponse(
          historyView(history, name === null || name === '' ? { limit } : { name, limit }),
          head,
        );
      }
      case '/api/events':
        return new Response(head ? null : broadcast.open(request.signal), {
          status: 200,
          headers: headers({
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            'x-accel-buffering': 'no',
          }),
        });
      default: {
        const asset = assets.get(path);
        if (asset === undefined) return errorResponse('notFound', path);
        const body = await asset.body;
        return new Response(head ? null : body, {
          status: 200,
          headers: headers({
            'content-type': asset.type,
            'content-length': String(body.byteLength),
            'cache-control': 'no-cache',
          }),
        });
      }
    }
  };

  const handler = async (request: Request): Promise<Response> => {
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      return errorResponse('methodNotAllowed', method, { allow: ALLOW });
    }
    if (allowedHosts !== undefined) {
      const host = hostName(request.headers.get('host') ?? new URL(request.url).host);
      if (!allowedHosts.has(host)) return errorResponse('hostNotAllowed', host);
    }
    if (hasBody(request)) return errorResponse('bodyNotAccepted');
    try {
      return await route(request, new URL(request.url).pathname, method === 'HEAD');
    } catch (error) {
      return errorResponse('internal', error instanceof Error ? error.message : String(error));
    }
  };
  return Object.assign(handler, {
    close: () => {
      broadcast.close();
    },
  });
}
