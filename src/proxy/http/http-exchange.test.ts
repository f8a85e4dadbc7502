import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRandom, VirtualClock } from '../../core/index.ts';
import { parseToxicInput, type ToxicEntry } from '../toxic-schema.ts';
import { HttpExchange } from './http-exchange.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(toxics: ToxicEntry[]): {
  client: PassThrough;
  server: PassThrough;
  toServer: () => string;
  toClient: () => string;
  events: string[];
  clock: VirtualClock;
  setToxics: (t: ToxicEntry[]) => void;
  exchange: HttpExchange;
} {
  const clock = new VirtualClock();
  const random = createRandom(1);
  const client = new PassThrough();
  const server = new PassThrough();
  let up = '';
  let down = '';
  const events: string[] = [];
  let current = toxics;
  const exchange = new HttpExchange(
    {
      clock,
      random: () => random,
      toxics: () => current,
      applies: () => true,
      toServer: (c) => (up += c.toString('latin1')),
      endToServer: () => events.push('end-to-server'),
      toClient: (c) => (down += c.toString('latin1')),
      endToClient: () => events.push('end-to-client'),
      close: () => events.push('close'),
      pressure: () => undefined,
      warn: (m) => events.push(`warn:${m}`),
    },
    client as unknown as Socket,
    server as unknown as Socket,
  );
  exchange.start();
  return {
    client,
    server,
    toServer: () => up,
    toClient: () => down,
    events,
    clock,
    setToxics: (t) => {
      current = t;
      exchange.sync();
    },
    exchange,
  };
}

const response = (body: string, extra = ''): string =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe('HttpExchange', () => {
  it("pipelined requests: an injected answer takes its request's place in the response order", async () => {
    const limited = parseToxicInput({
      type: 'http_status',
      attributes: { status: 429, path: '/b' },
    });
    const t = setup([limited]);
    t.client.write(
      'GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await tick();
    expect(t.toServer()).toBe(
      'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(t.toClient()).toBe('');
    t.server.write(response('A'));
    await tick();
    const afterA = t.toClient();
    expect(afterA.startsWith(response('A'))).toBe(true);
    expect(afterA).toContain('HTTP/1.1 429 Too Many Requests\r\n');
    t.server.write(response('C'));
    await tick();
    const all = t.toClient();
    expect(all.indexOf('429')).toBeLessThan(all.lastIndexOf(response('C')));
    expect(all.endsWith(response('C'))).toBe(true);
  });

  it('HEAD responses carry no body; 100 Continue passes without consuming a request', async () => {
    const t = setup([parseToxicInput({ type: 'http_slow_ttfb', attributes: { delay: 0 } })]);
    t.client.write('HEAD /h HTTP/1.1\r\n\r\nGET /g HTTP/1.1\r\n\r\n');
    await tick();
    t.server.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
    t.server.write(response('body'));
    await tick();
    expect(t.toClient()).toBe(
      `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n${response('body')}`,
    );
  });

  it('http_stall with duration 0 holds until the toxic is removed', async () => {
    const stall = parseToxicInput({ type: 'http_stall', attributes: { bytes: 2 } });
    const t = setup([stall]);
    t.client.write('GET / HTTP/1.1\r\n\r\n');
    await tick();
    t.server.write(response('abcdef'));
    await tick();
    await t.clock.advance(60_000);
    expect(t.toClient()).toBe('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nab');
    t.setToxics([]);
    expect(t.toClient()).toBe(response('abcdef'));
  });

  it('an SSE response with a content-length is re-framed as chunked when events are rewritten', async () => {
    const t = setup([
      parseToxicInput({ type: 'openai_stream_no_done', attributes: { mode: 'end' } }),
    ]);
    t.client.write('POST /v1/chat/completions HTTP/1.1\r\n\r\n');
    await tick();
    const sse = 'data: {"x":1}\n\ndata: [DONE]\n\n';
    t.server.write(response(sse, 'Content-Type: text/event-stream\r\n'));
    await tick();
    const out = t.toClient();
    expect(out).toContain('transfer-encoding: chunked');
    expect(out).not.toContain('content-length');
    expect(out).toContain('f\r\ndata: {"x":1}\n\n\r\n0\r\n\r\n');
    expect(out).not.toContain('[DONE]');
  });

  it('non-HTTP bytes are passed through untouched, with a warning', async () => {
    const t = setup([]);
    t.client.write('\x16\x03\x01 binary tls hello');
    await tick();
    expect(t.toServer()).toBe('\x16\x03\x01 binary tls hello');
    expect(t.events.some((e) => e.startsWith('warn:request stream is not HTTP'))).toBe(true);
  });
});
