/**
 * The chaos suite's harness: real HTTP servers on loopback, the faultline proxy in front of them,
 * a service in a child process that can be killed and restarted, and a driver that moves a
 * `VirtualClock` only while no real I/O is in flight (so that a virtual deadline never fires in
 * the middle of a real request).
 *
 * Every server binds port 0 on 127.0.0.1; every `start…` returns a `close()` for `afterEach`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRandom, type Clock, type VirtualClock } from '../../src/core/index.ts';
import {
  ProxyClient,
  startProxyServer,
  type ChaosProxy,
  type ProxyServer,
} from '../../src/proxy/index.ts';

/** Real milliseconds since some fixed point (the harness may read the real clock). */
export const realNow = (): number => performance.now();

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Yields to the event loop until `condition` holds; fails after `timeoutMs` of real time. It
 * never sleeps a fixed time: it returns on the first turn the condition holds.
 */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = realNow() + timeoutMs;
  while (!condition()) {
    if (realNow() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await macrotask();
  }
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, got a result');
}

/** How a call ended; taken at once, so that a rejection is never left unhandled meanwhile. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Error & { cause?: unknown } };

/** Settles `promise` into an {@link Outcome} (attaching handlers now). */
export function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error: error as Error }),
  );
}

/** The error of an outcome that must have failed. */
export async function failed(
  pending: Promise<Outcome<unknown>>,
): Promise<Error & { cause?: unknown }> {
  const result = await pending;
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** The value of an outcome that must have succeeded. */
export async function succeeded<T>(pending: Promise<Outcome<T>>): Promise<T> {
  const result = await pending;
  if (!result.ok) throw result.error;
  return result.value;
}

/** The system error code of a failed request: the error's own or its cause's (`fetch`). */
export function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

// --- in-process HTTP service ---------------------------------------------------------------

/** One request as the server saw it. */
export interface ServedRequest {
  readonly method: string;
  readonly path: string;
  /** Body bytes received. */
  readonly bytes: number;
  /** False when the client's request stopped short (connection dropped mid-request). */
  readonly complete: boolean;
  /** Real time of arrival (`realNow()`). */
  readonly at: number;
}

export type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A real `node:http` server on 127.0.0.1 that records every request and TCP connection. */
export interface HttpService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Requests in arrival order (complete ones when handled, incomplete ones when aborted). */
  readonly requests: ServedRequest[];
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  /** Replaces the route (the behaviour of the service) from now on. */
  route(route: Route): void;
  close(): Promise<void>;
}

const okJson: Route = (req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: true, path: req.url ?? '' }));
};

/**
 * Starts the service. Every response carries `Connection: close`, so each request uses its own
 * TCP connection: connection counts at the server and the proxy are then exact.
 */
export async function startHttpService(route: Route = okJson): Promise<HttpService> {
  let current = route;
  const requests: ServedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((req, res) => {
    const at = realNow();
    let body = '';
    let bytes = 0;
    let done = false;
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      bytes += Buffer.byteLength(chunk);
    });
    req.on('end', () => {
      done = true;
      requests.push({ method: req.method ?? '?', path: req.url ?? '', bytes, complete: true, at });
      res.setHeader('connection', 'close');
      current(req, res, body);
    });
    req.on('close', () => {
      if (!done) {
        requests.push({
          method: req.method ?? '?',
          path: req.url ?? '',
          bytes,
          complete: false,
          at,
        });
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    route(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

// --- the faultline proxy ---------------------------------------------------------------------

/** A faultline proxy server (admin API + proxies) on a free loopback port. */
export interface ProxyHarness {
  readonly server: ProxyServer;
  /** The Toxiproxy-compatible admin API, through its client. */
  readonly api: ProxyClient;
  /** Creates a proxy to `upstreamPort` and returns its URL and the proxy object. */
  proxyTo(
    name: string,
    upstreamPort: number,
    options?: { http?: boolean },
  ): Promise<{ url: string; proxy: ChaosProxy }>;
  close(): Promise<void>;
}

/**
 * Starts the proxy. With a `VirtualClock`, every toxic's wait (latency, connect delay, slow
 * first byte, timeout) is a timer on that clock: a 5 s latency costs no real time, and the test
 * decides exactly when it elapses.
 */
export async function startProxy(
  options: { clock?: Clock; seed?: string } = {},
): Promise<ProxyHarness> {
  const server = await startProxyServer({
    port: 0,
    random: createRandom(options.seed ?? 'chaos-suite'),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const api = new ProxyClient(server.url);
  return {
    server,
    api,
    async proxyTo(name, upstreamPort, proxyOptions = {}) {
      const json = await api.createProxy({
        name,
        upstream: `127.0.0.1:${upstreamPort}`,
        ...(proxyOptions.http === true ? { http: true } : {}),
      });
      return { url: `http://${json.listen}`, proxy: server.registry.get(name) };
    },
    close: () => server.close(),
  };
}

// --- virtual time over real I/O --------------------------------------------------------------

/** Counts real I/O in flight, so that virtual time can wait for it. */
export class InFlight {
  #pending = 0;

  get pending(): number {
    return this.#pending;
  }

  /** Runs `io`, counted as in flight until it settles. */
  track<T>(io: () => Promise<T>): Promise<T> {
    this.#pending++;
    return io().finally(() => {
      this.#pending--;
    });
  }
}

/**
 * Like `clock.run(work)`, except that time never moves while `io` has real I/O in flight: it
 * waits for the I/O to settle, lets the program react, and only then fires the next timer.
 * Use it when every real call completes without help from a virtual timer (no proxy toxic on
 * the same clock); otherwise drive the clock step by step.
 */
export async function driveVirtualTime<T>(
  clock: VirtualClock,
  work: Promise<T>,
  io: InFlight,
  timeoutMs = 15_000,
): Promise<T> {
  const state = { settled: false };
  const mark = (): void => {
    state.settled = true;
  };
  work.then(mark, mark);
  const deadline = realNow() + timeoutMs;
  for (;;) {
    await macrotask();
    if (state.settled) return work;
    if (realNow() > deadline)
      throw new Error(`driveVirtualTime: work still pending after ${timeoutMs} ms`);
    if (io.pending > 0 || clock.peek() === undefined) continue;
    await clock.next();
  }
}

// --- a service in a child process ------------------------------------------------------------

/** A line the child service printed: what it did, in its own words. */
export interface ServiceEvent {
  readonly event: 'listening' | 'request' | 'draining' | 'closed';
  readonly port?: number;
  readonly path?: string;
  /** Requests handled by this process so far (its own count). */
  readonly n?: number;
  /** The `x-sent-at` header of the request (the client's virtual time), if any. */
  readonly sentAt?: number;
}

/**
 * The service program. Routes: `GET /work` answers `{ ok, pid, n }`; `GET /stats` answers its
 * counts `{ n, paths }` (not counted itself); `GET /hold` does not
 * answer until the process is asked to stop (SIGTERM), then answers `{ drained: true }`;
 * `POST /mode` with `{"fail": true}` makes every other route answer 503 (after counting the
 * request), `{"fail": false}` heals it. SIGTERM is a graceful stop: stop accepting, finish the
 * requests in flight, exit 0. Every request handled is printed as a JSON line.
 */
const serviceProgram = String.raw`
import { createServer } from 'node:http';
let n = 0;
let failing = false;
const paths = {};
const held = new Set();
const log = (entry) => process.stdout.write(JSON.stringify(entry) + '\n');
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const path = (req.url ?? '').split('?')[0];
    res.setHeader('connection', 'close');
    res.setHeader('content-type', 'application/json');
    if (path === '/stats') {
      res.end(JSON.stringify({ n, paths }));
      return;
    }
    if (req.method === 'POST' && path === '/mode') {
      failing = JSON.parse(body).fail === true;
      res.end(JSON.stringify({ failing }));
      return;
    }
    n++;
    paths[path] = (paths[path] ?? 0) + 1;
    const sentAt = req.headers['x-sent-at'] === undefined ? undefined : Number(req.headers['x-sent-at']);
    log({ event: 'request', path, n, sentAt });
    if (failing) {
      res.statusCode = 503;
      res.end(JSON.stringify({ error: 'unavailable', pid: process.pid, n }));
    } else if (path === '/hold') {
      held.add(res);
    } else {
      res.end(JSON.stringify({ ok: true, pid: process.pid, n }));
    }
  });
});
server.listen(0, '127.0.0.1', () => log({ event: 'listening', port: server.address().port }));
process.on('SIGTERM', () => {
  log({ event: 'draining', n });
  server.close(() => {
    log({ event: 'closed', n });
    process.exit(0);
  });
  for (const res of held) res.end(JSON.stringify({ drained: true, pid: process.pid }));
  held.clear();
});
`;

/** A running service process. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** Everything it printed, parsed, in order. */
  readonly events: ServiceEvent[];
  /** Requests it has reported so far on stdout (may lag a response by a moment). */
  requests(path?: string): number;
  /**
   * Requests it has handled, as it counts them (`GET /stats`); also waits until its stdout has
   * caught up, so that `events` is complete. Only while it runs; after `exited`, use `requests`.
   */
  handled(path?: string): Promise<number>;
  /** Resolves when it has exited and its output is closed, with how it exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it with SIGKILL (if still running) and waits for the exit. */
  stop(): Promise<void>;
}

/** Spawns the service (`process.execPath`) and resolves once it listens. */
export async function spawnService(): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', serviceProgram], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: ServiceEvent[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line !== '') events.push(JSON.parse(line) as ServiceEvent);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const state = { alive: true };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      state.alive = false;
      resolve({ code, signal });
    });
  });
  await waitFor(
    () => !state.alive || events.some((e) => e.event === 'listening'),
    'the service to listen',
  );
  if (!state.alive) throw new Error(`the service did not start: ${stderr}`);
  const port = events.find((e) => e.event === 'listening')?.port as number;
  const requests = (path?: string): number =>
    events.filter((e) => e.event === 'request' && (path === undefined || e.path === path)).length;
  return {
    child,
    pid: child.pid as number,
    port,
    url: `http://127.0.0.1:${port}`,
    events,
    requests,
    async handled(path) {
      const res = await fetch(`http://127.0.0.1:${port}/stats`);
      const stats = (await res.json()) as { n: number; paths: Record<string, number> };
      await waitFor(() => requests() >= stats.n, 'the service log to catch up');
      return path === undefined ? stats.n : (stats.paths[path] ?? 0);
    },
    exited,
    async stop() {
      if (state.alive) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Switches the service process into (or out of) failing mode: every call then answers 503. */
export async function setFailing(service: ServiceProcess, fail: boolean): Promise<void> {
  const res = await fetch(`${service.url}/mode`, {
    method: 'POST',
    body: JSON.stringify({ fail }),
  });
  await res.json();
}

/** Thrown by {@link getJson} for an HTTP error status (what a client library would throw). */
export class HttpStatusError extends Error {
  readonly status: number;

  constructor(status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpStatusError';
    this.status = status;
  }
}

/** GETs `url` with the global `fetch`; rejects with {@link HttpStatusError} on a 4xx/5xx. */
export async function getJson(
  url: string,
  init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<unknown> {
  const res = await fetch(url, init);
  if (!res.ok) {
    await res.body?.cancel();
    throw new HttpStatusError(res.status);
  }
  return res.json();
}

/**
 * GETs `url` with `node:http` on a connection of its own (`agent: false`): one call is exactly
 * one TCP connection, so connection counts are exact. Rejects with the socket's error
 * (`ECONNREFUSED`, `ECONNRESET`, ...), the signal's reason on abort, or {@link HttpStatusError}.
 */
export function httpGetJson(
  url: string,
  init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const options = {
      agent: false as const,
      ...(init.signal === undefined ? {} : { signal: init.signal }),
      ...(init.headers === undefined ? {} : { headers: init.headers }),
    };
    const req = httpRequest(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', reject);
      res.on('close', () => {
        // Cut short (connection dropped before the body was complete): never a partial value.
        if (!res.complete)
          reject(Object.assign(new Error('response incomplete'), { code: 'ERR_INCOMPLETE' }));
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 400) reject(new HttpStatusError(status));
        else {
          try {
            resolve(JSON.parse(body));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }
      });
    });
    req.on('error', (error) => {
      reject(init.signal?.aborted === true ? (init.signal.reason as Error) : error);
    });
    req.end();
  });
}
