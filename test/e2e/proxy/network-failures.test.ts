/**
 * The network failures a chaos suite needs, reproduced through the proxy against a real HTTP
 * server, as the platform's `fetch` sees them. (Slow networks are shown at 100 ms; the 1 s and 5 s
 * variants are the same toxic with a bigger number and would only slow the suite down.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { now, portOf, startHarness, type Harness } from './helpers.ts';

let h: Harness;
let server: Server;
let received: { url: string; bytes: number; complete: boolean }[] = [];
let url = '';

beforeAll(async () => {
  h = await startHarness(13);
  server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      received.push({ url: req.url ?? '', bytes, complete: true });
      res.end('ok');
    });
    req.on('aborted', () => received.push({ url: req.url ?? '', bytes, complete: false }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy = await h.api.createProxy({
    name: 'web',
    upstream: `127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  url = `http://127.0.0.1:${portOf(proxy.listen)}`;
});

afterEach(async () => {
  await h.api.reset();
  received = [];
});

afterAll(async () => {
  await h.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
});

const causeCode = (error: unknown): string | undefined =>
  ((error as { cause?: { code?: string } }).cause ?? {}).code;

describe('network failures through the proxy', () => {
  it('connection refused: a disabled proxy', async () => {
    await h.api.disable('web');
    const error = await fetch(`${url}/`).catch((e: unknown) => e);
    expect(causeCode(error)).toBe('ECONNREFUSED');
  });

  it('connection timeout: the client gives up on a silent upstream', async () => {
    await h.api.addToxic('web', {
      type: 'timeout',
      stream: 'upstream',
      attributes: { timeout: 0 },
    });
    const start = now();
    const error = await fetch(`${url}/`, { signal: AbortSignal.timeout(200) }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
    expect(now() - start).toBeGreaterThanOrEqual(195);
    expect(received).toHaveLength(0);
  });

  it('drop mid-request: the server gets part of the body, the client an error', async () => {
    await h.api.addToxic('web', {
      type: 'limit_data',
      stream: 'upstream',
      attributes: { bytes: 400 },
    });
    const error = await fetch(`${url}/upload`, {
      method: 'POST',
      body: 'x'.repeat(100_000),
      headers: { 'content-type': 'text/plain' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([
      { url: '/upload', bytes: expect.any(Number) as number, complete: false },
    ]);
    expect(received[0]!.bytes).toBeLessThan(400);
  });

  it('slow network: 100 ms each way', async () => {
    await h.api.addToxic('web', {
      name: 'up',
      type: 'latency',
      stream: 'upstream',
      attributes: { latency: 100 },
    });
    await h.api.addToxic('web', { name: 'down', type: 'latency', attributes: { latency: 100 } });
    const start = now();
    const res = await fetch(`${url}/slow`);
    expect(await res.text()).toBe('ok');
    expect(now() - start).toBeGreaterThanOrEqual(199);
    expect(now() - start).toBeLessThan(400);
  });

  it('full partition, then healing: new requests go through again', async () => {
    await h.api.addToxic('web', {
      name: 'cut-up',
      type: 'timeout',
      stream: 'upstream',
      attributes: { timeout: 0 },
    });
    await h.api.addToxic('web', { name: 'cut-down', type: 'timeout', attributes: { timeout: 0 } });
    const error = await fetch(`${url}/`, { signal: AbortSignal.timeout(150) }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
    await h.api.removeToxic('web', 'cut-up');
    await h.api.removeToxic('web', 'cut-down');
    const res = await fetch(`${url}/healed`);
    expect(await res.text()).toBe('ok');
  });

  it('an upstream whose name does not resolve: the client connection is closed, the log says why', async () => {
    const proxy = await h.api.createProxy({
      name: 'nxdomain',
      upstream: 'no-such-host.invalid:80',
    });
    const error = await fetch(`http://${proxy.listen}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    const warning = h.logs.find((l) => l.proxy === 'nxdomain' && l.level === 'warn');
    expect(warning?.message).toBe('Unable to open connection to upstream');
    expect(String(warning?.['error'])).toContain('no-such-host.invalid');
    await h.api.deleteProxy('nxdomain');
  });
});
