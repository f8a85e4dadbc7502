/**
 * startDashboard over a real loopback socket: raw HTTP requests (so nothing normalizes them on
 * the way), the event stream through Node's fetch, disconnects and shutdown with streams open.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isInvalidOptionError, type Subscription } from '../../../src/core/index.ts';
import {
  LiveFeed,
  startDashboard,
  type DashboardServer,
  type LiveSnapshot,
  type LiveSource,
} from '../../../src/dashboard/index.ts';

const servers: DashboardServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(options: Parameters<typeof startDashboard>[0] = {}): Promise<DashboardServer> {
  const server = await startDashboard(options);
  servers.push(server);
  return server;
}

/** Sends `request` as is and returns everything the server sent until it closed the socket. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.end(request);
  });
}

const status = (response: string): number => Number(response.split(' ')[1]);

class CountingFeed implements LiveSource {
  readonly feed = new LiveFeed();
  listeners = 0;
  snapshot(): LiveSnapshot {
    return this.feed.snapshot();
  }
  onUpdate(listener: () => void): Subscription {
    this.listeners++;
    const inner = this.feed.onUpdate(listener);
    let done = false;
    const dispose = (): void => {
      if (done) return;
      done = true;
      this.listeners--;
      inner.dispose();
    };
    return { dispose, [Symbol.dispose]: dispose };
  }
}

describe('startDashboard on a socket', () => {
  it('binds 127.0.0.1 on a free port by default and serves the page', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('faultline dashboard');
  });

  it('serves nothing outside the asset map, however the path is spelled', async () => {
    const server = await start();
    for (const path of [
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/../../../../etc/passwd',
      '/assets/%2e%2e/%2e%2e/src/dashboard/assets.ts',
      '/node_modules/chart.js/package.json',
    ]) {
      const response = await raw(
        server.port,
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      expect(status(response), path).toBe(404);
      expect(response).not.toContain('"name"');
    }
  });

  it('refuses bodies and writes with 405, and closes without reading the body', async () => {
    const server = await start();
    const post = await raw(
      server.port,
      `POST /api/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n{"x":`,
    );
    expect(status(post)).toBe(405);
    expect(post.toLowerCase()).toContain('allow: get, head');
    expect(post.toLowerCase()).toContain('connection: close');
    const trace = await raw(server.port, `TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(status(trace)).toBe(405);
    const chunked = await raw(
      server.port,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    );
    expect(status(chunked)).toBe(400);
  });

  it('refuses a foreign Host on loopback (DNS rebinding), accepts loopback names', async () => {
    const server = await start();
    const ask = (host: string): Promise<string> =>
      raw(server.port, `GET /api/snapshot HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(status(await ask('attacker.example'))).toBe(403);
    expect(status(await ask(`localhost:${server.port}`))).toBe(200);
    expect(status(await ask(`127.0.0.1:${server.port}`))).toBe(200);
  });

  it('streams live updates and lets go when the client disconnects', async () => {
    const live = new CountingFeed();
    const server = await start({ live });
    const controller = new AbortController();
    const response = await fetch(`${server.url}api/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string): Promise<void> => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil('"status":"idle"');
    expect(live.listeners).toBe(1);
    live.feed.update((s) => ({ ...s, status: 'running', name: 'over-the-wire' }));
    await readUntil('"name":"over-the-wire"');
    controller.abort();
    await vi.waitFor(
      () => {
        expect(live.listeners).toBe(0);
      },
      { timeout: 5_000, interval: 10 },
    );
  });

  it('close() ends open event streams and stops listening', async () => {
    const live = new CountingFeed();
    const server = await startDashboard({ live });
    const response = await fetch(`${server.url}api/events`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(live.listeners).toBe(1);
    await server.close();
    expect(live.listeners).toBe(0);
    for (;;) {
      const { done } = await reader.read().catch(() => ({ done: true }));
      if (done) break;
    }
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('rejects bad options before listening', async () => {
    for (const [options, pattern] of [
      [{ port: 70_000 }, /startDashboard.*port.*70000/],
      [{ port: -1 }, /startDashboard.*port.*-1/],
      [{ port: 1.5 }, /startDashboard.*port/],
      [{ host: '' }, /startDashboard.*host/],
    ] as const) {
      const error = await startDashboard(options).catch((e: unknown) => e);
      expect(isInvalidOptionError(error)).toBe(true);
      expect((error as Error).message).toMatch(pattern);
    }
  });

  it('fails clearly when the port is taken', async () => {
    const first = await start();
    await expect(startDashboard({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
