/**
 * Network chaos through the faultline proxy against a real HTTP server on 127.0.0.1, as Node's
 * `fetch` sees it, and faultline's timeout, retry and circuit breaker on top.
 *
 * Time: refusals, resets, drops and the 100 ms latency run in real time (short). Every wait that
 * is longer (1 s and 5 s latencies, connect timeouts, partitions, backoff, breaker resets) runs
 * on a `VirtualClock` shared by the proxy's toxics and the client's policies: the sockets are
 * real, the waits cost no real time, and the test says exactly when they elapse.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRandom,
  isCircuitOpenError,
  isInjectedFault,
  isTimeoutError,
  VirtualClock,
} from '../../src/core/index.ts';
import { chaos } from '../../src/faults/index.ts';
import { installFetchInterceptor, type InterceptorHandle } from '../../src/intercept/index.ts';
import {
  circuitBreaker,
  consecutiveFailures,
  fallback,
  retry,
  timeout,
  wrap,
  type CircuitStateChangeEvent,
  type FallbackEvent,
  type RetryEvent,
  type RetryGiveUpEvent,
  type TimeoutEvent,
} from '../../src/policies/index.ts';
import type { ChaosProxy } from '../../src/proxy/index.ts';
import { constant, exponential } from '../../src/schedule/index.ts';
import {
  driveVirtualTime,
  errorCode,
  failed,
  freePort,
  getJson,
  httpGetJson,
  InFlight,
  outcome,
  realNow,
  startHttpService,
  startProxy,
  waitFor,
  type HttpService,
  type ProxyHarness,
} from './helpers.ts';

let service: HttpService;
/** A proxy on the real clock, `web` -> the service. */
let real: ProxyHarness;
let webUrl = '';
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  service = await startHttpService();
  real = await startProxy({ seed: 'network' });
  webUrl = (await real.proxyTo('web', service.port)).url;
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await real.api.reset();
  service.requests.length = 0;
});

afterAll(async () => {
  await real.close();
  await service.close();
});

/** A second proxy server whose toxics wait on `clock`, with a proxy `web` -> the service. */
async function virtualProxy(
  clock: VirtualClock,
): Promise<{ harness: ProxyHarness; url: string; proxy: ChaosProxy }> {
  const harness = await startProxy({ clock, seed: 'network-virtual' });
  cleanups.push(() => harness.close());
  const { url, proxy } = await harness.proxyTo('web', service.port);
  return { harness, url, proxy };
}

describe('network failures as the client sees them', () => {
  it('connection refused (nothing listening, or the proxy disabled): ECONNREFUSED at once; retry gives up after its attempts with the original error', async () => {
    const nothing = await failed(outcome(getJson(`http://127.0.0.1:${await freePort()}/x`)));
    expect(nothing).toBeInstanceOf(TypeError);
    expect(errorCode(nothing)).toBe('ECONNREFUSED');

    await real.api.disable('web');
    const clock = new VirtualClock();
    const io = new InFlight();
    const policy = retry({
      maxAttempts: 3,
      schedule: constant(250),
      clock,
      random: createRandom(1),
    });
    const retries: RetryEvent[] = [];
    const giveUps: RetryGiveUpEvent[] = [];
    policy.onRetry((e) => retries.push(e));
    policy.onGiveUp((e) => giveUps.push(e));
    const seen: unknown[] = [];
    const connectionsBefore = service.connections();
    const error = await failed(
      outcome(
        driveVirtualTime(
          clock,
          policy.execute(() =>
            io
              .track(() => getJson(`${webUrl}/refused`))
              .catch((e: unknown) => {
                seen.push(e);
                throw e;
              }),
          ),
          io,
        ),
      ),
    );
    expect(errorCode(error)).toBe('ECONNREFUSED');
    expect(seen).toHaveLength(3);
    expect(error).toBe(seen[2]); // the caller's own error, not a wrapper
    expect(retries.map((r) => [r.attempt, r.delayMs, errorCode(r.error)])).toEqual([
      [1, 250, 'ECONNREFUSED'],
      [2, 250, 'ECONNREFUSED'],
    ]);
    expect(giveUps).toMatchObject([{ attempts: 3, reason: 'attempts' }]);
    expect(clock.now()).toBe(500);
    expect(service.connections()).toBe(connectionsBefore);
    expect(service.requests).toEqual([]);
  });

  it.each([
    {
      name: 'connect_delay (the server cannot be reached for 30 s)',
      toxic: { type: 'connect_delay' as const, attributes: { delay: 30_000 } },
      serverConnections: 0,
    },
    {
      name: 'timeout toxic (a black hole: connected, every byte dropped)',
      toxic: { type: 'timeout' as const, stream: 'upstream' as const, attributes: { timeout: 0 } },
      serverConnections: 1,
    },
  ])(
    'connection timeout, $name: the timeout policy gives up at its 2 s deadline, the server handles nothing',
    async ({ toxic, serverConnections }) => {
      const clock = new VirtualClock();
      const { harness, url, proxy } = await virtualProxy(clock);
      await harness.api.addToxic('web', toxic);
      const policy = timeout({ ms: 2000, clock });
      const fired: TimeoutEvent[] = [];
      policy.onTimeout((e) => fired.push(e));
      const before = service.connections();
      const started = realNow();
      const call = outcome(
        policy.execute(({ signal }) => getJson(`${url}/unreachable`, { signal })),
      );
      await waitFor(() => proxy.connectionsTotal === 1, 'the proxy to accept the connection');
      expect(clock.peek()).toBe(2000); // nothing else is due before the deadline
      await clock.advance(1999);
      expect(fired).toEqual([]);
      await clock.advance(1);
      const error = await failed(call);
      expect(isTimeoutError(error)).toBe(true);
      expect(fired).toEqual([{ timeoutMs: 2000, strategy: 'aggressive' }]);
      expect(realNow() - started).toBeLessThan(2000); // virtual: no real second was spent
      expect(service.connections() - before).toBe(serverConnections);
      expect(service.requests).toEqual([]);
    },
  );

  describe('DNS resolution failure (fetch interceptor)', () => {
    let fetchChaos: InterceptorHandle;
    beforeAll(() => {
      fetchChaos = installFetchInterceptor();
    });
    afterAll(() => {
      fetchChaos.uninstall();
    });

    it('a name that does not resolve fails with ENOTFOUND before any connection; a fallback to the address recovers and says why', async () => {
      const host = 'catalog.shop.internal';
      const byName = `http://${host}:${service.port}/items`;
      const policy = fallback<unknown>(() => getJson(`${service.url}/items?via=address`));
      const fallbacks: FallbackEvent[] = [];
      policy.onFallback((e) => fallbacks.push(e));
      const before = service.connections();
      const { direct, recovered } = await chaos.run(
        {
          enabled: true,
          seed: 'dns',
          killSwitch: false,
          faults: [{ kind: 'network', error: 'ENOTFOUND', probability: 1, target: { host } }],
        },
        async ({ scope }) => ({
          direct: await outcome(getJson(byName)),
          recovered: await policy.execute(() => getJson(byName)),
          injected: scope.journal.injections.length,
        }),
      );
      expect(direct.ok).toBe(false);
      const error = (direct as { error: Error & { cause?: unknown } }).error;
      expect(error).toBeInstanceOf(TypeError);
      expect(error.cause).toMatchObject({
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: host,
      });
      expect(isInjectedFault(error.cause)).toBe(true);
      expect(recovered).toEqual({ ok: true, path: '/items?via=address' });
      expect(fallbacks).toHaveLength(1);
      expect(errorCode(fallbacks[0]?.reason)).toBe('ENOTFOUND');
      // Only the fallback's request reached the server.
      expect(service.connections() - before).toBe(1);
      expect(service.requests.map((r) => r.path)).toEqual(['/items?via=address']);
    });
  });

  it('connection dropped mid-request: reset_peer gives ECONNRESET, limit_data leaves the server an incomplete body; retry recovers once the drop passes', async () => {
    await real.api.addToxic('web', {
      name: 'reset',
      type: 'reset_peer',
      stream: 'upstream',
      attributes: { timeout: 0 },
    });
    const reset = await failed(outcome(getJson(`${webUrl}/reset`)));
    expect(errorCode(reset)).toBe('ECONNRESET');
    expect(service.requests).toEqual([]);
    await real.api.removeToxic('web', 'reset');

    await real.api.addToxic('web', {
      name: 'cut',
      type: 'limit_data',
      stream: 'upstream',
      attributes: { bytes: 400 },
    });
    const upload = (): Promise<unknown> =>
      fetch(`${webUrl}/upload`, { method: 'POST', body: 'x'.repeat(100_000) }).then((res) =>
        res.json(),
      );
    const clock = new VirtualClock();
    const io = new InFlight();
    const policy = retry({
      maxAttempts: 3,
      schedule: constant(100),
      clock,
      random: createRandom(2),
    });
    const retries: RetryEvent[] = [];
    policy.onRetry((e) => {
      retries.push(e);
      // The drop was transient: the link is whole again before the next attempt.
      void io.track(() => real.api.removeToxic('web', 'cut'));
    });
    const result = await driveVirtualTime(
      clock,
      policy.execute(() => io.track(upload)),
      io,
    );
    expect(result).toEqual({ ok: true, path: '/upload' });
    expect(retries).toHaveLength(1);
    expect(retries[0]?.error).toBeInstanceOf(TypeError);
    expect(clock.now()).toBe(100);
    await waitFor(() => service.requests.length === 2, 'both requests to be recorded');
    const [cut, whole] = [...service.requests].sort((a, b) => a.bytes - b.bytes);
    expect(cut).toMatchObject({ path: '/upload', complete: false });
    expect(cut?.bytes).toBeLessThan(400);
    expect(whole).toMatchObject({ path: '/upload', complete: true, bytes: 100_000 });
  });
});

describe('slow networks and the timeout policy', () => {
  it('100 ms latency (real time): the answer arrives after the latency, well inside a 1 s deadline', async () => {
    await real.api.addToxic('web', { type: 'latency', attributes: { latency: 100 } });
    const policy = timeout({ ms: 1000 });
    const started = realNow();
    const body = await policy.execute(({ signal }) => getJson(`${webUrl}/slow`, { signal }));
    const elapsed = realNow() - started;
    expect(body).toEqual({ ok: true, path: '/slow' });
    expect(elapsed).toBeGreaterThanOrEqual(99);
    expect(elapsed).toBeLessThan(1000);
    expect(service.requests).toHaveLength(1);
  });

  it.each([
    { latency: 1000, deadline: 2000, answeredAt: 1000 },
    { latency: 5000, deadline: 2000, timedOutAt: 2000 },
    { latency: 5000, deadline: 500, timedOutAt: 500 },
    { latency: 5000, deadline: 4999, timedOutAt: 4999 },
    { latency: 5000, deadline: 5001, answeredAt: 5000 },
  ])(
    '$latency ms latency (virtual time) against a $deadline ms deadline',
    async ({ latency, deadline, answeredAt, timedOutAt }) => {
      const clock = new VirtualClock();
      const { harness, url } = await virtualProxy(clock);
      await harness.api.addToxic('web', { type: 'latency', attributes: { latency } });
      const policy = timeout({ ms: deadline, clock });
      const fired: TimeoutEvent[] = [];
      policy.onTimeout((e) => fired.push(e));
      const started = realNow();
      const call = outcome(policy.execute(({ signal }) => getJson(`${url}/slow`, { signal })));
      // The request reached the server; its answer now waits in the proxy for `latency` ms.
      await waitFor(() => clock.pending === 2, 'the answer to be held by the latency toxic');
      expect(service.requests).toHaveLength(1);
      await clock.advance(Math.min(latency, deadline));
      const result = await call;
      if (answeredAt !== undefined) {
        expect(result).toEqual({ ok: true, value: { ok: true, path: '/slow' } });
        expect(clock.now()).toBe(answeredAt);
        expect(fired).toEqual([]);
      } else {
        expect(result.ok).toBe(false);
        expect(isTimeoutError((result as { error: unknown }).error)).toBe(true);
        expect(clock.now()).toBe(timedOutAt);
        expect(fired).toEqual([{ timeoutMs: deadline, strategy: 'aggressive' }]);
      }
      expect(realNow() - started).toBeLessThan(1000);
    },
  );
});

describe('partitions, retry and the circuit breaker', () => {
  it('network partition: every call to the partitioned host times out while another route works; after healing calls go through', async () => {
    const clock = new VirtualClock();
    const { harness, url, proxy } = await virtualProxy(clock);
    const other = await harness.proxyTo('other', service.port);
    for (const stream of ['upstream', 'downstream'] as const) {
      await harness.api.addToxic('web', {
        name: `cut-${stream}`,
        type: 'timeout',
        stream,
        attributes: { timeout: 0 },
      });
    }
    const policy = timeout({ ms: 1000, clock });
    const outcomes: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const call = outcome(policy.execute(({ signal }) => httpGetJson(`${url}/p${i}`, { signal })));
      await waitFor(() => proxy.connectionsTotal === i + 1, 'the call to enter the partition');
      await clock.advance(1000);
      const result = await call;
      outcomes.push(result.ok);
      if (!result.ok) expect(isTimeoutError(result.error)).toBe(true);
    }
    expect(outcomes).toEqual([false, false, false, false, false]);
    expect(service.requests).toEqual([]);
    // The partition is per route: the other proxy to the same server is fine.
    expect(await getJson(`${other.url}/side`)).toEqual({ ok: true, path: '/side' });
    await harness.api.removeToxic('web', 'cut-upstream');
    await harness.api.removeToxic('web', 'cut-downstream');
    expect(await getJson(`${url}/healed`)).toEqual({ ok: true, path: '/healed' });
    expect(service.requests.map((r) => r.path)).toEqual(['/side', '/healed']);
    expect(clock.now()).toBe(5000);
  });

  it('retry recovers from transient connection failures with exponential backoff: 100, 200, 400 ms, then success', async () => {
    await real.api.disable('web');
    const clock = new VirtualClock();
    const io = new InFlight();
    const policy = retry({
      maxAttempts: 5,
      schedule: exponential({ initialDelayMs: 100, factor: 2 }),
      clock,
      random: createRandom(3),
    });
    const retries: RetryEvent[] = [];
    const attemptsAt: number[] = [];
    let successes: number | undefined;
    policy.onSuccess((e) => (successes = e.attempts));
    policy.onRetry((e) => {
      retries.push(e);
      if (e.attempt === 3) void io.track(() => real.api.enable('web').then(() => undefined));
    });
    const body = await driveVirtualTime(
      clock,
      policy.execute(() => {
        attemptsAt.push(clock.now());
        return io.track(() => getJson(`${webUrl}/flaky`));
      }),
      io,
    );
    expect(body).toEqual({ ok: true, path: '/flaky' });
    expect(retries.map((r) => [r.attempt, r.delayMs, errorCode(r.error)])).toEqual([
      [1, 100, 'ECONNREFUSED'],
      [2, 200, 'ECONNREFUSED'],
      [3, 400, 'ECONNREFUSED'],
    ]);
    expect(attemptsAt).toEqual([0, 100, 300, 700]);
    expect(successes).toBe(4);
    expect(service.requests.map((r) => r.path)).toEqual(['/flaky']);
  });

  it('the circuit breaker opens after 3 connection timeouts and keeps the next calls off the network; a probe closes it once the route heals', async () => {
    const clock = new VirtualClock();
    const { harness, url, proxy } = await virtualProxy(clock);
    await harness.api.addToxic('web', {
      name: 'unreachable',
      type: 'connect_delay',
      attributes: { delay: 3_600_000 },
    });
    const breaker = circuitBreaker({
      strategy: consecutiveFailures({ threshold: 3 }),
      resetTimeout: 10_000,
      clock,
    });
    const transitions: CircuitStateChangeEvent[] = [];
    breaker.onStateChange((e) => transitions.push(e));
    const policy = wrap(breaker, timeout({ ms: 1000, clock }));
    const call = (i: number): Promise<unknown> =>
      policy.execute(({ signal }) => httpGetJson(`${url}/c${i}`, { signal }));
    const serverConnections = service.connections();

    for (let i = 1; i <= 3; i++) {
      const pending = outcome(call(i));
      await waitFor(() => proxy.connectionsTotal === i, `connection ${i} to reach the proxy`);
      await clock.advance(1000);
      expect(isTimeoutError(await failed(pending))).toBe(true);
    }
    expect(breaker.state).toBe('open');
    const refusals = [];
    for (let i = 4; i <= 10; i++) refusals.push(await failed(outcome(call(i))));
    expect(refusals.every((e) => isCircuitOpenError(e))).toBe(true);
    expect((refusals[0] as unknown as { retryAfterMs: number }).retryAfterMs).toBe(10_000);
    expect(proxy.connectionsTotal).toBe(3); // the 7 refused calls never left the process
    expect(service.connections()).toBe(serverConnections); // and the 3 timed out before the server
    expect(service.requests).toEqual([]);

    await harness.api.removeToxic('web', 'unreachable');
    await clock.advance(10_000);
    expect(breaker.state).toBe('half-open');
    expect(await call(11)).toEqual({ ok: true, path: '/c11' });
    expect(breaker.state).toBe('closed');
    expect(proxy.connectionsTotal).toBe(4);
    expect(service.connections()).toBe(serverConnections + 1);
    expect(service.requests.map((r) => r.path)).toEqual(['/c11']);
    expect(transitions.map((t) => `${t.from}->${t.to}@${t.at}`)).toEqual([
      'closed->open@3000',
      'open->half-open@13000',
      'half-open->closed@13000',
    ]);
  });
});
