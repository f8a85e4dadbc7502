import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, VirtualClock } from '../core/index.ts';
import { createAdminHandler, type AdminHandler } from './admin-handler.ts';
import { ProxyApiError, proxyApiErrors } from './api-error.ts';
import type { Binder } from './chaos-proxy.ts';
import type { ProxyLogEntry } from './logger.ts';
import { ProxyRegistry } from './proxy-registry.ts';

/** A binder that hands out fake ports and opens no socket. */
function fakeBinder(): Binder & { bound: Set<number> } {
  const bound = new Set<number>();
  let next = 30000;
  const bind: Binder = (host, port) => {
    const p = port === 0 ? next++ : port;
    if (bound.has(p)) {
      return Promise.reject(
        new ProxyApiError('listenFailed', `listen tcp ${host}:${p}: bind: address already in use`),
      );
    }
    bound.add(p);
    return Promise.resolve({
      address: { host, port: p },
      close: () => {
        bound.delete(p);
        return Promise.resolve();
      },
    });
  };
  return Object.assign(bind, { bound });
}

function setup(options: { bodyLimit?: number } = {}): {
  handler: AdminHandler;
  registry: ProxyRegistry;
  binder: ReturnType<typeof fakeBinder>;
  logs: ProxyLogEntry[];
  call: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<Response>;
} {
  const binder = fakeBinder();
  const logs: ProxyLogEntry[] = [];
  const registry = new ProxyRegistry({
    bind: binder,
    clock: new VirtualClock(),
    random: createRandom(1),
    logger: (e) => logs.push(e),
  });
  const handler = createAdminHandler(registry, {
    clock: new VirtualClock({ start: 1_700_000_000_000 }),
    random: createRandom(2),
    ...options,
  });
  const call = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> =>
    handler(
      new Request(`http://127.0.0.1:8474${path}`, {
        method,
        headers,
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    );
  return { handler, registry, binder, logs, call };
}

describe('admin API handler (Toxiproxy compatibility)', () => {
  it("creates a proxy with 201 and Toxiproxy's shape, Logger included", async () => {
    const { call } = setup();
    const res = await call('POST', '/proxies', {
      name: 'redis',
      listen: 'localhost:0',
      upstream: 'localhost:6379',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(text).toBe(
      '{"name":"redis","listen":"127.0.0.1:30000","upstream":"localhost:6379","enabled":true,"Logger":{},"toxics":[]}',
    );
  });

  it('answers a duplicate with 409 and a text/plain JSON error body', async () => {
    const { call } = setup();
    await call('POST', '/proxies', { name: 'a', upstream: '127.0.0.1:1' });
    const res = await call('POST', '/proxies', { name: 'a', upstream: '127.0.0.1:1' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('{"error":"proxy already exists","status":409}\n');
  });

  it('names the missing field like Toxiproxy', async () => {
    const { call } = setup();
    const noName = await call('POST', '/proxies', { upstream: 'x:1' });
    expect(noName.status).toBe(400);
    expect(await noName.json()).toEqual({ error: 'missing required field: name', status: 400 });
    const noUpstream = await call('POST', '/proxies', { name: 'x' });
    expect(await noUpstream.json()).toEqual({
      error: 'missing required field: upstream',
      status: 400,
    });
  });

  it('creates a toxic with 200 (not 201), defaults included, and lists it', async () => {
    const { call } = setup();
    await call('POST', '/proxies', { name: 'p', upstream: '127.0.0.1:1' });
    const res = await call('POST', '/proxies/p/toxics', {
      type: 'latency',
      attributes: { latency: 100 },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      '{"attributes":{"latency":100,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}',
    );
    const list = await call('GET', '/proxies/p/toxics');
    expect(await list.json()).toHaveLength(1);
    const shown = await call('GET', '/proxies/p');
    expect(((await shown.json()) as { toxics: unknown[] }).toxics).toHaveLength(1);
  });

  it('lists upstream toxics before downstream ones, each in insertion order', async () => {
    const { call } = setup();
    await call('POST', '/proxies', { name: 'p', upstream: '127.0.0.1:1' });
    await call('POST', '/proxies/p/toxics', { name: 'd1', type: 'noop' });
    await call('POST', '/proxies/p/toxics', { name: 'u1', type: 'noop', stream: 'upstream' });
    await call('POST', '/proxies/p/toxics', { name: 'd2', type: 'noop' });
    const names = (
      (await (await call('GET', '/proxies/p/toxics')).json()) as { name: string }[]
    ).map((t) => t.name);
    expect(names).toEqual(['u1', 'd1', 'd2']);
  });

  it('updates toxics with both POST and PATCH, merging attributes', async () => {
    const { call, logs } = setup();
    await call('POST', '/proxies', { name: 'p', upstream: '127.0.0.1:1' });
    await call('POST', '/proxies/p/toxics', {
      name: 'l',
      type: 'latency',
      attributes: { latency: 10, jitter: 3 },
    });
    const viaPost = await call('POST', '/proxies/p/toxics/l', { attributes: { latency: 20 } });
    expect(await viaPost.json()).toMatchObject({
      attributes: { latency: 20, jitter: 3 },
      toxicity: 1,
    });
    const viaPatch = await call('PATCH', '/proxies/p/toxics/l', { toxicity: 0.5 });
    expect(await viaPatch.json()).toMatchObject({
      attributes: { latency: 20, jitter: 3 },
      toxicity: 0.5,
    });
    expect(logs.filter((l) => l.message === 'Updated toxic')).toHaveLength(2);
  });

  it('every toxic change is logged and published as an event', async () => {
    const { call, registry, logs } = setup();
    const events: string[] = [];
    const sub = registry.onToxicChange((e) =>
      events.push(`${e.action}:${e.proxy}/${e.toxic.name}`),
    );
    await call('POST', '/proxies', { name: 'p', upstream: '127.0.0.1:1' });
    await call('POST', '/proxies/p/toxics', { name: 'a', type: 'noop' });
    await call('PATCH', '/proxies/p/toxics/a', { toxicity: 0.1 });
    await call('DELETE', '/proxies/p/toxics/a');
    await call('POST', '/proxies/p/toxics', { name: 'b', type: 'noop' });
    await call('POST', '/reset');
    sub.dispose();
    expect(events).toEqual(['added:p/a', 'updated:p/a', 'removed:p/a', 'added:p/b', 'removed:p/b']);
    expect(logs.filter((l) => l.message.endsWith(' toxic')).map((l) => l.message)).toEqual([
      'Added toxic',
      'Updated toxic',
      'Removed toxic',
      'Added toxic',
      'Removed toxic',
    ]);
  });

  it('updates proxies with both POST and PATCH; disabling closes the listener', async () => {
    const { call, binder } = setup();
    await call('POST', '/proxies', { name: 'p', upstream: '127.0.0.1:1' });
    expect(binder.bound.size).toBe(1);
    const off = await call('POST', '/proxies/p', { enabled: false });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ enabled: false });
    expect(binder.bound.size).toBe(0);
    const on = await call('PATCH', '/proxies/p', { enabled: true });
    expect(await on.json()).toMatchObject({ enabled: true });
    expect(binder.bound.size).toBe(1);
  });

  it('deletes with 204 and no body; a second delete is 404', async () => {
    const { call } = setup();
    await call('POST', '/proxies', { name: 'p', upstream: '127.0.0.1:1' });
    await call('POST', '/proxies/p/toxics', { name: 't', type: 'noop' });
    const delToxic = await call('DELETE', '/proxies/p/toxics/t');
    expect(delToxic.status).toBe(204);
    expect(await delToxic.text()).toBe('');
    expect((await call('DELETE', '/proxies/p/toxics/t')).status).toBe(404);
    expect((await call('DELETE', '/proxies/p')).status).toBe(204);
    const again = await call('DELETE', '/proxies/p');
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: 'proxy not found', status: 404 });
  });

  it('/reset answers 204, re-enables proxies and removes every toxic', async () => {
    const { call, registry } = setup();
    await call('POST', '/proxies', { name: 'p', upstream: '127.0.0.1:1', enabled: false });
    await call('POST', '/proxies/p/toxics', { type: 'noop' });
    const res = await call('POST', '/reset');
    expect(res.status).toBe(204);
    expect(registry.get('p').enabled).toBe(true);
    expect(registry.get('p').toxics).toHaveLength(0);
  });

  it('/populate answers 201 with the proxies, keeps unchanged ones and replaces changed ones', async () => {
    const { call, registry } = setup();
    const first = await call('POST', '/populate', [
      { name: 'a', listen: '127.0.0.1:31000', upstream: '127.0.0.1:1' },
      { name: 'b', listen: '127.0.0.1:31001', upstream: '127.0.0.1:2' },
    ]);
    expect(first.status).toBe(201);
    expect(((await first.json()) as { proxies: unknown[] }).proxies).toHaveLength(2);
    const a = registry.get('a');
    await call('POST', '/populate', [
      { name: 'a', listen: '127.0.0.1:31000', upstream: '127.0.0.1:1' },
      { name: 'b', listen: '127.0.0.1:31001', upstream: '127.0.0.1:3' },
    ]);
    expect(registry.get('a')).toBe(a);
    expect(registry.get('b').upstream).toBe('127.0.0.1:3');
  });

  it('/populate validates every entry first and reports the position', async () => {
    const { call, registry } = setup();
    const res = await call('POST', '/populate', [
      { name: 'ok', upstream: '127.0.0.1:1' },
      { upstream: '127.0.0.1:1' },
    ]);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      error: 'missing required field: name at proxy 2',
      status: 400,
      proxies: [],
    });
    expect(registry.list()).toHaveLength(0);
  });

  it('/populate stops at a bind failure and returns the proxies done so far', async () => {
    const { call } = setup();
    const res = await call('POST', '/populate', [
      { name: 'one', listen: '127.0.0.1:32000', upstream: '127.0.0.1:1' },
      { name: 'two', listen: '127.0.0.1:32000', upstream: '127.0.0.1:1' },
      { name: 'three', listen: '127.0.0.1:32001', upstream: '127.0.0.1:1' },
    ]);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string; proxies: { name: string }[] };
    expect(body.error).toBe(
      'listen failed: listen tcp 127.0.0.1:32000: bind: address already in use',
    );
    expect(body.proxies.map((p) => p.name)).toEqual(['one']);
  });

  it('accepts toxics in /populate entries (faultline extension)', async () => {
    const { call, registry } = setup();
    const res = await call('POST', '/populate', [
      {
        name: 'p',
        upstream: '127.0.0.1:1',
        toxics: [{ type: 'latency', attributes: { latency: 5 } }],
      },
    ]);
    expect(res.status).toBe(201);
    expect(registry.get('p').toxics.map((t) => t.type)).toEqual(['latency']);
  });

  it('GET /proxies lists proxies by name, sorted', async () => {
    const { call } = setup();
    for (const name of ['b', 'a', 'c'])
      await call('POST', '/proxies', { name, upstream: '127.0.0.1:1' });
    const body = (await (await call('GET', '/proxies')).json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['a', 'b', 'c']);
  });

  it('marks HTTP proxies and refuses HTTP toxics on TCP ones', async () => {
    const { call } = setup();
    await call('POST', '/proxies', { name: 'tcp', upstream: '127.0.0.1:1' });
    const refused = await call('POST', '/proxies/tcp/toxics', { type: 'http_status' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toContain('"http": true');
    const created = await call('POST', '/proxies', {
      name: 'web',
      upstream: '127.0.0.1:1',
      http: true,
    });
    expect(await created.json()).toMatchObject({ http: true });
    const ok = await call('POST', '/proxies/web/toxics', {
      type: 'openai_rate_limit',
      attributes: { retry_after_ms: 20 },
    });
    expect(ok.status).toBe(200);
  });

  it('version, metrics, request ids and the browser block', async () => {
    const { call } = setup();
    const version = await call('GET', '/version');
    expect(await version.text()).toBe('{"version": "2.12.0+faultline"}\n');
    const metrics = await call('GET', '/metrics');
    expect(await metrics.text()).toContain('# TYPE toxiproxy_proxy_received_bytes_total counter');
    const ids = new Set<string | null>();
    for (let i = 0; i < 5; i++)
      ids.add((await call('GET', '/proxies')).headers.get('x-toxiproxy-request-id'));
    expect(ids.size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[0-9a-v]{20}$/);
    const browser = await call('GET', '/proxies', undefined, { 'user-agent': 'Mozilla/5.0 (X11)' });
    expect(browser.status).toBe(403);
    expect(await browser.text()).toBe('User agent not allowed\n');
    expect(browser.headers.get('x-toxiproxy-request-id')).not.toBeNull();
  });

  it('unknown routes get 404, wrong methods 405', async () => {
    const { call } = setup();
    const missing = await call('GET', '/nope');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('404 page not found\n');
    const wrong = await call('PUT', '/proxies');
    expect(wrong.status).toBe(405);
    expect(await wrong.text()).toBe('');
    expect((await call('GET', '/proxies/')).status).toBe(404);
  });

  it('refuses bodies over the limit with 413', async () => {
    const { call } = setup({ bodyLimit: 100 });
    const res = await call('POST', '/proxies', { name: 'x'.repeat(200), upstream: '127.0.0.1:1' });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: 'request body too large: limit is 100 bytes',
      status: 413,
    });
  });

  it('names the bad field, value and what is allowed', async () => {
    const { call } = setup();
    await call('POST', '/proxies', { name: 'p', upstream: '127.0.0.1:1' });
    const cases: [unknown, string][] = [
      [
        { type: 'latency', attributes: { latency: 'slow' } },
        `bad request body: attribute 'latency' of a latency toxic must be an integer from 0 to 86400000, got "slow"`,
      ],
      [
        { type: 'latency', toxicity: 2 },
        'bad request body: toxicity must be a number from 0 to 1, got 2',
      ],
      [
        { type: 'latency', stream: 'sideways' },
        'stream was invalid, can be either upstream or downstream',
      ],
      [{ type: 'lag' }, 'invalid toxic type: "lag"'],
      [
        { type: 'latency', attributes: [1] },
        'bad request body: attributes must be a JSON object, got an array',
      ],
      ['{"type":', 'bad request body: Unexpected end of JSON input'],
      ['', 'bad request body: EOF'],
    ];
    for (const [body, error] of cases) {
      const res = await call('POST', '/proxies/p/toxics', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe(error);
    }
    const badListen = await call('POST', '/proxies', {
      name: 'q',
      listen: 'nowhere',
      upstream: '127.0.0.1:1',
    });
    expect(await badListen.json()).toEqual({
      error: 'invalid address: listen "nowhere" has no port',
      status: 400,
    });
    const remote = await call('POST', '/proxies', {
      name: 'q',
      listen: '0.0.0.0:0',
      upstream: '127.0.0.1:1',
    });
    expect(remote.status).toBe(400);
    expect(((await remote.json()) as { error: string }).error).toContain('allowRemote');
  });

  it('every error kind maps to one status in one table', () => {
    for (const [kind, entry] of Object.entries(proxyApiErrors)) {
      const error = new ProxyApiError(kind as keyof typeof proxyApiErrors, 'detail');
      expect(error.status).toBe(entry.status);
      expect(error.toJSON()).toEqual({ error: `${entry.message}: detail`, status: entry.status });
    }
  });

  it('fuzz: thousands of malformed bodies and paths get a 4xx whose body agrees, never a throw', async () => {
    const { call, handler } = setup({ bodyLimit: 4096 });
    await call('POST', '/proxies', { name: 'p', upstream: '127.0.0.1:1', http: true });
    await call('POST', '/proxies/p/toxics', { name: 't', type: 'noop' });
    const json = fc.jsonValue({ maxDepth: 3 });
    const junk = fc.oneof(
      fc.string({ maxLength: 200 }),
      json.map((v) => JSON.stringify(v)),
      fc.constantFrom(
        '{',
        '[',
        '{"name":',
        'null',
        '"x"',
        '1e999',
        '{"__proto__":{"x":1}}',
        '\u0000',
        '{}{}',
      ),
      fc
        .record(
          {
            name: fc.oneof(fc.string({ maxLength: 5 }), json),
            listen: fc.oneof(fc.string({ maxLength: 12 }), json),
            upstream: fc.oneof(fc.string({ maxLength: 12 }), json),
            enabled: json,
            type: fc.oneof(fc.constantFrom('latency', 'http_status', 'slicer', 'x'), json),
            stream: json,
            toxicity: json,
            attributes: json,
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    const paths = fc.oneof(
      fc.constantFrom(
        '/proxies',
        '/populate',
        '/proxies/p',
        '/proxies/p/toxics',
        '/proxies/p/toxics/t',
        '/proxies/nope/toxics',
        '/reset',
      ),
      fc.webPath(),
      fc.string({ maxLength: 40 }).map((s) => `/proxies/${encodeURIComponent(s)}/toxics`),
      fc.constantFrom(
        '/proxies/%',
        '/proxies/%E0%A4%A',
        '//proxies',
        '/proxies/p/toxics/t/x',
        '/%00',
      ),
    );
    const methods = fc.constantFrom('POST', 'PATCH', 'PUT', 'DELETE', 'GET');
    let count = 0;
    await fc.assert(
      fc.asyncProperty(methods, paths, junk, async (method, path, body) => {
        // Only malformed input: skip the few bodies that would be valid creations.
        if (method === 'POST' && (path === '/proxies' || path === '/populate' || path === '/reset'))
          return;
        if (method === 'DELETE' && path.startsWith('/proxies/p')) return;
        count++;
        const res = await handler(
          new Request(`http://127.0.0.1${path.startsWith('/') ? path : `/${path}`}`, {
            method,
            ...(method === 'GET' || method === 'DELETE' ? {} : { body }),
          }),
        );
        if (res.status >= 500)
          throw new Error(`${method} ${path} ${body} -> ${res.status} ${await res.text()}`);
        if (res.status >= 400) {
          const text = await res.text();
          if (text.startsWith('{'))
            expect((JSON.parse(text) as { status: number }).status).toBe(res.status);
        }
      }),
      { numRuns: 3000, seed: 5 },
    );
    expect(count).toBeGreaterThan(1500);
    // The proxy and its toxic survived everything.
    expect((await call('GET', '/proxies/p/toxics/t')).status).toBe(200);
  });

  it('fuzz: malformed proxy creations and populations are refused with 4xx', async () => {
    const { handler } = setup();
    const bad = fc.oneof(
      fc.record({ name: fc.constantFrom('', 1, null, []), upstream: fc.constant('127.0.0.1:1') }),
      fc.record({
        name: fc.constant('n'),
        upstream: fc.oneof(
          fc.string({ maxLength: 8 }).filter((s) => !/^[\w.-]*:\d+$/.test(s)),
          fc.integer(),
        ),
      }),
      fc.record({
        name: fc.constant('n'),
        upstream: fc.constant('127.0.0.1:1'),
        listen: fc.constantFrom('1.2.3.4:0', ':99999', 'a:b', '[::1', 5),
      }),
      fc.record({
        name: fc.constant('n'),
        upstream: fc.constant('127.0.0.1:1'),
        enabled: fc.constantFrom('yes', 1, {}),
      }),
      fc.record({
        name: fc.constant('n'),
        upstream: fc.constant('127.0.0.1:1'),
        toxics: fc.constantFrom(
          5,
          [{ type: 'nope' }],
          [{ type: 'latency', attributes: { latency: -1 } }],
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(bad, fc.boolean(), async (body, asList) => {
        const res = await handler(
          new Request(`http://127.0.0.1/${asList ? 'populate' : 'proxies'}`, {
            method: 'POST',
            body: JSON.stringify(asList ? [body] : body),
          }),
        );
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 1000, seed: 9 },
    );
  });
});
