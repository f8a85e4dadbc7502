/**
 * `interceptFetch(fetchImpl)`: chaos for a fetch handed to a client explicitly, against a real
 * HTTP server on 127.0.0.1 (no global dispatcher involved).
 */
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chaos,
  isInjectedFault,
  type ChaosConfig,
  type FaultSpec,
} from '../../../src/faults/index.ts';
import { installFetchInterceptor, interceptFetch } from '../../../src/intercept/index.ts';
import { rejection, startServer, type TestServer } from './helpers.ts';

let server: TestServer;
const chaosFetch = interceptFetch(fetch);

const always = (fault: FaultSpec): ChaosConfig => ({
  enabled: true,
  seed: 'custom-fetch',
  killSwitch: false,
  faults: [{ probability: 1, ...fault }],
});

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  server.requests.length = 0;
});

describe('interceptFetch', () => {
  it('outside a scope it is the wrapped fetch', async () => {
    const res = await chaosFetch(`${server.url}/a`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, price: 42 });
    expect(server.requests).toEqual(['GET /a']);
  });

  it('network errors reject as fetch does; nothing is sent', async () => {
    const error = await chaos.run(always({ kind: 'network', error: 'ECONNREFUSED' }), () =>
      rejection(chaosFetch(new URL(`${server.url}/b`))),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed');
    expect(error.cause).toMatchObject({ code: 'ECONNREFUSED', port: server.port });
    expect(isInjectedFault(error.cause)).toBe(true);
    expect(server.requests).toEqual([]);
  });

  it('HTTP status faults resolve to a real Response', async () => {
    const res = await chaos.run(
      always({ kind: 'error', type: 'unavailable', retryAfterMs: 3000 }),
      () => chaosFetch(`${server.url}/c`),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toMatchObject({ error: { code: 'service_unavailable' } });
  });

  it('a dropped connection: the response starts, the body fails with "terminated"', async () => {
    const { status, error } = await chaos.run(
      always({ kind: 'network', mode: 'drop' }),
      async () => {
        const res = await chaosFetch(new Request(`${server.url}/d`));
        return { status: res.status, error: await rejection(res.text()) };
      },
    );
    expect(status).toBe(200);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('terminated');
    expect(error.cause).toMatchObject({ code: 'ECONNRESET' });
    expect(server.requests).toEqual(['GET /d']);
  });

  it('a corruption alters the body and sets its content-length', async () => {
    const res = await chaos.run(
      always({ kind: 'corruption', mode: 'drop-fields', fields: ['price'] }),
      () => chaosFetch(`${server.url}/e`),
    );
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ ok: true, items: ['a', 'b', 'c', 'd'] });
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
  });

  it('with the global fetch interceptor installed too, a call is planned once', async () => {
    const global = installFetchInterceptor();
    try {
      const injected = await chaos.run(always({ kind: 'latency', ms: 0 }), async ({ scope }) => {
        await (await chaosFetch(`${server.url}/once`)).text();
        return scope.journal.injections.map((i) => i.target.operation);
      });
      expect(injected).toEqual(['fetch']);
      expect(server.requests).toEqual(['GET /once']);
    } finally {
      global.uninstall();
    }
  });

  it('an OpenAI client given the wrapped fetch retries an injected 429', async () => {
    server.requests.length = 0;
    const completionServer = await startServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [
            { index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' },
          ],
        }),
      );
    });
    let calls = 0;
    const openai = new OpenAI({
      apiKey: 'k',
      baseURL: `${completionServer.url}/v1`,
      fetch: chaosFetch,
    });
    const answer = await chaos.run(
      {
        enabled: true,
        seed: 1,
        killSwitch: false,
        faults: [
          {
            kind: 'error',
            type: 'rate-limited',
            retryAfterMs: 1,
            probability: 1,
            target: { where: () => calls++ === 0 },
          },
        ],
      },
      () =>
        openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] }),
    );
    await completionServer.close();
    expect(answer.choices[0]?.message.content).toBe('ok');
    expect(completionServer.requests).toHaveLength(1);
  });
});
