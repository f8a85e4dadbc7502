import type { Socket } from 'node:net';
import type { Clock, Random } from '../../core/index.ts';
import type { ToxicEntry } from '../toxic-schema.ts';
import {
  badToolArgsEvent,
  planExchange,
  type EventRule,
  type ExchangePlan,
  type StallRule,
} from './http-faults.ts';
import { HttpParser, headerValue, type BodyFraming, type MessageHead } from './http-parser.ts';
import { OutputQueue } from './output-queue.ts';
import { SseSplitter, sseData } from './sse.ts';

/** What an {@link HttpExchange} needs from its connection. */
export interface ExchangeHost {
  readonly clock: Clock;
  /** The connection's random stream. */
  random(): Random;
  /** The proxy's current toxics. */
  toxics(): readonly ToxicEntry[];
  /** Per-connection toxicity draw of a toxic (drawn once per connection). */
  applies(entry: ToxicEntry): boolean;
  /** Writes towards the server (the upstream link). */
  toServer(chunk: Buffer): void;
  /** Client finished sending. */
  endToServer(): void;
  /** Writes towards the client (the downstream link). */
  toClient(chunk: Buffer): void;
  /** Server finished sending. */
  endToClient(): void;
  /** Drops the connection. */
  close(): void;
  /** Pause (true) or resume the server socket while responses queue up. */
  pressure(on: boolean): void;
  /** Reports a stream that is not HTTP. */
  warn(message: string): void;
}

interface Pending {
  readonly method: string;
  readonly plan: ExchangePlan | undefined;
  /** Keep-alive ends after this exchange (`Connection: close`, HTTP/1.0). */
  readonly closeAfter: boolean;
  requestDone: boolean;
}

const TERMINATOR = Buffer.from('0\r\n\r\n', 'latin1');
const BUFFER_LIMIT = 16 * 1024 * 1024;

function frame(payload: Buffer): Buffer[] {
  return [
    Buffer.from(`${payload.length.toString(16)}\r\n`, 'latin1'),
    payload,
    Buffer.from('\r\n'),
  ];
}

function wantsClose(head: MessageHead): boolean {
  const connection = headerValue(head, 'connection')?.toLowerCase() ?? '';
  if (connection.includes('close')) return true;
  return head.version === 'HTTP/1.0' && !connection.includes('keep-alive');
}

/** Rewrites a head's framing headers: drops Content-Length and Transfer-Encoding, adds `extra`. */
function rewriteHead(head: MessageHead, extra: string): Buffer {
  let text = `${head.version} ${head.status} ${head.reason}\r\n`;
  for (const [name, value] of head.headers) {
    if (name === 'content-length' || name === 'transfer-encoding') continue;
    text += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${text}${extra}\r\n`, 'latin1');
}

/**
 * Shapes one response according to its exchange's plan: slow first byte, truncation, JSON
 * rewrites (buffered), per-event rules for server-sent events, stalls.
 */
class ResponseShaper {
  readonly #out: OutputQueue;
  readonly #plan: ExchangePlan | undefined;
  readonly #head: MessageHead;
  readonly #chunked: boolean;
  #mode: 'pass' | 'truncate' | 'buffer' | 'events' | 'stall-bytes' | 'discard' = 'pass';
  #left = 0;
  #data: Buffer[] = [];
  #raw: Buffer[] = [];
  #size = 0;
  #splitter: SseSplitter | undefined;
  #rules: readonly EventRule[] = [];
  #stall: StallRule | undefined;
  #forwarded = 0;
  #reframe = false;
  #cut = false;
  readonly #toolCalls = new Set<string>();

  constructor(
    out: OutputQueue,
    plan: ExchangePlan | undefined,
    head: MessageHead,
    framing: BodyFraming,
  ) {
    this.#out = out;
    this.#plan = plan;
    this.#head = head;
    this.#chunked = framing.kind === 'chunked';
    const out_ = out;
    if (plan === undefined || framing.kind === 'tunnel') {
      out_.write(head.raw);
      return;
    }
    out_.wait(plan.ttfb);
    if (framing.kind === 'none') {
      out_.write(head.raw);
      return;
    }
    const isSse = (headerValue(head, 'content-type') ?? '')
      .toLowerCase()
      .includes('text/event-stream');
    if (plan.truncate !== undefined) {
      out_.write(head.raw);
      this.#mode = 'truncate';
      this.#left = plan.truncate;
      if (this.#left === 0) this.#drop();
    } else if (isSse && (plan.events.length > 0 || plan.stall !== undefined)) {
      this.#mode = 'events';
      this.#splitter = new SseSplitter();
      this.#rules = plan.events;
      this.#stall = plan.stall;
      if (framing.kind === 'length') {
        out_.write(rewriteHead(head, 'transfer-encoding: chunked\r\n'));
        this.#reframe = true;
      } else {
        out_.write(head.raw);
        this.#reframe = this.#chunked;
      }
      this.#afterEvent();
    } else if (!isSse && plan.bodyTransforms.length > 0) {
      this.#mode = 'buffer';
    } else if (plan.stall !== undefined && plan.stall.bytes >= 0) {
      out_.write(head.raw);
      this.#mode = 'stall-bytes';
      this.#stall = plan.stall;
      this.#left = plan.stall.bytes;
      if (this.#left === 0) this.#stallNow();
    } else {
      out_.write(head.raw);
    }
  }

  data(payload: Buffer): void {
    switch (this.#mode) {
      case 'truncate': {
        const n = Math.min(this.#left, payload.length);
        if (n > 0) this.#emit(payload.subarray(0, n), this.#chunked);
        this.#left -= n;
        if (this.#left === 0) this.#drop();
        break;
      }
      case 'buffer':
        this.#data.push(payload);
        break;
      case 'events':
        for (const event of (this.#splitter as SseSplitter).push(payload)) {
          if (this.#cut) break;
          this.#event(event);
        }
        break;
      default:
        break;
    }
  }

  raw(bytes: Buffer): void {
    switch (this.#mode) {
      case 'pass':
        this.#out.write(bytes);
        break;
      case 'buffer':
        this.#raw.push(bytes);
        this.#size += bytes.length;
        if (this.#size > BUFFER_LIMIT) {
          // Too big to rewrite: forward it as it came.
          this.#mode = 'pass';
          this.#out.write(this.#head.raw);
          for (const chunk of this.#raw) this.#out.write(chunk);
          this.#raw = [];
          this.#data = [];
        }
        break;
      case 'stall-bytes': {
        if (this.#left > 0 && bytes.length >= this.#left) {
          this.#out.write(bytes.subarray(0, this.#left));
          const rest = bytes.subarray(this.#left);
          this.#left = 0;
          this.#stallNow();
          this.#out.write(rest);
        } else {
          this.#left -= bytes.length;
          this.#out.write(bytes);
        }
        break;
      }
      default:
        break;
    }
  }

  end(): void {
    switch (this.#mode) {
      case 'buffer': {
        let body: Buffer = Buffer.concat(this.#data);
        for (const transform of (this.#plan as ExchangePlan).bodyTransforms) body = transform(body);
        this.#out.write(rewriteHead(this.#head, `content-length: ${body.length}\r\n`));
        this.#out.write(body);
        break;
      }
      case 'events': {
        if (this.#cut) break;
        const rest = (this.#splitter as SseSplitter).rest();
        if (rest !== '') this.#emit(Buffer.from(rest, 'utf8'), this.#reframe);
        if (this.#reframe) this.#out.write(TERMINATOR);
        break;
      }
      case 'truncate':
        // The body was shorter than the cut: it ends normally.
        if (this.#chunked) this.#out.write(TERMINATOR);
        break;
      default:
        break;
    }
  }

  #emit(payload: Buffer, chunked: boolean): void {
    if (!chunked) {
      this.#out.write(payload);
      return;
    }
    for (const part of frame(payload)) this.#out.write(part);
  }

  #drop(): void {
    this.#mode = 'discard';
    this.#out.close();
  }

  #stallNow(): void {
    const stall = this.#stall as StallRule;
    if (stall.duration > 0) this.#out.wait(stall.duration);
    else this.#out.hold(stall.entry);
  }

  #event(original: string): void {
    let event = original;
    for (const rule of this.#rules) {
      if (rule.kind === 'no-done' && sseData(event)?.trim() === '[DONE]') {
        this.#cutNow(rule.mode);
        return;
      }
      if (rule.kind === 'tool-args') event = badToolArgsEvent(event, this.#toolCalls);
    }
    this.#emit(Buffer.from(event, 'utf8'), this.#reframe);
    this.#forwarded++;
    this.#afterEvent();
  }

  #afterEvent(): void {
    for (const rule of this.#rules) {
      if (rule.kind === 'cut' && this.#forwarded >= rule.events) {
        this.#cutNow(rule.mode);
        return;
      }
    }
    if (this.#stall !== undefined && this.#forwarded === this.#stall.events) this.#stallNow();
  }

  #cutNow(mode: 'close' | 'end'): void {
    this.#cut = true;
    if (mode === 'end' && this.#reframe) this.#out.write(TERMINATOR);
    else this.#out.close();
  }
}

/**
 * The HTTP layer of one connection of an HTTP proxy: frames requests and responses (keep-alive,
 * pipelining, chunked bodies, upgrades), pairs them in order, and applies the HTTP toxics:
 *
 * ```
 * client ─▶ request parser ─▶ plan (toxics, probability) ─┬─ forward ─▶ upstream link ─▶ server
 *                                                         └─ answer ─┐
 * client ◀─ downstream link ◀─ output queue ◀─ response shaper ◀─────┴─ response parser ◀─ server
 * ```
 *
 * Injected answers take their request's place in the response order, so keep-alive clients
 * get every response where they expect it.
 */
export class HttpExchange {
  readonly #host: ExchangeHost;
  readonly #client: Socket;
  readonly #server: Socket;
  readonly #out: OutputQueue;
  readonly #requests: HttpParser;
  readonly #responses: HttpParser;
  readonly #queue: Pending[] = [];
  #current: Pending | undefined;
  /** The request whose response is being received (undefined: unsolicited or none). */
  #answering: Pending | undefined;
  #shaper: ResponseShaper | undefined;
  #informational = false;
  #requestTunnel = false;
  #random: Random | undefined;

  constructor(host: ExchangeHost, client: Socket, server: Socket) {
    this.#host = host;
    this.#client = client;
    this.#server = server;
    this.#out = new OutputQueue(host.clock, {
      write: (chunk) => {
        host.toClient(chunk);
      },
      end: () => {
        host.endToClient();
      },
      close: () => {
        host.close();
      },
      pressure: (on) => {
        host.pressure(on);
      },
      alive: (entry) => host.toxics().includes(entry),
    });
    this.#requests = new HttpParser('request', {
      head: (head, framing) => this.#onRequestHead(head, framing),
      data: () => {
        // Requests pass raw.
      },
      raw: (bytes) => {
        if (this.#current?.plan?.respond === undefined) host.toServer(bytes);
      },
      end: () => {
        const current = this.#current;
        this.#current = undefined;
        if (current !== undefined) {
          current.requestDone = true;
          this.#pump();
        }
      },
      error: (reason) => {
        this.#current = undefined;
        host.warn(`request stream is not HTTP/1.x (${reason}); passing it through untouched`);
      },
    });
    this.#responses = new HttpParser('response', {
      head: (head, framing) => this.#onResponseHead(head, framing),
      data: (payload) => {
        this.#shaper?.data(payload);
      },
      raw: (bytes) => {
        if (this.#shaper === undefined) this.#out.write(bytes);
        else this.#shaper.raw(bytes);
      },
      end: () => {
        this.#onResponseEnd();
      },
      error: (reason) => {
        this.#shaper = undefined;
        host.warn(`response stream is not HTTP/1.x (${reason}); passing it through untouched`);
      },
    });
  }

  /** Starts reading both sockets. */
  start(): void {
    this.#client.on('data', this.#onClientData);
    this.#client.on('end', this.#onClientEnd);
    this.#server.on('data', this.#onServerData);
    this.#server.on('end', this.#onServerEnd);
  }

  /** Called on every toxic change: releases stalls held by removed toxics. */
  sync(): void {
    this.#out.release();
  }

  /** Stops everything (the connection is going away). */
  halt(): void {
    this.#client.off('data', this.#onClientData);
    this.#client.off('end', this.#onClientEnd);
    this.#server.off('data', this.#onServerData);
    this.#server.off('end', this.#onServerEnd);
    this.#out.halt();
  }

  readonly #onClientData = (chunk: Buffer): void => {
    this.#requests.push(chunk);
  };

  readonly #onClientEnd = (): void => {
    this.#requests.finish();
    this.#host.endToServer();
  };

  readonly #onServerData = (chunk: Buffer): void => {
    this.#responses.push(chunk);
  };

  readonly #onServerEnd = (): void => {
    this.#responses.finish();
    this.#pump();
    this.#out.end();
  };

  #onRequestHead(head: MessageHead, framing: BodyFraming): BodyFraming {
    const upgrade = head.method === 'CONNECT' || headerValue(head, 'upgrade') !== undefined;
    const query = head.target.indexOf('?');
    const host = this.#host;
    const plan =
      upgrade || this.#requestTunnel
        ? undefined
        : planExchange(
            host.toxics(),
            {
              method: head.method.toUpperCase(),
              path: query < 0 ? head.target : head.target.slice(0, query),
            },
            (entry) => host.applies(entry),
            () => (this.#random ??= host.random().fork('http')),
          );
    const pending: Pending = {
      method: head.method,
      plan,
      closeAfter: wantsClose(head),
      requestDone: false,
    };
    this.#queue.push(pending);
    this.#current = pending;
    if (plan?.respond === undefined) host.toServer(head.raw);
    if (upgrade) {
      this.#requestTunnel = true;
      return { kind: 'tunnel' };
    }
    return framing;
  }

  #onResponseHead(head: MessageHead, implied: BodyFraming): BodyFraming {
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      this.#informational = true;
      this.#out.write(head.raw);
      return { kind: 'none' };
    }
    this.#pump();
    const pending = this.#queue.find((p) => p.plan?.respond === undefined);
    this.#answering = pending;
    let framing = implied;
    if (head.status === 101 || (pending?.method === 'CONNECT' && head.status < 300)) {
      framing = { kind: 'tunnel' };
    } else if (pending?.method === 'HEAD') {
      framing = { kind: 'none' };
    }
    this.#shaper = new ResponseShaper(this.#out, pending?.plan, head, framing);
    return framing;
  }

  #onResponseEnd(): void {
    if (this.#informational) {
      this.#informational = false;
      return;
    }
    this.#shaper?.end();
    this.#shaper = undefined;
    const answered = this.#answering;
    this.#answering = undefined;
    if (answered !== undefined) {
      const index = this.#queue.indexOf(answered);
      if (index >= 0) this.#queue.splice(index, 1);
    }
    this.#pump();
  }

  /** Sends injected answers that are next in line. */
  #pump(): void {
    while (this.#shaper === undefined) {
      const next = this.#queue[0];
      const respond = next?.plan?.respond;
      if (next === undefined || respond === undefined || !next.requestDone) return;
      this.#queue.shift();
      this.#out.wait((next.plan as ExchangePlan).ttfb);
      this.#out.write(respond.bytes);
      if (next.closeAfter) {
        this.#out.close();
        return;
      }
    }
  }
}
