import type { RequestListener } from 'node:http';
import { toNodeListener as toCoreNodeListener } from '../core/node-listener.ts';
import { dashboardSecurityHeaders, type DashboardHandler } from './dashboard-handler.ts';

// CONNECT, TRACE and the like cannot even become a Request, so the handler never sees them.
function refuse(method: string): Response {
  const upper = method.toUpperCase();
  const status = upper === 'GET' || upper === 'HEAD' ? 400 : 405;
  return new Response(`${status}\n`, {
    status,
    headers: {
      ...dashboardSecurityHeaders,
      'content-type': 'text/plain; charset=utf-8',
      allow: 'GET, HEAD',
      connection: 'close',
    },
  });
}

/**
 * Mounts a {@link DashboardHandler} on `node:http`: `http.createServer(toNodeListener(handler))`.
 * Response bodies stream (the event stream stays open); when the client goes away the body is
 * cancelled and the request's signal aborts, so the handler stops sending to it. The handler
 * never reads a body (it refuses every method that could carry one), so none is passed on.
 */
export function toNodeListener(handler: DashboardHandler): RequestListener {
  return toCoreNodeListener(handler, { abortOnClose: true, invalidRequest: refuse });
}
