/**
 * Node's global fetch against a real HTTP server on 127.0.0.1, with the fetch interceptor
 * installed: faults only inside a chaos scope, the exact old behaviour outside and after
 * uninstall.
 */
import { getGlobalDispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/index.ts';
import {
  ChaosEngine,
  chaos,
  isInjectedFault,
  type ChaosConfig,
  type FaultSpec,
} from '../../../src/faults/index.ts';
import { installFetchInterceptor, type InterceptorHandle } from '../../../src/intercept/index.ts';
import { retry } from '../../../src/policies/index.ts';
import { constant } from '../../../src/schedule/index.ts';
import { rejection, startServer, until, type TestServer } from './helpers.ts';

let server: TestServer;
let handle: InterceptorHandle;

const always = (fault: FaultSpec, extra: Partial<ChaosConfig> = {}): ChaosConfig => ({
  enabled: true,
  seed: 'fetch',
  killSwitch: false,
  faults: [{ probability: 1, ...fault }],
  ...extra,
});

const getJson = async (url: string): Promise<unknown> => {
  const res = await fetch(url);
  return res.json();
};

beforeAll(async () => {
  server = await startServer();
  handle = installFetchInterceptor();
});

afterAll(async () => {
  handle.uninstall();
  await server.close();
});

afterEach(() => {
  server.requests.length = 0;
});

describe('outside a chaos scope', () => {
  it('fetch behaves as before: status, headers and body come from the server', async () => {
    const res = await fetch(`${server.url}/plain`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ ok: true, items: ['a', 'b', 'c', 'd'], price: 42 });
    expect(server.requests).toEqual(['GET /plain']);
  });

  it('a scope that is not enabled injects nothing', async () => {
    const body = await chaos.run(
      { enabled: false, faults: [{ kind: 'network', probability: 1 }] },
      () => getJson(`${server.url}/off`),
    );
    expect(body).toMatchObject({ ok: true });
    expect(server.requests).toEqual(['GET /off']);
  });

  it('calls started outside keep working while a scope with faults runs elsewhere', async () => {
    const inside = chaos.run(always({ kind: 'network' }), () =>
      rejection(fetch(`${server.url}/in`)),
    );
    const outside = getJson(`${server.url}/out`);
    const [error, body] = await Promise.all([inside, outside]);
    expect(error.message).toBe('fetch failed');
    expect(body).toMatchObject({ ok: true });
    expect(server.requests).toEqual(['GET /out']);
  });
});

describe('network faults inside a scope', () => {
  it.each([
    ['ECONNRESET', 'read'],
    ['ECONNREFUSED', 'connect'],
    ['ENOTFOUND', 'getaddrinfo'],
    ['ETIMEDOUT', 'connect'],
  ])(
    '%s: fetch rejects as Node does (TypeError "fetch failed" caused by the error)',
    async (code, syscall) => {
      const error = await chaos.run(always({ kind: 'network', error: code }), () =>
        rejection(fetch(`${server.url}/x`)),
      );
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe('fetch failed');
      const cause = error.cause as Error & { code: string; syscall: string };
      expect(cause.code).toBe(code);
      expect(cause.syscall).toBe(syscall);
      expect(isInjectedFault(cause)).toBe(true);
      expect(server.requests).toEqual([]); // nothing reached the server
      // Outside the scope again: the same URL works.
      expect(await getJson(`${server.url}/x`)).toMatchObject({ ok: true });
    },
  );

  it('a dropped connection delivers the headers and half the body, then the read fails', async () => {
    const { status, error } = await chaos.run(
      always({ kind: 'network', mode: 'drop', error: 'ECONNRESET' }),
      async () => {
        const res = await fetch(`${server.url}/drop`);
        return { status: res.status, error: await rejection(res.text()) };
      },
    );
    expect(status).toBe(200);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('terminated');
    expect((error.cause as { code: string }).code).toBe('ECONNRESET');
    expect(server.requests).toEqual(['GET /drop']); // the server did the work
  });

  it('a partial write truncates the body at the fault fraction', async () => {
    const full = JSON.stringify({ ok: true, items: ['a', 'b', 'c', 'd'], price: 42 });
    const received = await chaos.run(
      always({ kind: 'disk', mode: 'partial-write', fraction: 0.25, error: 'EIO' }),
      async () => {
        const res = await fetch(`${server.url}/partial`);
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        const chunks: Uint8Array[] = [];
        const failure = await (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return undefined;
            chunks.push(value);
          }
        })().catch((e: unknown) => e as Error);
        return { text: Buffer.concat(chunks).toString(), failure };
      },
    );
    expect(received.text).toBe(full.slice(0, Math.floor(full.length * 0.25)));
    expect(((received.failure as Error).cause as { code: string }).code).toBe('EIO');
  });

  it('a partition fails every call to the partitioned host while other hosts work', async () => {
    const clock = new VirtualClock();
    const config = always(
      { kind: 'network', mode: 'partition', durationMs: 1000, target: { host: '127.0.0.1' } },
      { clock },
    );
    const outcome = await chaos.run(config, async ({ scope }) => {
      const first = await rejection(fetch(`${server.url}/p1`));
      const second = await rejection(fetch(`${server.url}/p2`));
      const other = await getJson(`http://localhost:${server.port}/other`);
      const journal = scope.journal.injections.map((i) => i.target.host);
      return { first, second, other, journal };
    });
    expect((outcome.first.cause as { code: string }).code).toBe('ECONNRESET');
    expect((outcome.second.cause as { code: string }).code).toBe('ECONNRESET');
    expect(outcome.other).toMatchObject({ ok: true });
    expect(outcome.journal).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(server.requests).toEqual(['GET /other']);
  });
});

describe('HTTP status faults inside a scope', () => {
  it('429 with Retry-After is a real response: status, headers and JSON body', async () => {
    const res = await chaos.run(
      always({ kind: 'error', type: 'rate-limited', retryAfterMs: 1500 }),
      () => fetch(`${server.url}/v1/chat`),
    );
    expect(res.status).toBe(429);
    expect(res.statusText).toBe('Too Many Requests');
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('retry-after-ms')).toBe('1500');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      error: {
        message: '429 Too Many Requests: Rate limit exceeded; retry later',
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
      },
    });
    expect(server.requests).toEqual([]);
  });

  it.each([500, 502, 503, 504, 401, 403])('status %i', async (status) => {
    const res = await chaos.run(always({ kind: 'error', status }), () => fetch(`${server.url}/s`));
    expect(res.status).toBe(status);
    expect(server.requests).toEqual([]);
  });
});

describe('latency, hang and transforms inside a scope', () => {
  it('latency waits on the scope clock before the request is sent', async () => {
    const clock = new VirtualClock();
    await chaos.run(always({ kind: 'latency', ms: 5000 }, { clock }), async () => {
      let done = false;
      const call = getJson(`${server.url}/slow`).then((body) => {
        done = true;
        return body;
      });
      await until(() => clock.pending > 0);
      await clock.advance(4999);
      expect(done).toBe(false);
      expect(server.requests).toEqual([]);
      await clock.advance(1);
      expect(await call).toMatchObject({ ok: true });
      expect(server.requests).toEqual(['GET /slow']);
    });
  });

  it('a hang holds the request until the caller aborts; nothing is sent', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const error = await chaos.run(always({ kind: 'hang' }, { clock }), async ({ scope }) => {
      const call = rejection(fetch(`${server.url}/hang`, { signal: controller.signal }));
      await until(() => scope.journal.injections.length === 1);
      await clock.advance(60_000);
      controller.abort();
      return call;
    });
    expect(error.name).toBe('AbortError');
    expect(server.requests).toEqual([]);
  });

  it('a hang with a duration ends with its error (timeout)', async () => {
    const clock = new VirtualClock();
    const error = await chaos.run(
      always({ kind: 'hang', ms: 30_000, then: 'timeout' }, { clock }),
      async () => {
        const call = rejection(fetch(`${server.url}/timeout`));
        await until(() => clock.pending > 0);
        await clock.advance(30_000);
        return call;
      },
    );
    expect(error.message).toBe('fetch failed');
    expect((error.cause as { code: string }).code).toBe('ETIMEDOUT');
    expect(isInjectedFault(error.cause)).toBe(true);
    expect(server.requests).toEqual([]);
  });

  it('a hang with a duration and no error sends the request late', async () => {
    const clock = new VirtualClock();
    const body = await chaos.run(always({ kind: 'hang', ms: 30_000 }, { clock }), async () => {
      const call = getJson(`${server.url}/late`);
      await until(() => clock.pending > 0);
      await clock.advance(29_999);
      expect(server.requests).toEqual([]);
      await clock.advance(1);
      return call;
    });
    expect(body).toMatchObject({ ok: true });
    expect(server.requests).toEqual(['GET /late']);
  });

  it('a hallucination alters the JSON body and fixes content-length', async () => {
    const { body, length } = await chaos.run(
      always({ kind: 'hallucination', mode: 'wrong-number', fields: ['price'] }),
      async () => {
        const res = await fetch(`${server.url}/json`);
        const text = await res.text();
        return {
          body: JSON.parse(text) as { price: number },
          length: res.headers.get('content-length'),
        };
      },
    );
    expect(body.price).not.toBe(42);
    expect(body).toMatchObject({ ok: true, items: ['a', 'b', 'c', 'd'] });
    expect(Number(length)).toBe(Buffer.byteLength(JSON.stringify(body)));
  });

  it('a scope that ends during a delay lets the request through', async () => {
    const clock = new VirtualClock();
    const scope = chaos.run(
      always({ kind: 'latency', ms: 10_000 }, { clock, durationMs: 100 }),
      () => getJson(`${server.url}/released`),
    );
    await until(() => clock.pending > 0);
    await clock.advance(100);
    expect(await scope).toMatchObject({ ok: true });
    expect(server.requests).toEqual(['GET /released']);
  });
});

describe('the kill switch sees intercepted calls', () => {
  it('trips on the error rate of fetch calls and then lets them through', async () => {
    const result = await chaos.run(
      {
        enabled: true,
        seed: 'ks',
        faults: [{ kind: 'network', probability: 1 }],
        killSwitch: { errorRate: { threshold: 0.5, minCalls: 4, windowMs: 60_000 } },
      },
      async ({ scope }) => {
        const outcomes: string[] = [];
        for (let i = 0; i < 6; i++) {
          outcomes.push(
            await fetch(`${server.url}/k${i}`).then(
              () => 'ok',
              () => 'failed',
            ),
          );
        }
        return { outcomes, stop: scope.stopped };
      },
    );
    expect(result.outcomes).toEqual(['failed', 'failed', 'failed', 'failed', 'ok', 'ok']);
    expect(result.stop).toMatchObject({ reason: 'kill-switch', trigger: 'error-rate' });
  });
});

describe('resilience', () => {
  it('a retry policy recovers every fetch from injected ECONNRESET', async () => {
    const policy = retry({ maxAttempts: 10, schedule: constant(0) });
    const engine = new ChaosEngine({
      enabled: true,
      seed: 7,
      killSwitch: false,
      faults: [{ kind: 'network', error: 'ECONNRESET', probability: 0.3 }],
    });
    const result = await engine.runChaosTest(
      ({ iteration }) => policy.execute(() => getJson(`${server.url}/r${iteration}`)),
      { iterations: 20 },
    );
    expect(result.totalInjections).toBeGreaterThan(3);
    expect(result.recoveryRate).toBe(1);
    expect(result.crashes).toBe(0);
    expect(server.requests).toHaveLength(20); // exactly one successful attempt reached it per call
  });

  it('without the policy the same seed crashes operations', async () => {
    const engine = new ChaosEngine({
      enabled: true,
      seed: 7,
      killSwitch: false,
      faults: [{ kind: 'network', error: 'ECONNRESET', probability: 0.3 }],
    });
    const result = await engine.runChaosTest(
      ({ iteration }) => getJson(`${server.url}/n${iteration}`),
      { iterations: 20 },
    );
    expect(result.crashes).toBe(result.totalInjections);
    expect(result.crashes).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(20 - result.crashes);
  });
});

describe('uninstall', () => {
  it('restores the previous global dispatcher; faults no longer reach fetch; idempotent', async () => {
    const before = getGlobalDispatcher();
    const second = installFetchInterceptor();
    expect(getGlobalDispatcher()).not.toBe(before);
    second.uninstall();
    second.uninstall();
    expect(second.installed).toBe(false);
    expect(getGlobalDispatcher()).toBe(before);

    const outer = getGlobalDispatcher();
    handle.uninstall();
    expect(getGlobalDispatcher()).not.toBe(outer);
    const body = await chaos.run(always({ kind: 'network' }), () => getJson(`${server.url}/after`));
    expect(body).toMatchObject({ ok: true });
    expect(server.requests).toEqual(['GET /after']);
    handle = installFetchInterceptor();
  });
});
