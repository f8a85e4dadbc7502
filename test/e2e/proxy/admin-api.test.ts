/**
 * The admin API over a real socket: driven by the unmodified `toxiproxy-node-client` package,
 * checked at the HTTP level, and fuzzed with malformed requests (statuses, no crash, stable
 * file descriptors).
 */
import { connect as netConnect } from 'node:net';
import fc from 'fast-check';
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  echoServer,
  fdCount,
  portOf,
  record,
  roundTrip,
  sleep,
  startHarness,
  type Harness,
  type TcpServer,
} from './helpers.ts';

let h: Harness;
let echo: TcpServer;

beforeAll(async () => {
  h = await startHarness(5);
  echo = await echoServer();
});

afterAll(async () => {
  await h.close();
  await echo.close();
});

/** Sends raw bytes and returns what comes back until the server closes or 1 s passes. */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, 1000);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // One response is enough unless the server keeps talking.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) setTimeout(done, 20);
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.end(bytes);
  });
}

describe('admin API: toxiproxy-node-client, unmodified', () => {
  it('creates, lists, updates, populates, resets and removes through the npm client', async () => {
    const toxiproxy = new Toxiproxy(h.server.url);
    const proxy = await toxiproxy.createProxy({
      name: 'redis',
      listen: 'localhost:0',
      upstream: `127.0.0.1:${echo.port}`,
    });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(proxy.enabled).toBe(true);

    const body: ICreateToxicBody<{ latency: number; jitter: number }> = {
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 150, jitter: 0 },
    };
    const toxic = await proxy.addToxic(body);
    expect(toxic.toJson()).toEqual({ ...body });

    // The toxic really acts on traffic.
    const socket = await connect(portOf(proxy.listen));
    const rec = record(socket);
    expect(await roundTrip(socket, rec, 'ping')).toBeGreaterThanOrEqual(149);

    const updated = await toxic.update({ ...body, attributes: { latency: 10, jitter: 0 } });
    expect(updated.attributes).toEqual({ latency: 10, jitter: 0 });
    expect(await roundTrip(socket, rec, 'ping')).toBeLessThan(140);
    expect((await proxy.getToxic('slow')).toJson()).toEqual(updated.toJson());

    const all = await toxiproxy.getAll();
    expect(Object.keys(all)).toEqual(['redis']);
    expect(await toxiproxy.getVersion()).toBe('{"version": "2.12.0+faultline"}\n');

    const disabled = await proxy.update({
      enabled: false,
      listen: proxy.listen,
      upstream: proxy.upstream,
    });
    expect(disabled.enabled).toBe(false);
    await rec.closed;

    const populated = await toxiproxy.populate([
      { name: 'redis', listen: proxy.listen, upstream: proxy.upstream },
      { name: 'other', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
    ]);
    expect(Object.keys(populated).sort()).toEqual(['other', 'redis']);

    await toxiproxy.reset();
    const reset = await toxiproxy.get('redis');
    expect(reset.enabled).toBe(true);
    expect((await h.api.toxics('redis')).length).toBe(0);

    await expect(
      toxiproxy.createProxy({ name: 'redis', listen: 'localhost:0', upstream: 'x:1' }),
    ).rejects.toThrow('Request failed with status code 409');
    await expect(toxic.remove()).rejects.toThrow('status code 404');
    await proxy.remove();
    await (await toxiproxy.get('other')).remove();
    expect(await toxiproxy.getAll()).toEqual({});
  });

  it('HTTP level: statuses, content types, request ids, browser block, PATCH', async () => {
    const url = h.server.url;
    const create = await fetch(`${url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'shape', upstream: `127.0.0.1:${echo.port}` }),
    });
    expect(create.status).toBe(201);
    expect(create.headers.get('x-toxiproxy-request-id')).toMatch(/^[0-9a-v]{20}$/);
    const toxic = await fetch(`${url}/proxies/shape/toxics`, {
      method: 'POST',
      body: '{"type":"noop"}',
    });
    expect(toxic.status).toBe(200);
    const patch = await fetch(`${url}/proxies/shape`, {
      method: 'PATCH',
      body: '{"enabled":false}',
    });
    expect(await patch.json()).toMatchObject({ enabled: false, Logger: {} });
    const dup = await fetch(`${url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'shape', upstream: 'x:1' }),
    });
    expect(dup.status).toBe(409);
    expect(dup.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await dup.text()).toBe('{"error":"proxy already exists","status":409}\n');
    const browser = await fetch(`${url}/proxies`, { headers: { 'user-agent': 'Mozilla/5.0' } });
    expect(browser.status).toBe(403);
    expect((await fetch(`${url}/proxies/shape`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${url}/reset`, { method: 'POST' })).status).toBe(204);
    const big = await fetch(`${url}/proxies`, {
      method: 'POST',
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
  });
});

describe('admin API: fuzzed over a socket', () => {
  it('malformed requests get 4xx, never a crash or a leaked descriptor', async () => {
    const port = portOf(h.server.url.slice('http://'.length));
    // Warm up the client side so lazily opened descriptors are counted in the baseline.
    await raw(port, 'GET /version HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(50);
    const before = fdCount();
    const junkRequest = fc.oneof(
      // Garbage instead of HTTP.
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a)),
      // Valid framing, malformed bodies and paths.
      fc
        .tuple(
          fc.constantFrom('POST', 'PATCH', 'PUT', 'DELETE', 'GET', 'OPTIONS', 'BREW'),
          fc.oneof(
            fc.constantFrom(
              '/proxies',
              '/populate',
              '/proxies/none',
              '/proxies/none/toxics/t',
              '/proxies/%zz',
              '/metrics/x',
              '/',
            ),
            fc.webPath(),
          ),
          fc.oneof(
            fc.string({ maxLength: 120 }),
            fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
          ),
        )
        .map(([method, path, body]) => {
          const payload = Buffer.from(body);
          return Buffer.concat([
            Buffer.from(
              `${method} ${path.startsWith('/') ? path : `/${path}`} HTTP/1.1\r\nHost: x\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n`,
            ),
            payload,
          ]);
        }),
      // Lies about the length, huge headers.
      fc.constantFrom(
        'POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"a"',
        'POST /proxies HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
        `GET /proxies HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        'POST /proxies HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
        'GET /proxies HTTP/9.9\r\n\r\n',
      ),
    );
    const samples = fc.sample(junkRequest, { numRuns: 300, seed: 21 });
    const statuses = new Map<number, number>();
    for (let i = 0; i < samples.length; i += 10) {
      const answers = await Promise.all(
        samples.slice(i, i + 10).map((request) => raw(port, request)),
      );
      for (const answer of answers) {
        const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
        if (match === null) continue; // Garbage may just get the connection closed.
        const status = Number(match[1]);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, answer.slice(0, 200)).toBeGreaterThanOrEqual(200);
        expect(status, answer.slice(0, 200)).toBeLessThan(500);
      }
    }
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
    // The API still works and nothing leaked.
    expect(await h.api.version()).toBe('2.12.0+faultline');
    await sleep(100);
    expect(fdCount()).toBeLessThanOrEqual(before + 2);
  });
});
