import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** Why a request could not become a fetch `Request`. */
export type InvalidRequestReason = 'method' | 'target';

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * Whether the request body streams to the handler as `Request.body` (for every method but
   * `GET` and `HEAD`); the handler enforces any size limit. Otherwise the handler sees no body.
   * Either way, a request whose body was not read to the end is answered with
   * `Connection: close`, so nothing unread lingers on the socket.
   * @default false
   */
  readBody?: boolean | undefined;
  /**
   * Whether `Request.signal` aborts when the client goes away, so a long-lived response (an
   * event stream) stops producing.
   * @default false
   */
  abortOnClose?: boolean | undefined;
  /**
   * How the response body is sent: `'stream'` writes chunks as they come, with backpressure, and
   * cancels the body when the client goes away; `'buffer'` reads it whole and sends it with a
   * `Content-Length`.
   * @default 'stream'
   */
  responseBody?: 'stream' | 'buffer' | undefined;
  /**
   * The answer to a request that cannot become a fetch `Request`: a method fetch forbids
   * (`CONNECT`, `TRACE`, `TRACK`; reason `'method'`) or a target that is no URL (`'target'`).
   * @default a plain-text 405 for a forbidden method, 400 for a bad target
   */
  invalidRequest?: ((method: string, reason: InvalidRequestReason) => Response) | undefined;
}

const forbiddenMethods = new Set(['CONNECT', 'TRACE', 'TRACK']);

function defaultInvalidRequest(_method: string, reason: InvalidRequestReason): Response {
  const status = reason === 'method' ? 405 : 400;
  return new Response(`${status}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // A value Node's parser let through but fetch's Headers refuses: no handler needs it.
    }
  }
  return headers;
}

function toRequest(
  req: IncomingMessage,
  method: string,
  readBody: boolean,
  signal: AbortSignal | undefined,
): Request | undefined {
  const target = req.url ?? '/';
  // An origin-form target stays a path: `//x` is not an authority here.
  const url = target.startsWith('/') ? `http://localhost${target}` : target;
  const init: RequestInit = { method, headers: toHeaders(req) };
  if (signal !== undefined) init.signal = signal;
  if (readBody && method !== 'GET' && method !== 'HEAD') {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  try {
    return new Request(url, init);
  } catch {
    return undefined;
  }
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function streamBody(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  const cancel = (): void => {
    reader.cancel().catch(() => undefined);
  };
  res.once('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await waitForDrain(res);
    }
  } finally {
    res.off('close', cancel);
    if (res.destroyed) cancel();
    else res.end();
  }
}

async function serve(
  handler: (request: Request) => Promise<Response>,
  options: NodeListenerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let signal: AbortSignal | undefined;
  if (options.abortOnClose === true) {
    const aborted = new AbortController();
    res.once('close', () => {
      aborted.abort();
    });
    signal = aborted.signal;
  }
  const method = req.method ?? 'GET';
  const invalid = options.invalidRequest ?? defaultInvalidRequest;
  let response: Response;
  if (forbiddenMethods.has(method.toUpperCase())) {
    response = invalid(method, 'method');
  } else {
    const request = toRequest(req, method, options.readBody === true, signal);
    response = request === undefined ? invalid(method, 'target') : await handler(request);
  }
  const buffered =
    options.responseBody === 'buffer' ? Buffer.from(await response.arrayBuffer()) : undefined;
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (!req.complete) {
    // A body was refused, ignored or read part-way: answer, then close instead of reading on.
    headers['connection'] = 'close';
    res.once('finish', () => req.socket.destroy());
  }
  if (buffered !== undefined) {
    if (buffered.length > 0 || response.status !== 204) {
      headers['content-length'] = String(buffered.length);
    }
    res.writeHead(response.status, headers);
    res.end(buffered);
    return;
  }
  res.writeHead(response.status, headers);
  const body = response.body;
  if (body === null) res.end();
  else await streamBody(body as ReadableStream<Uint8Array>, res);
}

/**
 * Mounts a web-standard handler on `node:http`: `http.createServer(toNodeListener(handler))`.
 * The request's target is resolved against `http://localhost`; its headers are copied (values
 * fetch refuses are dropped). A handler that throws gets a bare 500 and a closed connection.
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options: NodeListenerOptions = {},
): RequestListener {
  return (req, res) => {
    serve(handler, options, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      }
      res.end();
    });
  };
}
