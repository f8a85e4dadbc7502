import type { RequestListener } from 'node:http';
import { toNodeListener as toCoreNodeListener } from '../core/node-listener.ts';
import type { InvalidRequestReason } from '../core/node-listener.ts';
import type { AdminHandler } from './admin-handler.ts';

let fallbackIds = 0;

function refuse(_method: string, reason: InvalidRequestReason): Response {
  const requestId = `adapter${String(fallbackIds++).padStart(13, '0')}`;
  if (reason === 'method') {
    return new Response(null, { status: 405, headers: { 'x-toxiproxy-request-id': requestId } });
  }
  return new Response('400 Bad Request\n', {
    status: 400,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-toxiproxy-request-id': requestId },
  });
}

/**
 * Mounts an {@link AdminHandler} on `node:http`: `http.createServer(toNodeListener(handler))`.
 * The request body streams to the handler, which enforces its size limit; a request whose body
 * was not read to the end gets `Connection: close`, so nothing unread lingers on the socket.
 * Responses are sent whole, with a `Content-Length`.
 */
export function toNodeListener(handler: AdminHandler): RequestListener {
  return toCoreNodeListener(handler, {
    readBody: true,
    responseBody: 'buffer',
    invalidRequest: refuse,
  });
}
