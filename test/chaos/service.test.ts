/**
 * Service chaos against a real server process (`process.execPath` running a small HTTP
 * service): crashes and restarts, slow answers, memory and CPU pressure, a full disk, and the
 * circuit breaker and rate limiter that keep callers and the service apart. The service counts
 * the requests it handles and prints them, so every count here is the server's own.
 *
 * Time: crash, restart, memory and CPU run in real time (the process and the threads are real);
 * slow answers, breaker resets and rate windows run on a `VirtualClock`, moved only while no
 * real request is in flight.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRandom,
  isCircuitOpenError,
  isRateLimitedError,
  isTimeoutError,
  VirtualClock,
  writeFileAtomic,
} from '../../src/core/index.ts';
import { chaos, withChaos, type ChaosConfig } from '../../src/faults/index.ts';
import { installFsInterceptor, type InterceptorHandle } from '../../src/intercept/index.ts';
import {
  circuitBreaker,
  consecutiveFailures,
  fallback,
  retry,
  slidingWindow,
  timeout,
  wrap,
  type FallbackEvent,
  type RetryEvent,
} from '../../src/policies/index.ts';
import { constant } from '../../src/schedule/index.ts';
import {
  driveVirtualTime,
  errorCode,
  failed,
  HttpStatusError,
  httpGetJson,
  InFlight,
  outcome,
  realNow,
  setFailing,
  spawnService,
  startProxy,
  succeeded,
  waitFor,
  type Outcome,
  type ProxyHarness,
  type ServiceProcess,
} from './helpers.ts';

const MiB = 1024 * 1024;

/** Thread ids of the CPU fault's spinning worker threads (named `faultline-cpu`). */
function busyThreads(): string[] {
  return readdirSync('/proc/self/task').filter((tid) => {
    try {
      return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'faultline-cpu';
    } catch {
      return false; // the thread ended meanwhile
    }
  });
}

/**
 * Scheduler time of each of `threads` so far, in ns (`/proc/.../schedstat`): on a CPU, and
 * runnable but waiting for one. Their sum grows with wall time for a thread that never sleeps,
 * however busy the machine is; an idle thread adds nothing to either.
 */
function schedulerNs(threads: readonly string[]): { run: number; wait: number }[] {
  return threads.map((tid) => {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8')
        .trim()
        .split(' ')
        .map(Number);
      return { run: run ?? 0, wait: wait ?? 0 };
    } catch {
      return { run: 0, wait: 0 }; // ended meanwhile
    }
  });
}
let proxy: ProxyHarness;
const processes: ServiceProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

/** Starts a service process, stopped after the test. */
async function service(): Promise<ServiceProcess> {
  const started = await spawnService();
  processes.push(started);
  return started;
}

beforeAll(async () => {
  proxy = await startProxy({ seed: 'service' });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  for (const name of Object.keys(await proxy.api.proxies())) await proxy.api.deleteProxy(name);
});

afterAll(async () => {
  await proxy.close();
});

describe('crashes and restarts', () => {
  it('a crash in the middle of a request (kill -9): the caller gets ECONNRESET at once; retry reaches the restarted process at the same address', async () => {
    const first = await service();
    const { url } = await proxy.proxyTo('svc', first.port);
    const clock = new VirtualClock();
    const io = new InFlight();
    const policy = retry({
      maxAttempts: 4,
      schedule: constant(1000),
      clock,
      random: createRandom('crash'),
    });
    const retries: RetryEvent[] = [];
    let second: ServiceProcess | undefined;
    policy.onRetry((e) => {
      retries.push(e);
      // The supervisor's job, here by hand: start a new process and point the address at it.
      void io.track(async () => {
        second = await service();
        await proxy.api.updateProxy('svc', { upstream: `127.0.0.1:${second.port}` });
      });
    });
    const call = outcome(
      driveVirtualTime(
        clock,
        policy.execute(({ attempt }) =>
          io.track(() => httpGetJson(`${url}/${attempt === 1 ? 'hold' : 'work'}`)),
        ),
        io,
      ),
    );
    await waitFor(() => first.requests('/hold') === 1, 'the request to reach the service');
    first.child.kill('SIGKILL');
    const body = await succeeded(call);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(retries).toHaveLength(1);
    expect(errorCode(retries[0]?.error)).toBe('ECONNRESET');
    expect(body).toEqual({ ok: true, pid: second?.pid, n: 1 });
    expect(first.requests()).toBe(1);
    expect(await second?.handled()).toBe(1);
    expect(clock.now()).toBe(1000);
  });

  it.each([
    {
      how: 'graceful (SIGTERM)',
      signal: 'SIGTERM' as const,
      exit: { code: 0, signal: null },
      log: ['listening', 'request', 'draining', 'closed'],
    },
    {
      how: 'ungraceful (SIGKILL)',
      signal: 'SIGKILL' as const,
      exit: { code: null, signal: 'SIGKILL' },
      log: ['listening', 'request'],
    },
  ])(
    '$how restart: what the request in flight gets, how the process ends, and the new process serving',
    async ({ signal, exit, log }) => {
      const old = await service();
      const { url } = await proxy.proxyTo('svc', old.port);
      const inFlight = outcome(httpGetJson(`${url}/hold`));
      await waitFor(() => old.requests('/hold') === 1, 'the request to reach the service');
      old.child.kill(signal);
      const result = await inFlight;
      if (signal === 'SIGTERM') {
        // Drained: the request in flight is answered before the process exits.
        expect(result).toEqual({ ok: true, value: { drained: true, pid: old.pid } });
      } else {
        expect(result.ok).toBe(false);
        expect(errorCode((result as { error: unknown }).error)).toBe('ECONNRESET');
      }
      expect(await old.exited).toEqual(exit);
      expect(old.events.map((e) => e.event)).toEqual(log);
      expect(errorCode(await failed(outcome(httpGetJson(`${old.url}/work`))))).toBe('ECONNREFUSED');

      const next = await service();
      await proxy.api.updateProxy('svc', { upstream: `127.0.0.1:${next.port}` });
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await httpGetJson(`${url}/work`));
      expect(answers).toEqual([1, 2, 3].map((n) => ({ ok: true, pid: next.pid, n })));
      expect(old.requests()).toBe(1);
      expect(await next.handled()).toBe(3);
    },
  );
});

describe('slow responses, memory, CPU and disk', () => {
  it.each([
    { delay: 1000, answer: 'live', at: 1000 },
    { delay: 5000, answer: 'cached', at: 3000 },
    { delay: 10_000, answer: 'cached', at: 3000 },
  ])(
    'a response $delay ms slow (virtual time): a 3 s timeout with a fallback answers $answer at $at ms',
    async ({ delay, answer, at }) => {
      const svc = await service();
      const clock = new VirtualClock();
      const slow = await startProxy({ clock, seed: 'slow' });
      cleanups.push(() => slow.close());
      const { url } = await slow.proxyTo('svc', svc.port, { http: true });
      await slow.api.addToxic('svc', { type: 'http_slow_ttfb', attributes: { delay } });
      const guard = fallback<unknown>({ ok: true, cached: true });
      const fallbacks: FallbackEvent[] = [];
      guard.onFallback((e) => fallbacks.push(e));
      const policy = wrap(guard, timeout({ ms: 3000, clock }));
      const started = realNow();
      const call = outcome(policy.execute(({ signal }) => httpGetJson(`${url}/work`, { signal })));
      await waitFor(
        () => svc.requests('/work') === 1 && clock.pending === 2,
        'the answer to be held back by the proxy',
      );
      await clock.advance(Math.min(delay, 3000));
      const body = await succeeded(call);
      expect(clock.now()).toBe(at);
      if (answer === 'live') {
        expect(body).toEqual({ ok: true, pid: svc.pid, n: 1 });
        expect(fallbacks).toEqual([]);
      } else {
        expect(body).toEqual({ ok: true, cached: true });
        expect(fallbacks).toHaveLength(1);
        expect(isTimeoutError(fallbacks[0]?.reason)).toBe(true);
      }
      // The service did the work every time; only the caller stopped waiting.
      expect(await svc.handled()).toBe(1);
      expect(realNow() - started).toBeLessThan(1000);
    },
  );

  it('memory pressure: a 64 MiB ballast is held while the calls run and freed when the scope ends; failed allocations are retried and never reach the service', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const svc = await service();
    const call = withChaos((path: string) => httpGetJson(`${svc.url}${path}`), {
      operation: 'service:call',
    });
    gc();
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const pressure: ChaosConfig = {
      enabled: true,
      seed: 'memory',
      killSwitch: false,
      faults: [
        {
          kind: 'memory',
          mode: 'pressure',
          mib: 64,
          durationMs: 600_000,
          probability: 1,
          target: { operation: 'service:call' },
        },
      ],
    };
    const answers = await chaos.run(pressure, async () => {
      const out: unknown[] = [];
      for (let i = 0; i < 10; i++) {
        out.push(await call('/work'));
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      }
      return out;
    });
    expect(peak - before).toBeGreaterThan(60 * MiB); // the 64 MiB ballast, less what GC freed meanwhile
    // Released with the scope; V8 frees the backing stores after a collection, on a helper
    // thread, so wait for it (under load it can take a few turns).
    await waitFor(() => {
      gc();
      return process.memoryUsage().arrayBuffers - before < 8 * MiB;
    }, 'the ballast to be freed');
    expect(answers).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ ok: true, pid: svc.pid, n: i + 1 })),
    );

    // Allocation failures (`RangeError: Array buffer allocation failed`) on 30% of the calls.
    const clock = new VirtualClock();
    const io = new InFlight();
    const policy = retry({
      maxAttempts: 6,
      schedule: constant(10),
      clock,
      random: createRandom(4),
    });
    const retried: RetryEvent[] = [];
    policy.onRetry((e) => retried.push(e));
    const { results, injections } = await chaos.run(
      {
        enabled: true,
        seed: 'alloc',
        clock,
        killSwitch: false,
        faults: [{ kind: 'memory', probability: 0.3, target: { operation: 'service:call' } }],
      },
      async ({ scope }) => {
        const out: unknown[] = [];
        for (let i = 0; i < 40; i++) {
          out.push(
            await driveVirtualTime(
              clock,
              policy.execute(() => io.track(() => call('/work'))),
              io,
            ),
          );
        }
        return { results: out, injections: scope.journal.injections.length };
      },
    );
    expect(results).toHaveLength(40);
    expect(injections).toBeGreaterThan(5);
    expect(retried).toHaveLength(injections);
    expect(
      retried.every((e) => (e.error as Error).message === 'Array buffer allocation failed'),
    ).toBe(true);
    expect(await svc.handled()).toBe(10 + 40); // a failed allocation never sent a request
  });

  it('CPU saturation (real time, ~0.3 s): two busy threads burn CPU while the service keeps answering inside its deadline; they stop with the scope', async () => {
    const svc = await service();
    const call = withChaos((signal: AbortSignal) => httpGetJson(`${svc.url}/work`, { signal }), {
      operation: 'service:call',
    });
    const deadline = timeout({ ms: 2000 });
    await deadline.execute(({ signal }) => call(signal)); // warm up outside chaos
    expect(busyThreads()).toEqual([]);
    const measured = await chaos.run(
      {
        enabled: true,
        seed: 'cpu',
        killSwitch: false,
        faults: [
          {
            kind: 'cpu',
            workers: 2,
            durationMs: 60_000,
            probability: 1,
            target: { operation: 'service:call' },
          },
        ],
      },
      async () => {
        await deadline.execute(({ signal }) => call(signal)); // starts the pressure
        await waitFor(() => busyThreads().length === 2, 'the busy threads to start');
        const threads = busyThreads();
        const before = schedulerNs(threads);
        const started = realNow();
        let calls = 1;
        while (realNow() - started < 300) {
          await deadline.execute(({ signal }) => call(signal));
          calls++;
        }
        const wallNs = (realNow() - started) * 1e6;
        const demand = schedulerNs(threads).map((t, i) => {
          const b = before[i] ?? { run: 0, wait: 0 };
          return {
            running: (t.run - b.run) / wallNs,
            wanting: (t.run + t.wait - b.run - b.wait) / wallNs,
          };
        });
        return { threads: threads.length, calls, demand };
      },
    );
    expect(measured.threads).toBe(2);
    // Each thread wanted a CPU the whole window (running, or runnable and waiting for a core
    // when the machine is busy) and did run; an idle thread would be at 0 on both. A spinning
    // thread is at ~1; the margin covers the scheduler's lag in accounting the current slice.
    for (const thread of measured.demand) {
      expect(thread.wanting).toBeGreaterThan(0.5);
      expect(thread.running).toBeGreaterThan(0.05);
    }
    expect(await svc.handled()).toBe(1 + measured.calls); // every call under load was answered
    await waitFor(() => busyThreads().length === 0, 'the busy threads to stop');
  });

  describe('disk exhaustion (fs interceptor)', () => {
    let fsChaos: InterceptorHandle;
    let dir: string;
    beforeAll(async () => {
      fsChaos = installFsInterceptor();
      dir = await mkdtemp(join(tmpdir(), 'faultline-chaos-disk-'));
    });
    afterAll(async () => {
      fsChaos.uninstall();
      await rm(dir, { recursive: true, force: true });
    });

    it('ENOSPC: a plain write is torn, an atomic checkpoint write keeps the previous version, and a fallback spills to another disk', async () => {
      const primary = join(dir, 'primary');
      const spill = join(dir, 'spill');
      await mkdir(primary);
      await mkdir(spill);
      const checkpoint = join(primary, 'state.json');
      const v1 = JSON.stringify({ version: 1, items: ['a'] });
      const v2 = JSON.stringify({ version: 2, items: ['a', 'b', 'c', 'd', 'e', 'f'] });
      await writeFileAtomic(checkpoint, v1);
      const fallbacks: FallbackEvent[] = [];
      const spillOver = fallback<unknown>(() => writeFileAtomic(join(spill, 'state.json'), v2));
      spillOver.onFallback((e) => fallbacks.push(e));
      const full: ChaosConfig = {
        enabled: true,
        seed: 'disk',
        killSwitch: false,
        faults: [
          {
            kind: 'disk',
            name: 'full-open',
            error: 'ENOSPC',
            probability: 1,
            target: { path: `${primary}/*`, operation: 'fs.open' },
          },
          {
            kind: 'disk',
            name: 'full-write',
            error: 'ENOSPC',
            mode: 'partial-write',
            fraction: 0.5,
            probability: 1,
            target: { path: `${primary}/*`, operation: 'fs.writeFile' },
          },
        ],
      };
      const { plain, atomic } = await chaos.run(full, async () => ({
        plain: await outcome(writeFile(join(primary, 'plain.json'), v2)),
        atomic: await outcome(writeFileAtomic(checkpoint, v2)),
        spilled: await spillOver.execute(() => writeFileAtomic(checkpoint, v2)),
      }));
      expect(plain.ok || errorCode((plain as { error: unknown }).error)).toBe('ENOSPC');
      const torn = await readFile(join(primary, 'plain.json'), 'utf8');
      expect(torn).toBe(v2.slice(0, Math.floor(v2.length / 2)));
      expect(() => JSON.parse(torn) as unknown).toThrow(SyntaxError);

      expect(atomic.ok || errorCode((atomic as { error: unknown }).error)).toBe('ENOSPC');
      expect(await readFile(checkpoint, 'utf8')).toBe(v1); // never torn
      expect((await readdir(primary)).sort()).toEqual(['plain.json', 'state.json']); // no temp left

      expect(fallbacks).toHaveLength(1);
      expect(errorCode(fallbacks[0]?.reason)).toBe('ENOSPC');
      expect(await readFile(join(spill, 'state.json'), 'utf8')).toBe(v2);
    });
  });
});

describe('the breaker and the rate limiter in front of the service', () => {
  it('the breaker protects callers from a failing service: of 50 calls, 5 reach it and 45 are refused at once (without it, all 50 do)', async () => {
    const svc = await service();
    await setFailing(svc, true);
    const clock = new VirtualClock();
    const breaker = circuitBreaker({
      strategy: consecutiveFailures({ threshold: 5 }),
      resetTimeout: 30_000,
      clock,
    });
    const tally = async (guarded: boolean): Promise<Record<string, number>> => {
      const counts: Record<string, number> = { unavailable: 0, refused: 0, other: 0 };
      for (let i = 0; i < 50; i++) {
        const work = (): Promise<unknown> => httpGetJson(`${svc.url}/work`);
        const result = await outcome(guarded ? breaker.execute(work) : work());
        if (result.ok) counts['other'] = (counts['other'] ?? 0) + 1;
        else if (result.error instanceof HttpStatusError && result.error.status === 503) {
          counts['unavailable'] = (counts['unavailable'] ?? 0) + 1;
        } else if (isCircuitOpenError(result.error))
          counts['refused'] = (counts['refused'] ?? 0) + 1;
        else counts['other'] = (counts['other'] ?? 0) + 1;
      }
      return counts;
    };
    expect(await tally(true)).toEqual({ unavailable: 5, refused: 45, other: 0 });
    expect(await svc.handled('/work')).toBe(5);
    expect(await tally(false)).toEqual({ unavailable: 50, refused: 0, other: 0 });
    expect(await svc.handled('/work')).toBe(55);
  });

  it('the breaker goes CLOSED → OPEN → HALF_OPEN → OPEN (failed probe) → HALF_OPEN → CLOSED, in order, on the reset timeout', async () => {
    const svc = await service();
    const clock = new VirtualClock();
    const breaker = circuitBreaker({
      name: 'svc',
      strategy: consecutiveFailures({ threshold: 3 }),
      resetTimeout: 10_000,
      clock,
    });
    const log: string[] = [];
    breaker.onStateChange((e) => log.push(`${e.from}->${e.to}@${e.at}`));
    breaker.onBreak((e) => log.push(`break:${e.reason}:trip ${e.tripCount}`));
    breaker.onHalfOpen((e) => log.push(`half-open:${e.tripCount}`));
    breaker.onReset((e) => log.push(`reset:${e.reason}`));
    const call = (): Promise<Outcome<unknown>> =>
      outcome(breaker.execute(() => httpGetJson(`${svc.url}/work`)));

    await setFailing(svc, true);
    for (let i = 0; i < 3; i++) expect((await call()).ok).toBe(false);
    expect(breaker.state).toBe('open');
    const refused = await call(); // refused without reaching the service
    expect(!refused.ok && isCircuitOpenError(refused.error)).toBe(true);
    await clock.advance(10_000);
    expect((await call()).ok).toBe(false); // the probe meets the still-failing service
    expect(breaker.state).toBe('open');
    await setFailing(svc, false);
    await clock.advance(10_000);
    expect(await call()).toMatchObject({ ok: true });
    expect(breaker.state).toBe('closed');
    for (let i = 0; i < 5; i++) expect((await call()).ok).toBe(true);

    expect(log).toEqual([
      'closed->open@0',
      'break:consecutive-failures:trip 1',
      'open->half-open@10000',
      'half-open:1',
      'half-open->open@10000',
      'break:half-open-failure:trip 2',
      'open->half-open@20000',
      'half-open:2',
      'half-open->closed@20000',
      'reset:half-open-success',
    ]);
    // 3 failures + the refused call (not counted) + 2 probes + 5 healthy calls.
    expect(await svc.handled('/work')).toBe(3 + 2 + 5);
  });

  it('the rate limiter keeps the service under 5 requests per second through a burst of 30 (without it: 30 at once; in reject mode: 5 served, 25 refused)', async () => {
    const svc = await service();
    const clock = new VirtualClock();
    const io = new InFlight();
    // The service buckets requests by the virtual time they were sent; time stands still while a
    // request is in flight, so that is also the time they arrived.
    const send = (i: number): Promise<unknown> =>
      io.track(() =>
        httpGetJson(`${svc.url}/work?i=${i}`, { headers: { 'x-sent-at': String(clock.now()) } }),
      );
    const arrivals = (): number[] =>
      svc.events.filter((e) => e.event === 'request').map((e) => e.sentAt as number);
    const busiestSecond = (times: readonly number[]): number =>
      Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));

    const paced = slidingWindow({ limit: 5, windowMs: 1000, clock });
    const burst = Array.from({ length: 30 }, (_, i) => paced.execute(() => send(i)));
    const answers = await driveVirtualTime(clock, Promise.all(burst), io);
    expect(answers).toHaveLength(30);
    expect(await svc.handled('/work')).toBe(30);
    expect(busiestSecond(arrivals())).toBe(5);
    expect([...new Set(arrivals())]).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(clock.now()).toBe(5000);

    const before = arrivals().length;
    await driveVirtualTime(clock, Promise.all(Array.from({ length: 30 }, (_, i) => send(i))), io);
    await svc.handled();
    expect(busiestSecond(arrivals().slice(before))).toBe(30);

    const strict = slidingWindow({ limit: 5, windowMs: 1000, mode: 'reject', clock });
    const results = await driveVirtualTime(
      clock,
      Promise.all(Array.from({ length: 30 }, (_, i) => outcome(strict.execute(() => send(i))))),
      io,
    );
    const refused = results.filter((r) => !r.ok && isRateLimitedError(r.error));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(refused).toHaveLength(25);
    expect(await svc.handled('/work')).toBe(30 + 30 + 5);
  });
});
