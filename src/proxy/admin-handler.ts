import { randomSeeded, realClock, type Clock, type Random } from '../core/index.ts';
import { assertInteger } from '../core/options.ts';
import { ProxyApiError, isProxyApiError } from './api-error.ts';
import { toxicJson } from './chaos-proxy.ts';
import type {
  ProxyInput,
  ProxyJson,
  ProxyUpdate,
  ToxicInput,
  ToxicUpdate,
} from './client/types.ts';
import { silentProxyLogger, type ProxyLogger } from './logger.ts';
import type { ProxyRegistry } from './proxy-registry.ts';

/** The admin API as a web-standard handler: no socket needed to call it. */
export type AdminHandler = (request: Request) => Promise<Response>;

/** Options of {@link createAdminHandler}. */
export interface AdminHandlerOptions {
  /**
   * Largest request body accepted, in bytes; larger ones get 413.
   * @default 1_048_576
   */
  bodyLimit?: number;
  /**
   * What `GET /version` reports.
   * @default '2.12.0+faultline'
   */
  version?: string;
  /**
   * Receives unexpected errors (as `error` entries).
   * @default silentProxyLogger
   */
  logger?: ProxyLogger;
  /** Time source of request ids. @default realClock */
  clock?: Clock;
  /** Randomness of request ids. @default randomSeeded() */
  random?: Random;
}

/** Default body limit of the admin API: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The version `GET /version` reports by default: Toxiproxy's API level, plus who serves it. */
export const PROXY_API_VERSION = '2.12.0+faultline';

type Params = readonly string[];
type RouteHandler = (request: Request, params: Params) => Response | Promise<Response>;

interface Route {
  /** Path segments; `*` captures one segment. */
  readonly pattern: readonly string[];
  /** Method → handler; `ANY` matches every method. */
  readonly methods: Readonly<Record<string, RouteHandler>>;
}

const JSON_TYPE = 'application/json';

function matchRoute(
  routes: readonly Route[],
  segments: readonly string[],
): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (route.pattern.length !== segments.length) continue;
    const params: string[] = [];
    let ok = true;
    for (let i = 0; i < segments.length; i++) {
      const want = route.pattern[i] as string;
      const got = segments[i] as string;
      if (want === '*') {
        if (got === '') {
          ok = false;
          break;
        }
        params.push(got);
      } else if (want !== got) {
        ok = false;
        break;
      }
    }
    if (ok) return { route, params };
  }
  return undefined;
}

/** Reads a body as UTF-8 text, refusing more than `limit` bytes (413). */
export async function readBodyLimited(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    throw new ProxyApiError('bodyTooLarge', `limit is ${limit} bytes`);
  }
  const body = request.body;
  if (body === null) return '';
  const reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(noop);
      throw new ProxyApiError('bodyTooLarge', `limit is ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function noop(): void {
  // Nothing to do.
}

async function readJson(request: Request, limit: number): Promise<unknown> {
  const text = await readBodyLimited(request, limit);
  if (text.trim() === '') throw new ProxyApiError('badRequestBody', 'EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProxyApiError(
      'badRequestBody',
      error instanceof Error ? error.message : 'invalid JSON',
    );
  }
}

/**
 * The Toxiproxy-compatible admin API over a {@link ProxyRegistry}, as a
 * `(Request) => Promise<Response>` function: mount it on `node:http` with
 * {@link toNodeListener}, or call it directly in tests.
 *
 * Routes (Toxiproxy's): `GET|POST /proxies`, `POST /populate`, `GET|POST|PATCH|DELETE
 * /proxies/{proxy}`, `GET|POST /proxies/{proxy}/toxics`, `GET|POST|PATCH|DELETE
 * /proxies/{proxy}/toxics/{toxic}`, `POST /reset`, `GET /version`, `/metrics`. Statuses: 201 on
 * proxy creation and `/populate`, 200 on toxic creation, 204 on deletes and `/reset`; errors
 * `{"error","status"}` as `text/plain` (see {@link proxyApiErrors}). Every response carries
 * `X-Toxiproxy-Request-Id`; a `Mozilla/` user agent gets 403.
 *
 * @example
 * ```ts
 * const handler = createAdminHandler(new ProxyRegistry());
 * const res = await handler(new Request('http://x/proxies'));
 * ```
 */
export function createAdminHandler(
  registry: ProxyRegistry,
  options: AdminHandlerOptions = {},
): AdminHandler {
  const limit = assertInteger(
    'createAdminHandler',
    'bodyLimit',
    options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    1,
  );
  const version = options.version ?? PROXY_API_VERSION;
  const logger = options.logger ?? silentProxyLogger;
  const clock = options.clock ?? realClock;
  const random = options.random ?? randomSeeded();
  const idPrefix = random
    .int(0, 32 ** 4 - 1)
    .toString(32)
    .padStart(4, '0');
  let counter = 0;
  const requestId = (): string =>
    `${Math.floor(clock.now() / 1000)
      .toString(32)
      .padStart(8, '0')
      .slice(-8)}${idPrefix}${(counter++ % 32 ** 8).toString(32).padStart(8, '0')}`;

  const json = (status: number, value: unknown): Response =>
    new Response(JSON.stringify(value), { status, headers: { 'content-type': JSON_TYPE } });
  const empty = (status: number): Response => new Response(null, { status });
  const proxyJson = (name: string): ProxyJson => registry.get(name).toJSON();

  const routes: Route[] = [
    {
      pattern: ['reset'],
      methods: {
        POST: async () => {
          await registry.reset();
          return empty(204);
        },
      },
    },
    {
      pattern: ['proxies'],
      methods: {
        GET: () => {
          const all: Record<string, ProxyJson> = {};
          for (const proxy of registry.list()) all[proxy.name] = proxy.toJSON();
          return json(200, all);
        },
        POST: async (request) => {
          const body = await readJson(request, limit);
          const proxy = await registry.create(body as ProxyInput);
          return json(201, proxy.toJSON());
        },
      },
    },
    {
      pattern: ['populate'],
      methods: {
        POST: async (request) => {
          // Toxiproxy answers /populate errors as JSON with the proxies done so far.
          try {
            const body = await readJson(request, limit);
            const { proxies, error } = await registry.populate(body as ProxyInput[]);
            const list = proxies.map((p) => p.toJSON());
            if (error === undefined) return json(201, { proxies: list });
            return json(error.status, { ...error.toJSON(), proxies: list });
          } catch (error) {
            if (!isProxyApiError(error) || error.kind === 'bodyTooLarge') throw error;
            return json(error.status, { ...error.toJSON(), proxies: [] });
          }
        },
      },
    },
    {
      pattern: ['proxies', '*'],
      methods: {
        GET: (_, [name]) => json(200, proxyJson(name as string)),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: async (_, [name]) => {
          await registry.remove(name as string);
          return empty(204);
        },
      },
    },
    {
      pattern: ['proxies', '*', 'toxics'],
      methods: {
        GET: (_, [name]) => json(200, registry.get(name as string).toxicsJson()),
        POST: async (request, [name]) => {
          registry.get(name as string);
          const body = await readJson(request, limit);
          return json(200, toxicJson(registry.addToxic(name as string, body as ToxicInput)));
        },
      },
    },
    {
      pattern: ['proxies', '*', 'toxics', '*'],
      methods: {
        GET: (_, [name, toxic]) =>
          json(200, toxicJson(registry.get(name as string).toxic(toxic as string))),
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: (_, [name, toxic]) => {
          registry.removeToxic(name as string, toxic as string);
          return empty(204);
        },
      },
    },
    {
      pattern: ['version'],
      methods: {
        GET: () =>
          new Response(`{"version": ${JSON.stringify(version)}}\n`, {
            status: 200,
            headers: { 'content-type': 'application/json;charset=utf-8' },
          }),
      },
    },
    {
      pattern: ['metrics'],
      methods: {
        ANY: () =>
          new Response(registry.metrics(), {
            status: 200,
            headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
          }),
      },
    },
  ];

  async function updateProxy(request: Request, [name]: Params): Promise<Response> {
    registry.get(name as string);
    const body = await readJson(request, limit);
    const proxy = await registry.update(name as string, body as ProxyUpdate);
    return json(200, proxy.toJSON());
  }

  async function updateToxic(request: Request, [name, toxic]: Params): Promise<Response> {
    registry.get(name as string).toxic(toxic as string);
    const body = await readJson(request, limit);
    return json(
      200,
      toxicJson(registry.updateToxic(name as string, toxic as string, body as ToxicUpdate)),
    );
  }

  function errorResponse(error: ProxyApiError): Response {
    switch (error.bodyForm) {
      case 'empty':
        return empty(error.status);
      case 'message':
        return new Response(`${error.message}\n`, {
          status: error.status,
          headers: {
            'content-type': 'text/plain; charset=utf-8',
            'x-content-type-options': 'nosniff',
          },
        });
      case 'json':
        return new Response(`${JSON.stringify(error.toJSON())}\n`, {
          status: error.status,
          headers: {
            'content-type': 'text/plain; charset=utf-8',
            'x-content-type-options': 'nosniff',
          },
        });
    }
  }

  async function route(request: Request): Promise<Response> {
    if ((request.headers.get('user-agent') ?? '').startsWith('Mozilla/')) {
      throw new ProxyApiError('browserForbidden');
    }
    const path = new URL(request.url).pathname;
    if (!path.startsWith('/')) throw new ProxyApiError('routeNotFound');
    let segments: string[];
    try {
      segments = path.slice(1).split('/').map(decodeURIComponent);
    } catch {
      throw new ProxyApiError('badRequestPath', 'malformed percent-encoding');
    }
    const match = matchRoute(routes, segments);
    if (match === undefined) throw new ProxyApiError('routeNotFound');
    const handler = match.route.methods[request.method] ?? match.route.methods['ANY'];
    if (handler === undefined) throw new ProxyApiError('methodNotAllowed');
    return handler(request, match.params);
  }

  return async (request) => {
    let response: Response;
    try {
      response = await route(request);
    } catch (error) {
      if (isProxyApiError(error)) {
        response = errorResponse(error);
      } else {
        logger({
          level: 'error',
          message: 'Admin API request failed',
          error: error instanceof Error ? error.message : String(error),
        });
        response = errorResponse(
          new ProxyApiError('internal', error instanceof Error ? error.message : undefined),
        );
      }
    }
    response.headers.set('x-toxiproxy-request-id', requestId());
    return response;
  };
}
