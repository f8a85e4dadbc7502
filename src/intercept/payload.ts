import { STATUS_CODES } from 'node:http';
import { isHttpStatusError } from '../faults/index.ts';

/** Applies a transform to text and returns text (a non-string result is serialised as JSON). */
export function transformText(text: string, transform: (value: unknown) => unknown): string {
  const out = transform(text);
  if (typeof out === 'string') return out;
  const json = JSON.stringify(out) as string | undefined;
  return json ?? '';
}

/**
 * Applies a transform to what a read returned: file contents (Buffer or string, as UTF-8 text;
 * JSON text is mutated as JSON by the fault kinds) or a list (directory entries). Other results
 * (stats, handles) are left alone.
 */
export function transformContent(value: unknown, transform: (value: unknown) => unknown): unknown {
  if (typeof value === 'string') return transformText(value, transform);
  if (Buffer.isBuffer(value)) return Buffer.from(transformText(value.toString('utf8'), transform));
  if (Array.isArray(value)) {
    const out = transform(value);
    return Array.isArray(out) ? out : value;
  }
  return value;
}

/** An HTTP response built from an injected HTTP status error. */
export interface StatusResponse {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names; includes `content-type` and `content-length`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * The response a server would have sent for `error` when it carries an HTTP status (400..599),
 * such as the `error` fault's `HttpStatusError`: its status, reason phrase, headers (e.g.
 * `retry-after` and `retry-after-ms` for a 429) and JSON body; `undefined` for other errors.
 */
export function statusResponse(error: Error): StatusResponse | undefined {
  if (!isHttpStatusError(error)) return undefined;
  const e = error as Error & {
    status: number;
    statusText?: unknown;
    headers?: unknown;
    body?: unknown;
  };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (typeof e.headers === 'object' && e.headers !== null) {
    for (const [name, value] of Object.entries(e.headers)) {
      if (typeof value === 'string' || typeof value === 'number') {
        headers[name.toLowerCase()] = String(value);
      }
    }
  }
  const text =
    typeof e.body === 'string'
      ? e.body
      : e.body === undefined
        ? JSON.stringify({ error: { message: e.message } })
        : JSON.stringify(e.body);
  const body = Buffer.from(text);
  headers['content-length'] = String(body.length);
  const statusText =
    typeof e.statusText === 'string' && e.statusText !== ''
      ? e.statusText
      : (STATUS_CODES[e.status] ?? '');
  return { status: e.status, statusText, headers, body };
}
