/** A parsed HTTP/1.x start line and header block. */
export interface MessageHead {
  /** The head's bytes exactly as received, blank line included. */
  readonly raw: Buffer;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  readonly version: string;
  /** Request method (requests only; `''` on responses). */
  readonly method: string;
  /** Request target, e.g. `/v1/chat/completions?x=1` (requests only). */
  readonly target: string;
  /** Status code (responses only; 0 on requests). */
  readonly status: number;
  /** Reason phrase (responses only). */
  readonly reason: string;
  /** Header fields in order, names lower-cased. */
  readonly headers: readonly (readonly [string, string])[];
}

/** How a message's body is delimited. */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' }
  /** Not HTTP any more after this head (upgrade, CONNECT): raw bytes until the end. */
  | { readonly kind: 'tunnel' };

/** What the parser reports, in stream order. */
export interface ParserHandlers {
  /**
   * A head arrived. `framing` is what the head itself implies; return it or an override (a
   * response to HEAD has no body; a 101 turns the stream into a tunnel).
   */
  head(head: MessageHead, framing: BodyFraming): BodyFraming;
  /** Decoded body bytes (chunk framing removed). Precedes the `raw` call covering them. */
  data(payload: Buffer): void;
  /** Raw bytes of the current message after its head, as received (framing included). */
  raw(bytes: Buffer): void;
  /** The current message is complete. */
  end(): void;
  /** The stream is not valid HTTP: from now on everything is reported through `raw`. */
  error(reason: string): void;
}

/** Combined value of a header (repeated fields joined with `, `), or `undefined`. */
export function headerValue(head: MessageHead, name: string): string | undefined {
  let value: string | undefined;
  for (const [key, v] of head.headers) {
    if (key === name) value = value === undefined ? v : `${value}, ${v}`;
  }
  return value;
}

const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4096;
const EMPTY = Buffer.alloc(0);
const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

type State =
  'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'close' | 'tunnel';

function parseHead(raw: Buffer, kind: 'request' | 'response'): MessageHead | string {
  const text = raw.toString('latin1');
  const lines = text.split(/\r?\n/);
  while (lines[0] === '') lines.shift();
  const startLine = lines.shift() ?? '';
  let version: string;
  let method = '';
  let target = '';
  let status = 0;
  let reason = '';
  if (kind === 'request') {
    const parts = startLine.split(' ');
    if (parts.length !== 3) return `bad request line ${JSON.stringify(startLine.slice(0, 80))}`;
    [method, target, version] = parts as [string, string, string];
    if (!tokenPattern.test(method) || target === '') return 'bad request line';
  } else {
    const match = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(startLine);
    if (match === null) return `bad status line ${JSON.stringify(startLine.slice(0, 80))}`;
    version = match[1] as string;
    status = Number(match[2]);
    reason = match[3] ?? '';
  }
  if (!/^HTTP\/1\.[01]$/.test(version)) return `unsupported version ${JSON.stringify(version)}`;
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return `bad header line ${JSON.stringify(line.slice(0, 80))}`;
    const name = line.slice(0, colon);
    if (!tokenPattern.test(name)) return `bad header name ${JSON.stringify(name.slice(0, 80))}`;
    headers.push([name.toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { raw, version, method, target, status, reason, headers };
}

function defaultFraming(head: MessageHead, kind: 'request' | 'response'): BodyFraming | string {
  if (kind === 'response' && (head.status < 200 || head.status === 204 || head.status === 304)) {
    return { kind: 'none' };
  }
  const te = headerValue(head, 'transfer-encoding');
  if (te !== undefined) {
    const codings = te
      .toLowerCase()
      .split(',')
      .map((c) => c.trim());
    if (codings.at(-1) === 'chunked') return { kind: 'chunked' };
    return kind === 'request' ? 'transfer-encoding without chunked' : { kind: 'close' };
  }
  const cl = headerValue(head, 'content-length');
  if (cl !== undefined) {
    const values = new Set(cl.split(',').map((v) => v.trim()));
    const [only] = values;
    if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
      return `bad content-length ${JSON.stringify(cl.slice(0, 40))}`;
    }
    const length = Number(only);
    return length === 0 ? { kind: 'none' } : { kind: 'length', length };
  }
  return kind === 'request' ? { kind: 'none' } : { kind: 'close' };
}

/**
 * An incremental HTTP/1.x message framer for one direction of a connection: finds heads, body
 * boundaries (Content-Length, chunked, until close) and keeps going across keep-alive messages.
 * It decodes only framing; bodies are reported both raw and de-chunked.
 */
export class HttpParser {
  readonly #kind: 'request' | 'response';
  readonly #on: ParserHandlers;
  #state: State = 'head';
  #pending: Buffer = EMPTY;
  #remaining = 0;
  #line = '';

  constructor(kind: 'request' | 'response', handlers: ParserHandlers) {
    this.#kind = kind;
    this.#on = handlers;
  }

  /** True once the stream stopped being HTTP (tunnel or parse error). */
  get tunnelling(): boolean {
    return this.#state === 'tunnel';
  }

  /** Feeds received bytes. */
  push(chunk: Buffer): void {
    let buf = chunk;
    let i = 0;
    let segment = 0;
    const on = this.#on;
    while (i < buf.length) {
      switch (this.#state) {
        case 'tunnel':
          on.raw(i === 0 ? buf : buf.subarray(i));
          return;
        case 'head': {
          if (this.#pending.length > 0) {
            buf = Buffer.concat([this.#pending, i === 0 ? buf : buf.subarray(i)]);
            this.#pending = EMPTY;
            i = 0;
          }
          const start = i;
          const end = findHeadEnd(buf, start);
          if (end < 0) {
            if (buf.length - start > MAX_HEAD) {
              this.#fail('head larger than 64 KiB', buf.subarray(start));
              return;
            }
            // Fail fast on what cannot become a start line (TLS, binary protocols).
            const bad = implausibleStart(buf, start, this.#kind);
            if (bad !== undefined) {
              this.#fail(bad, buf.subarray(start));
              return;
            }
            this.#pending = Buffer.from(buf.subarray(start));
            return;
          }
          const raw = buf.subarray(start, end);
          const head = parseHead(raw, this.#kind);
          if (typeof head === 'string') {
            this.#fail(head, buf.subarray(start));
            return;
          }
          const implied = defaultFraming(head, this.#kind);
          if (typeof implied === 'string') {
            this.#fail(implied, buf.subarray(start));
            return;
          }
          const framing = on.head(head, implied);
          i = end;
          segment = i;
          switch (framing.kind) {
            case 'none':
              on.end();
              break;
            case 'length':
              this.#state = 'length';
              this.#remaining = framing.length;
              break;
            case 'chunked':
              this.#state = 'chunk-size';
              this.#line = '';
              break;
            case 'close':
              this.#state = 'close';
              break;
            case 'tunnel':
              this.#state = 'tunnel';
              break;
          }
          break;
        }
        case 'length': {
          const n = Math.min(this.#remaining, buf.length - i);
          on.data(buf.subarray(i, i + n));
          i += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            on.raw(buf.subarray(segment, i));
            this.#state = 'head';
            on.end();
          }
          break;
        }
        case 'close':
          on.data(buf.subarray(i));
          i = buf.length;
          break;
        case 'chunk-data': {
          const n = Math.min(this.#remaining, buf.length - i);
          on.data(buf.subarray(i, i + n));
          i += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#state = 'chunk-crlf';
            this.#line = '';
          }
          break;
        }
        case 'chunk-size':
        case 'chunk-crlf':
        case 'trailer': {
          const nl = buf.indexOf(10, i);
          const stop = nl < 0 ? buf.length : nl + 1;
          this.#line += buf.toString('latin1', i, nl < 0 ? stop : nl);
          i = stop;
          if (this.#line.length > MAX_LINE) {
            this.#fail('chunk line too long', buf.subarray(i));
            return;
          }
          if (nl < 0) break;
          const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line;
          this.#line = '';
          if (this.#state === 'chunk-crlf') {
            if (line !== '') {
              this.#fail('missing CRLF after chunk', buf.subarray(i));
              return;
            }
            this.#state = 'chunk-size';
          } else if (this.#state === 'chunk-size') {
            const sizeText = (line.split(';')[0] ?? '').trim();
            if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) {
              this.#fail(
                `bad chunk size ${JSON.stringify(sizeText.slice(0, 20))}`,
                buf.subarray(i),
              );
              return;
            }
            const size = parseInt(sizeText, 16);
            if (size === 0) this.#state = 'trailer';
            else {
              this.#state = 'chunk-data';
              this.#remaining = size;
            }
          } else if (line === '') {
            on.raw(buf.subarray(segment, i));
            this.#state = 'head';
            on.end();
          }
          break;
        }
      }
    }
    if (this.#state !== 'head' && this.#state !== 'tunnel' && segment < buf.length) {
      on.raw(buf.subarray(segment));
    }
  }

  /** The sender closed its side: ends a body delimited by the close. */
  finish(): void {
    if (this.#state === 'close') {
      this.#state = 'head';
      this.#on.end();
    }
  }

  #fail(reason: string, rest: Buffer): void {
    this.#state = 'tunnel';
    this.#pending = EMPTY;
    this.#on.error(reason);
    if (rest.length > 0) this.#on.raw(rest);
  }
}

function isTokenByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    "!#$%&'*+-.^_`|~".includes(String.fromCharCode(byte))
  );
}

const HTTP_PREFIX = 'HTTP/1.';

/** Why the bytes so far cannot start an HTTP/1.x message, or `undefined` while they still can. */
function implausibleStart(
  buf: Buffer,
  start: number,
  kind: 'request' | 'response',
): string | undefined {
  let i = start;
  while (i < buf.length && (buf[i] === 13 || buf[i] === 10)) i++;
  if (kind === 'response') {
    for (let k = 0; k < HTTP_PREFIX.length && i + k < buf.length; k++) {
      if (buf[i + k] !== HTTP_PREFIX.charCodeAt(k)) return 'not an HTTP/1.x status line';
    }
    return undefined;
  }
  for (let k = 0; i + k < buf.length; k++) {
    const byte = buf[i + k] as number;
    if (byte === 0x20) return k === 0 ? 'not an HTTP/1.x request line' : undefined;
    if (!isTokenByte(byte) || k >= 24) return 'not an HTTP/1.x request line';
  }
  return undefined;
}

function findHeadEnd(buf: Buffer, start: number): number {
  // Leading blank lines before a request line are allowed (RFC 9112 §2.2).
  let from = start;
  for (;;) {
    const nl = buf.indexOf(10, from);
    if (nl < 0) return -1;
    const next = buf[nl + 1];
    if (next === 10) return nl + 2;
    if (next === 13) {
      if (nl + 2 >= buf.length) return -1;
      if (buf[nl + 2] === 10) return nl + 3;
    }
    if (next === undefined) return -1;
    from = nl + 1;
  }
}
