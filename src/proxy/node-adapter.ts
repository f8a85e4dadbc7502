import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { AdminHandler } from './admin-handler.ts';

const forbiddenMethods = new Set(['CONNECT', 'TRACE', 'TRACK']);
let fallbackIds = 0;

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // A value Node's parser let through but fetch's Headers refuses: the API never needs it.
    }
  }
  return headers;
}

async function serve(
  handler: AdminHandler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  let response: Response;
  if (forbiddenMethods.has(method)) {
    response = new Response(null, {
      status: 405,
      headers: { 'x-toxiproxy-request-id': `adapter${String(fallbackIds++).padStart(13, '0')}` },
    });
  } else {
    const target = req.url ?? '/';
    const url = target.startsWith('/') ? `http://localhost${target}` : target;
    let request: Request | undefined;
    try {
      const hasBody = method !== 'GET' && method !== 'HEAD';
      request = new Request(url, {
        method,
        headers: toHeaders(req),
        body: hasBody ? Readable.toWeb(req) : null,
        duplex: 'half',
      });
    } catch {
      request = undefined;
    }
    response =
      request === undefined
        ? new Response('400 Bad Request\n', {
            status: 400,
            headers: {
              'content-type': 'text/plain; charset=utf-8',
              'x-toxiproxy-request-id': `adapter${String(fallbackIds++).padStart(13, '0')}`,
            },
          })
        : await handler(request);
  }
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (!req.complete) {
    // The body was refused or ignored part-way: don't read the rest, close after answering.
    headers['connection'] = 'close';
    res.once('finish', () => req.socket.destroy());
  }
  if (body.length > 0 || response.status !== 204) headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * Mounts an {@link AdminHandler} on `node:http`: `http.createServer(toNodeListener(handler))`.
 * The request body streams to the handler, which enforces its size limit; a request whose body
 * was not read to the end gets `Connection: close`, so nothing unread lingers on the socket.
 */
export function toNodeListener(handler: AdminHandler): RequestListener {
  return (req, res) => {
    serve(handler, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      }
      res.end();
    });
  };
}
