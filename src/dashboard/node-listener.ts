import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { dashboardSecurityHeaders, type DashboardHandler } from './dashboard-handler.ts';

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // A value Node's parser let through but fetch's Headers refuses: no route needs it.
    }
  }
  return headers;
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

async function serve(
  handler: DashboardHandler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const aborted = new AbortController();
  res.once('close', () => {
    aborted.abort();
  });
  let request: Request;
  try {
    // The handler never reads a body: it refuses every method that could carry one.
    request = new Request(new URL(req.url ?? '/', 'http://localhost'), {
      method: req.method ?? 'GET',
      headers: toHeaders(req),
      signal: aborted.signal,
    });
  } catch {
    // CONNECT, TRACE and the like cannot even become a Request.
    const method = (req.method ?? '').toUpperCase();
    const status = method === 'GET' || method === 'HEAD' ? 400 : 405;
    res.writeHead(status, {
      ...dashboardSecurityHeaders,
      'content-type': 'text/plain; charset=utf-8',
      allow: 'GET, HEAD',
      connection: 'close',
    });
    res.end(`${status}\n`);
    return;
  }
  const response = await handler(request);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (!req.complete) {
    // A request body was sent and left unread: answer, then close instead of reading it.
    headers['connection'] = 'close';
    res.once('finish', () => req.socket.destroy());
  }
  res.writeHead(response.status, headers);
  const body = response.body;
  if (body === null) {
    res.end();
    return;
  }
  const reader = (body as ReadableStream<Uint8Array>).getReader();
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

/**
 * Mounts a {@link DashboardHandler} on `node:http`: `http.createServer(toNodeListener(handler))`.
 * Response bodies stream (the event stream stays open); when the client goes away the body is
 * cancelled and the request's signal aborts, so the handler stops sending to it.
 */
export function toNodeListener(handler: DashboardHandler): RequestListener {
  return (req, res) => {
    serve(handler, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      }
      res.end();
    });
  };
}
