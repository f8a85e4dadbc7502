/**
 * Every TCP toxic measured on real loopback sockets. Real time is unavoidable here: waits are
 * kept at or under ~300 ms and tolerances cover a loaded 2-core machine (timers fire late, never
 * early, so lower bounds are tight and upper bounds loose).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  echoServer,
  fdCount,
  now,
  portOf,
  record,
  roundTrip,
  sleep,
  sourceServer,
  startHarness,
  tcpServer,
  type Harness,
  type TcpServer,
} from './helpers.ts';

let h: Harness;
let echo: TcpServer;
let names = 0;

beforeAll(async () => {
  h = await startHarness(42);
  echo = await echoServer();
});

afterAll(async () => {
  await h.close();
  await echo.close();
});

async function proxyTo(port: number): Promise<{ name: string; port: number }> {
  const name = `p${names++}`;
  const proxy = await h.api.createProxy({ name, upstream: `127.0.0.1:${port}` });
  return { name, port: portOf(proxy.listen) };
}

describe('TCP toxics through the proxy', () => {
  it('no toxic: bytes pass and both directions are plain pipes', async () => {
    const p = await proxyTo(echo.port);
    const socket = await connect(p.port);
    const rec = record(socket);
    await roundTrip(socket, rec, 'hello');
    expect(rec.data().toString()).toBe('hello');
    expect(h.server.registry.get(p.name).connections()).toEqual([
      { id: 0, upstream: 'direct', downstream: 'direct' },
    ]);
    socket.destroy();
  });

  it('latency adds its delay to each direction it is on (±jitter)', async () => {
    const p = await proxyTo(echo.port);
    const socket = await connect(p.port);
    const rec = record(socket);
    const base = await roundTrip(socket, rec, 'warm');
    await h.api.addToxic(p.name, { name: 'down', type: 'latency', attributes: { latency: 100 } });
    const down = await roundTrip(socket, rec, 'a');
    expect(down).toBeGreaterThanOrEqual(99);
    expect(down).toBeLessThan(100 + base + 90);
    await h.api.addToxic(p.name, {
      name: 'up',
      type: 'latency',
      stream: 'upstream',
      attributes: { latency: 50, jitter: 10 },
    });
    const both = await roundTrip(socket, rec, 'b');
    expect(both).toBeGreaterThanOrEqual(139);
    expect(both).toBeLessThan(160 + base + 90);
    socket.destroy();
  });

  it('bandwidth holds the rate: 60 KB at 200 KB/s take ~300 ms', async () => {
    const source = await sourceServer(60_000);
    const p = await proxyTo(source.port);
    await h.api.addToxic(p.name, { type: 'bandwidth', attributes: { rate: 200 } });
    const start = now();
    const socket = await connect(p.port);
    const rec = record(socket);
    const { endAt } = await rec.closed;
    const elapsed = (endAt ?? now()) - start;
    expect(rec.data().length).toBe(60_000);
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(450);
    expect(rec.chunks.length).toBeGreaterThanOrEqual(3);
    await source.close();
  });

  it('slow_close delivers data at once and the close delay ms later', async () => {
    const source = await tcpServer((s) => s.end('bye'));
    const p = await proxyTo(source.port);
    await h.api.addToxic(p.name, { type: 'slow_close', attributes: { delay: 200 } });
    const start = now();
    const socket = await connect(p.port);
    const rec = record(socket);
    await rec.bytes(3);
    const { endAt } = await rec.closed;
    expect(rec.chunks[0]!.at - start).toBeLessThan(150);
    expect(endAt! - start).toBeGreaterThanOrEqual(199);
    expect(endAt! - start).toBeLessThan(390);
    await source.close();
  });

  it('timeout drops everything and closes after timeout ms', async () => {
    const p = await proxyTo(echo.port);
    await h.api.addToxic(p.name, { type: 'timeout', attributes: { timeout: 200 } });
    const start = now();
    const socket = await connect(p.port);
    const rec = record(socket);
    socket.write('anyone there?');
    const { at, error } = await rec.closed;
    expect(rec.data().length).toBe(0);
    expect(error).toBeUndefined();
    expect(at - start).toBeGreaterThanOrEqual(199);
    expect(at - start).toBeLessThan(390);
  });

  it('timeout 0 holds the connection open with nothing through until removed', async () => {
    const p = await proxyTo(echo.port);
    await h.api.addToxic(p.name, {
      name: 'hold',
      type: 'timeout',
      stream: 'upstream',
      attributes: { timeout: 0 },
    });
    const socket = await connect(p.port);
    const rec = record(socket);
    socket.write('held');
    await sleep(250);
    expect(rec.data().length).toBe(0);
    expect(socket.destroyed).toBe(false);
    await h.api.removeToxic(p.name, 'hold');
    // As in Toxiproxy: the bytes it dropped make the stream unusable, so removal closes it.
    const { error } = await rec.closed;
    expect(error).toBeUndefined();
    expect(rec.data().length).toBe(0);
  });

  it('reset_peer: the client sees ECONNRESET, after timeout ms', async () => {
    const p = await proxyTo(echo.port);
    await h.api.addToxic(p.name, {
      type: 'reset_peer',
      stream: 'upstream',
      attributes: { timeout: 100 },
    });
    const socket = await connect(p.port);
    const rec = record(socket);
    const start = now();
    socket.write('x');
    const { at, error } = await rec.closed;
    expect(error?.code).toBe('ECONNRESET');
    expect(at - start).toBeGreaterThanOrEqual(99);
    expect(at - start).toBeLessThan(300);
  });

  it('slicer cuts one write into many small ones, delay µs apart', async () => {
    const source = await sourceServer(4_000);
    const p = await proxyTo(source.port);
    await h.api.addToxic(p.name, {
      type: 'slicer',
      attributes: { average_size: 100, size_variation: 20, delay: 2000 },
    });
    const socket = await connect(p.port);
    const rec = record(socket);
    await rec.closed;
    expect(rec.data().length).toBe(4_000);
    expect(rec.chunks.length).toBeGreaterThanOrEqual(20);
    const span = rec.chunks.at(-1)!.at - rec.chunks[0]!.at;
    expect(span).toBeGreaterThanOrEqual(2 * (rec.chunks.length - 1) * 0.9);
    await source.close();
  });

  it('limit_data lets exactly bytes through, then closes', async () => {
    const source = await sourceServer(1_000);
    const p = await proxyTo(source.port);
    await h.api.addToxic(p.name, { type: 'limit_data', attributes: { bytes: 100 } });
    const socket = await connect(p.port);
    const rec = record(socket);
    const { error, endAt } = await rec.closed;
    expect(rec.data().length).toBe(100);
    expect(error).toBeUndefined();
    expect(endAt).toBeDefined();
    await source.close();
  });

  it('noop builds a chain that changes nothing', async () => {
    const p = await proxyTo(echo.port);
    await h.api.addToxic(p.name, { type: 'noop' });
    const socket = await connect(p.port);
    const rec = record(socket);
    await roundTrip(socket, rec, 'same');
    expect(rec.data().toString()).toBe('same');
    expect(h.server.registry.get(p.name).connections()[0]!.downstream).toBe('chain');
    socket.destroy();
  });

  it('connect_delay slows the handshake with the upstream', async () => {
    const p = await proxyTo(echo.port);
    await h.api.addToxic(p.name, {
      type: 'connect_delay',
      stream: 'upstream',
      attributes: { delay: 150 },
    });
    const start = now();
    const socket = await connect(p.port);
    const rec = record(socket);
    socket.write('first');
    await rec.bytes(5);
    expect(now() - start).toBeGreaterThanOrEqual(149);
    expect(now() - start).toBeLessThan(290);
    socket.destroy();
  });

  it('packet_loss stalls a lost chunk (and what follows) by stall ms', async () => {
    const p = await proxyTo(echo.port);
    const socket = await connect(p.port);
    const rec = record(socket);
    await h.api.addToxic(p.name, {
      type: 'packet_loss',
      attributes: { probability: 1, stall: 120 },
    });
    const rtt = await roundTrip(socket, rec, 'lost?');
    expect(rtt).toBeGreaterThanOrEqual(119);
    expect(rtt).toBeLessThan(235);
    socket.destroy();
  });

  it('proxy_bandwidth caps all connections together', async () => {
    const source = await sourceServer(30_000);
    const p = await proxyTo(source.port);
    await h.api.addToxic(p.name, { type: 'proxy_bandwidth', attributes: { rate: 200 } });
    const start = now();
    const recs = await Promise.all(
      [connect(p.port), connect(p.port)].map(async (s) => record(await s)),
    );
    const ends = await Promise.all(recs.map((r) => r.closed));
    const last = Math.max(...ends.map((e) => e.endAt ?? e.at)) - start;
    expect(recs.map((r) => r.data().length)).toEqual([30_000, 30_000]);
    // 60 KB at 200 KB/s in total: ~300 ms (each alone would take ~150 ms).
    expect(last).toBeGreaterThanOrEqual(290);
    expect(last).toBeLessThan(480);
    await source.close();
  });

  it('toxicity is drawn once per connection, reproducibly from the seed', async () => {
    const pattern = async (seed: number): Promise<boolean[]> => {
      const other = await startHarness(seed);
      try {
        const created = await other.api.createProxy({
          name: 'x',
          upstream: `127.0.0.1:${echo.port}`,
        });
        await other.api.addToxic('x', {
          type: 'latency',
          toxicity: 0.5,
          attributes: { latency: 60 },
        });
        const slow: boolean[] = [];
        for (let i = 0; i < 12; i++) {
          const socket = await connect(portOf(created.listen));
          const rec = record(socket);
          const first = await roundTrip(socket, rec, 'a');
          const second = await roundTrip(socket, rec, 'b');
          expect(first >= 59).toBe(second >= 59);
          slow.push(first >= 59);
          socket.destroy();
        }
        return slow;
      } finally {
        await other.close();
      }
    };
    const first = await pattern(7);
    expect(await pattern(7)).toEqual(first);
    const hits = first.filter(Boolean).length;
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThan(12);
  });

  it('disable drops live connections and refuses new ones; enable brings it back', async () => {
    const p = await proxyTo(echo.port);
    const socket = await connect(p.port);
    const rec = record(socket);
    await roundTrip(socket, rec, 'up');
    await h.api.disable(p.name);
    await rec.closed;
    const refused = await connect(p.port).catch((e: unknown) => e);
    expect((refused as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await h.api.enable(p.name);
    const again = await connect(p.port);
    const rec2 = record(again);
    await roundTrip(again, rec2, 'back');
    expect(rec2.data().toString()).toBe('back');
    again.destroy();
  });

  it('live toxic changes apply to an open connection without losing or reordering a byte', async () => {
    const p = await proxyTo(echo.port);
    const socket = await connect(p.port);
    const rec = record(socket);
    const registry = h.server.registry;
    let sent = 0;
    const state = { writing: true };
    const pump = (async () => {
      while (state.writing) {
        const chunk = Buffer.alloc(512);
        for (let i = 0; i < chunk.length; i++) chunk[i] = (sent + i) % 251;
        sent += chunk.length;
        socket.write(chunk);
        await sleep(2);
      }
    })();
    const modes: string[] = [];
    const mode = (): void => {
      modes.push(registry.get(p.name).connections()[0]!.downstream);
    };
    await sleep(30);
    mode();
    await h.api.addToxic(p.name, {
      name: 'lat',
      type: 'latency',
      attributes: { latency: 30, jitter: 10 },
    });
    await sleep(40);
    mode();
    await h.api.addToxic(p.name, { name: 'bw', type: 'bandwidth', attributes: { rate: 500 } });
    await h.api.addToxic(p.name, {
      name: 'sl',
      type: 'slicer',
      stream: 'upstream',
      attributes: { average_size: 64, size_variation: 16, delay: 100 },
    });
    await sleep(40);
    await h.api.updateToxic(p.name, 'lat', { attributes: { latency: 5 } });
    await sleep(30);
    await h.api.removeToxic(p.name, 'lat');
    await h.api.removeToxic(p.name, 'bw');
    await sleep(20);
    await h.api.removeToxic(p.name, 'sl');
    await sleep(20);
    mode();
    state.writing = false;
    await pump;
    await rec.bytes(sent);
    const received = rec.data();
    expect(received.length).toBe(sent);
    for (let i = 0; i < received.length; i++) {
      if (received[i] !== i % 251) throw new Error(`byte ${i} out of order`);
    }
    expect(socket.destroyed).toBe(false);
    expect(modes).toEqual(['direct', 'chain', 'direct']);
    socket.destroy();
  });

  it('half-close: the client ends, the server still answers', async () => {
    const p = await proxyTo(echo.port);
    const socket = await connect(p.port);
    const rec = record(socket);
    socket.end('last words');
    const { endAt, error } = await rec.closed;
    expect(error).toBeUndefined();
    expect(endAt).toBeDefined();
    expect(rec.data().toString()).toBe('last words');
  });

  it('clean shutdown closes listeners and connections; descriptors come back', async () => {
    const before = fdCount();
    const other = await startHarness(3);
    const created = await other.api.createProxy({ name: 'x', upstream: `127.0.0.1:${echo.port}` });
    const sockets = await Promise.all([1, 2, 3].map(() => connect(portOf(created.listen))));
    const recs = sockets.map(record);
    await Promise.all(sockets.map((s, i) => roundTrip(s, recs[i]!, 'x')));
    await other.close();
    await Promise.all(recs.map((r) => r.closed));
    expect(await connect(portOf(created.listen)).catch((e: unknown) => e)).toMatchObject({
      code: 'ECONNREFUSED',
    });
    await sleep(50);
    expect(fdCount()).toBeLessThanOrEqual(before + 1);
  });
});
