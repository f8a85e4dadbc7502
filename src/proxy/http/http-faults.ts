import { STATUS_CODES } from 'node:http';
import type { JsonValue, Random } from '../../core/index.ts';
import type { StreamCutMode } from '../client/types.ts';
import type { ToxicEntry } from '../toxic-schema.ts';
import { sseData } from './sse.ts';

/** What a request looks like to the HTTP toxics. */
export interface RequestInfo {
  /** Upper-case method. */
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
}

/** A rule applied to each server-sent event of a response. */
export type EventRule =
  | { readonly kind: 'cut'; readonly events: number; readonly mode: StreamCutMode }
  | { readonly kind: 'no-done'; readonly mode: StreamCutMode }
  | { readonly kind: 'tool-args' };

/** A pause in a response: after `events` SSE events, or `bytes` body bytes of other bodies. */
export interface StallRule {
  readonly events: number;
  readonly bytes: number;
  /** Milliseconds; 0 holds until `entry` is removed from the proxy. */
  readonly duration: number;
  readonly entry: ToxicEntry;
}

/** What the HTTP toxics decided for one request/response exchange. */
export interface ExchangePlan {
  /** A response to send instead of forwarding the request. */
  respond: { readonly status: number; readonly bytes: Buffer } | undefined;
  /** Milliseconds added before the response's first byte. */
  ttfb: number;
  /** Body bytes to forward before dropping the connection. */
  truncate: number | undefined;
  /** Rewrites of a complete, non-streamed body (JSON faults). */
  readonly bodyTransforms: ((body: Buffer) => Buffer)[];
  /** Rules for server-sent-event streams. */
  readonly events: EventRule[];
  stall: StallRule | undefined;
}

/** True when `request` matches the toxic's `method` and `path` attributes. */
export function matchesRequest(
  attributes: Readonly<Record<string, JsonValue>>,
  request: RequestInfo,
): boolean {
  const method = attributes['method'];
  if (typeof method === 'string' && method !== '' && method !== '*') {
    if (method.toUpperCase() !== request.method) return false;
  }
  const path = attributes['path'];
  if (typeof path === 'string' && path !== '' && path !== '*') {
    if (path.endsWith('*')) return request.path.startsWith(path.slice(0, -1));
    return request.path === path;
  }
  return true;
}

function num(entry: ToxicEntry, key: string): number {
  return entry.attributes[key] as number;
}

function str(entry: ToxicEntry, key: string): string {
  return entry.attributes[key] as string;
}

/**
 * Builds the plan of one exchange from the proxy's HTTP toxics. `applies(entry)` is the
 * per-connection toxicity draw; `random` draws each toxic's per-request `probability`. Returns
 * `undefined` when nothing applies, so plain exchanges cost nothing more.
 */
export function planExchange(
  entries: readonly ToxicEntry[],
  request: RequestInfo,
  applies: (entry: ToxicEntry) => boolean,
  random: () => Random,
): ExchangePlan | undefined {
  let plan: ExchangePlan | undefined;
  for (const entry of entries) {
    if (entry.kind !== 'http' || !matchesRequest(entry.attributes, request)) continue;
    if (!applies(entry)) continue;
    const probability = num(entry, 'probability');
    if (probability < 1 && !random().chance(probability)) continue;
    plan ??= {
      respond: undefined,
      ttfb: 0,
      truncate: undefined,
      bodyTransforms: [],
      events: [],
      stall: undefined,
    };
    switch (entry.type) {
      case 'http_status':
      case 'openai_rate_limit':
      case 'openai_context_length':
      case 'openai_overloaded':
        plan.respond ??= injectedResponse(entry);
        break;
      case 'http_truncate': {
        const bytes = num(entry, 'bytes');
        plan.truncate = Math.min(plan.truncate ?? bytes, bytes);
        break;
      }
      case 'http_invalid_json':
        plan.bodyTransforms.push(invalidJson);
        break;
      case 'http_corrupt_field':
        plan.bodyTransforms.push(
          corruptField(str(entry, 'field'), entry.attributes['value'] ?? null),
        );
        break;
      case 'http_slow_ttfb':
        plan.ttfb += num(entry, 'delay');
        break;
      case 'sse_cut':
        plan.events.push({
          kind: 'cut',
          events: num(entry, 'events'),
          mode: str(entry, 'mode') as StreamCutMode,
        });
        break;
      case 'http_stall':
        plan.stall ??= {
          events: num(entry, 'events'),
          bytes: num(entry, 'bytes'),
          duration: num(entry, 'duration'),
          entry,
        };
        break;
      case 'openai_bad_tool_args':
        plan.bodyTransforms.push(badToolArgsJson);
        plan.events.push({ kind: 'tool-args' });
        break;
      case 'openai_stream_no_done':
        plan.events.push({ kind: 'no-done', mode: str(entry, 'mode') as StreamCutMode });
        break;
      default:
        break;
    }
  }
  return plan;
}

/** Serialises a complete HTTP/1.1 response. */
export function buildResponse(
  status: number,
  headers: readonly (readonly [string, string])[],
  body: string,
): Buffer {
  const payload = Buffer.from(body, 'utf8');
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  head += `content-length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}

function errorBody(
  message: string,
  type: string,
  param: string | null,
  code: string | null,
): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

function injectedResponse(entry: ToxicEntry): { status: number; bytes: Buffer } {
  const headers: [string, string][] = [];
  let status: number;
  let body: string;
  let contentType = 'application/json';
  switch (entry.type) {
    case 'openai_rate_limit': {
      status = 429;
      const ms = num(entry, 'retry_after_ms');
      const limit = num(entry, 'limit');
      const seconds = Math.max(1, Math.ceil(ms / 1000));
      if (ms > 0) {
        headers.push(['retry-after', String(seconds)], ['retry-after-ms', String(ms)]);
      }
      headers.push(
        ['x-ratelimit-limit-requests', String(limit)],
        ['x-ratelimit-remaining-requests', '0'],
        ['x-ratelimit-reset-requests', `${ms}ms`],
      );
      body = errorBody(
        `Rate limit reached for requests per min (RPM): Limit ${limit}, Used ${limit}, Requested 1. Please try again in ${ms}ms.`,
        'requests',
        null,
        'rate_limit_exceeded',
      );
      break;
    }
    case 'openai_context_length': {
      status = 400;
      const max = num(entry, 'max_tokens');
      const requested = num(entry, 'requested_tokens') || max + 1;
      body = errorBody(
        `This model's maximum context length is ${max} tokens. However, your messages resulted in ${requested} tokens. Please reduce the length of the messages.`,
        'invalid_request_error',
        'messages',
        'context_length_exceeded',
      );
      break;
    }
    case 'openai_overloaded':
      status = num(entry, 'status');
      body = errorBody(
        'That model is currently overloaded with other requests. You can retry your request, or contact us through our help center if the error persists.',
        'server_error',
        null,
        null,
      );
      break;
    default: {
      status = num(entry, 'status');
      const seconds = num(entry, 'retry_after');
      const ms = num(entry, 'retry_after_ms');
      if (seconds > 0) headers.push(['retry-after', String(seconds)]);
      if (ms > 0) headers.push(['retry-after-ms', String(ms)]);
      contentType = str(entry, 'content_type');
      body =
        str(entry, 'body') ||
        errorBody(`faultline injected HTTP ${status}`, 'faultline_injected', null, null);
      break;
    }
  }
  headers.unshift(['content-type', contentType], ['x-faultline-injected', entry.name]);
  return { status, bytes: buildResponse(status, headers, body) };
}

/** Cuts a JSON body in half (after trimming trailing space): never valid JSON for an object or array. */
export function invalidJson(body: Buffer): Buffer {
  let end = body.length;
  while (end > 0 && (body[end - 1] === 0x20 || body[end - 1] === 0x0a || body[end - 1] === 0x0d)) {
    end--;
  }
  if (end === 0) return Buffer.from('{', 'latin1');
  return body.subarray(0, Math.min(end - 1, Math.max(1, Math.floor(end / 2))));
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Sets the field at dot-path `path` (`choices.0.message.content`) of a JSON body to `value`.
 * Bodies that are not JSON, or lack the field, pass unchanged.
 */
export function corruptField(path: string, value: JsonValue): (body: Buffer) => Buffer {
  const keys = path.split('.');
  return (body) => {
    const root = parseJson(body);
    if (root === undefined) return body;
    let node: unknown = root;
    for (let i = 0; i < keys.length - 1; i++) {
      if (node === null || typeof node !== 'object') return body;
      node = (node as Record<string, unknown>)[keys[i] as string];
    }
    const last = keys.at(-1) as string;
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, last)) return body;
    (node as Record<string, unknown>)[last] = value;
    return Buffer.from(JSON.stringify(root), 'utf8');
  };
}

type Json = Record<string, unknown>;

function toolCallsOf(choice: unknown, key: 'message' | 'delta'): Json[] {
  if (choice === null || typeof choice !== 'object') return [];
  const holder = (choice as Json)[key];
  if (holder === null || typeof holder !== 'object') return [];
  const calls = (holder as Json)['tool_calls'];
  return Array.isArray(calls) ? (calls as Json[]) : [];
}

function functionOf(call: Json): Json | undefined {
  const fn = call['function'];
  return fn !== null && typeof fn === 'object' ? (fn as Json) : undefined;
}

/** Drops the last character of every tool call's `arguments` in a chat completion body. */
export function badToolArgsJson(body: Buffer): Buffer {
  const root = parseJson(body) as Json | undefined;
  const choices = root?.['choices'];
  if (!Array.isArray(choices)) return body;
  let changed = false;
  for (const choice of choices) {
    for (const call of toolCallsOf(choice, 'message')) {
      const fn = functionOf(call);
      if (typeof fn?.['arguments'] !== 'string') continue;
      const args = fn['arguments'];
      fn['arguments'] = args.length > 1 ? args.slice(0, -1) : '{';
      changed = true;
    }
  }
  return changed ? Buffer.from(JSON.stringify(root), 'utf8') : body;
}

/**
 * In a streamed chat completion, prefixes the first `arguments` fragment of each tool call with
 * `{`, so the assembled arguments (`{{...}`) are never valid JSON. `seen` tracks the calls
 * already spoiled across events. Returns the event unchanged when it carries no such fragment.
 */
export function badToolArgsEvent(event: string, seen: Set<string>): string {
  const data = sseData(event);
  if (data === undefined || !data.includes('tool_calls')) return event;
  const root = parseJson(Buffer.from(data, 'utf8')) as Json | undefined;
  const choices = root?.['choices'];
  if (!Array.isArray(choices)) return event;
  let changed = false;
  for (const [c, choice] of choices.entries()) {
    for (const [t, call] of toolCallsOf(choice, 'delta').entries()) {
      const fn = functionOf(call);
      if (typeof fn?.['arguments'] !== 'string') continue;
      const choiceIndex = (choice as Json)['index'];
      const callIndex = call['index'];
      const key = `${typeof choiceIndex === 'number' ? choiceIndex : c}/${typeof callIndex === 'number' ? callIndex : t}`;
      if (seen.has(key)) continue;
      seen.add(key);
      fn['arguments'] = `{${fn['arguments']}`;
      changed = true;
    }
  }
  if (!changed) return event;
  const ending = /\r?\n\r?\n$/.exec(event)?.[0] ?? '\n\n';
  const others = event
    .slice(0, event.length - ending.length)
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('data'));
  return [...others, `data: ${JSON.stringify(root)}`].join('\n') + ending;
}
