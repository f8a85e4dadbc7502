import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isInvalidOptionError, VirtualClock, type Subscription } from '../core/index.ts';
import { RunHistory, type RunRecord } from '../store/index.ts';
import { createDashboardHandler, type DashboardHandler } from './dashboard-handler.ts';
import type { HistoryView } from './history-view.ts';
import { sseFrame } from './live-broadcast.ts';
import { LiveFeed } from './live-feed.ts';
import { emptyLiveSnapshot, type LiveSnapshot, type LiveSource } from './live-snapshot.ts';

const base = 'http://127.0.0.1:8475';
const get = (path: string, init?: RequestInit): Request => new Request(`${base}${path}`, init);

const handlers: DashboardHandler[] = [];
function handler(options: Parameters<typeof createDashboardHandler>[0] = {}): DashboardHandler {
  const h = createDashboardHandler(options);
  handlers.push(h);
  return h;
}
afterEach(() => {
  for (const h of handlers.splice(0)) h.close();
});

/** A live source that counts its listeners. */
class CountingSource implements LiveSource {
  readonly feed = new LiveFeed();
  listeners = 0;
  snapshots = 0;
  /** Clock time of each snapshot taken. */
  readonly takenAt: number[] = [];
  readonly #clock: VirtualClock | undefined;
  constructor(clock?: VirtualClock) {
    this.#clock = clock;
  }
  snapshot(): LiveSnapshot {
    this.snapshots++;
    if (this.#clock !== undefined) this.takenAt.push(this.#clock.now());
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
  runs(n: number): void {
    this.feed.update((s) => ({
      ...s,
      status: 'running',
      progress: { ...s.progress, runsDone: n },
    }));
  }
}

interface Frame {
  event: string;
  data: string;
}

/** Reads an event stream continuously and splits what arrived into frames. */
class Tap {
  text = '';
  ended = false;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
    void this.#pump();
  }
  async #pump(): Promise<void> {
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await this.#reader.read();
      if (done) {
        this.ended = true;
        return;
      }
      this.text += decoder.decode(value, { stream: true });
    }
  }
  /** Every complete `event:` frame so far. */
  frames(): Frame[] {
    return this.text
      .split('\n\n')
      .slice(0, -1)
      .filter((block) => block.startsWith('event: '))
      .map((block) => {
        const lines = block.split('\n');
        return {
          event: (lines[0] as string).slice('event: '.length),
          data: lines
            .slice(1)
            .map((line) => line.slice('data: '.length))
            .join('\n'),
        };
      });
  }
  snapshots(): (LiveSnapshot | null)[] {
    return this.frames()
      .filter((f) => f.event === 'snapshot')
      .map((f) => JSON.parse(f.data) as LiveSnapshot | null);
  }
  heartbeats(): number {
    return this.text.split('\n\n').filter((block) => block === ': heartbeat').length;
  }
  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function openEvents(
  h: DashboardHandler,
  signal?: AbortSignal,
): Promise<{ response: Response; tap: Tap }> {
  const response = await h(get('/api/events', signal === undefined ? {} : { signal }));
  const body = response.body;
  if (body === null) throw new Error('no body');
  const tap = new Tap(body);
  await flush();
  return { response, tap };
}

describe('dashboard handler: static routes', () => {
  it('serves the page with its security headers', async () => {
    const response = await handler()(get('/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/assets/app.js"></script>');
    expect(html).toContain('src="/assets/chart.umd.min.js"');
    expect(html).toContain('data-testid="progress-bar"');
    // No inline script or style: the CSP allows none.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style="/);
  });

  it('serves the script, the styles and Chart.js from the fixed asset map', async () => {
    const h = handler();
    const app = await h(get('/assets/app.js'));
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await app.text()).toContain("new EventSource('/api/events')");
    const css = await h(get('/assets/style.css?v=1'));
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const chart = await h(get('/assets/chart.umd.min.js'));
    const text = await chart.text();
    expect(chart.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(text).toContain('Chart.js v4');
    expect(text.length).toBeGreaterThan(100_000);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await handler()(get('/assets/style.css', { method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await response.text()).toBe('');
  });

  it.each([
    '/index.html',
    '/assets/',
    '/assets/app.js/',
    '/ASSETS/app.js',
    '/assets/../package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/chart.umd.min.js.map',
    '/api',
    '/api/snapshot/x',
    '/web/app.js',
    '//etc/passwd',
  ])('404 for %s', async (path) => {
    const response = await handler()(get(path));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as { error: string; status: number };
    expect(body.status).toBe(404);
    expect(body.error).toMatch(/^not found: \//);
  });

  it('refuses every method but GET and HEAD with 405 and Allow, on every path', async () => {
    const h = handler({ live: new LiveFeed() });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'),
        fc.constantFrom('/', '/api/snapshot', '/api/history', '/api/events', '/nope'),
        fc.option(fc.string(), { nil: undefined }),
        async (method, path, body) => {
          const response = await h(get(path, { method, body: body ?? null }));
          expect(response.status).toBe(405);
          expect(response.headers.get('allow')).toBe('GET, HEAD');
          expect(response.headers.get('content-security-policy')).not.toBeNull();
          expect(((await response.json()) as { error: string }).error).toContain(method);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a GET that announces a body', async () => {
    const response = await handler()(get('/', { headers: { 'content-length': '5' } }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe(
      'request bodies are not accepted',
    );
  });

  it('with allowedHosts, refuses other Host headers (DNS rebinding)', async () => {
    const h = handler({ allowedHosts: ['127.0.0.1', 'localhost', '[::1]'] });
    const withHost = (host: string): Request => get('/', { headers: { host } });
    expect((await h(withHost('127.0.0.1:8475'))).status).toBe(200);
    expect((await h(withHost('LOCALHOST:1'))).status).toBe(200);
    expect((await h(withHost('[::1]:8475'))).status).toBe(200);
    const refused = await h(withHost('attacker.example:8475'));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'host not allowed: attacker.example',
      status: 403,
    });
    expect((await h(withHost('127.0.0.1.attacker.example'))).status).toBe(403);
  });

  it('rejects bad options at construction', () => {
    const caught = (f: () => unknown): unknown => {
      try {
        f();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const e1 = caught(() => createDashboardHandler({ minUpdateIntervalMs: 0 }));
    expect(isInvalidOptionError(e1)).toBe(true);
    expect((e1 as Error).message).toMatch(/dashboard.*minUpdateIntervalMs.*0/);
    const e2 = caught(() => createDashboardHandler({ heartbeatMs: 1.5 }));
    expect(isInvalidOptionError(e2)).toBe(true);
    expect((e2 as Error).message).toMatch(/heartbeatMs/);
  });
});

describe('dashboard handler: /api/snapshot', () => {
  it('is null without a live source', async () => {
    const response = await handler()(get('/api/snapshot'));
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ live: null, historyAvailable: false });
  });

  it('is the live source snapshot, current at each request', async () => {
    const feed = new LiveFeed();
    const h = handler({ live: feed, history: RunHistory.open(':memory:') });
    expect(await (await h(get('/api/snapshot'))).json()).toEqual({
      live: emptyLiveSnapshot(),
      historyAvailable: true,
    });
    feed.update((s) => ({
      ...s,
      name: 'checkout',
      injections: { total: 3, byKind: { crash: 3 } },
    }));
    const { live } = (await (await h(get('/api/snapshot'))).json()) as { live: LiveSnapshot };
    expect(live.name).toBe('checkout');
    expect(live.injections).toEqual({ total: 3, byKind: { crash: 3 } });
  });

  it('answers 500 with the message when the live source throws', async () => {
    const live: LiveSource = {
      snapshot: () => {
        throw new Error('recorder closed');
      },
      onUpdate: () => ({ dispose: () => undefined, [Symbol.dispose]: () => undefined }),
    };
    const response = await handler({ live })(get('/api/snapshot'));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: 'internal error: recorder closed',
      status: 500,
    });
  });
});

describe('dashboard handler: /api/history', () => {
  const run = (
    id: string,
    name: string,
    at: number,
    summary: Record<string, number>,
  ): RunRecord => ({
    id,
    kind: 'campaign',
    name,
    seed: '42',
    startedAt: at,
    finishedAt: at + 1_000,
    status: 'passed',
    summary,
    config: null,
    metrics: null,
  });

  function seeded(): RunHistory {
    const history = RunHistory.open(':memory:');
    history.recordMany([
      run('a1', 'checkout', 1_000, { successRate: 0.8, mttrP95Ms: 900 }),
      run('b1', 'search', 1_500, { successRate: 0.5 }),
      run('a2', 'checkout', 2_000, { successRate: 0.9, mttrP95Ms: 700 }),
      run('a3', 'checkout', 3_000, { successRate: 0.95 }),
    ]);
    return history;
  }

  it('lists runs newest first and trends per name, oldest first, one line per metric', async () => {
    const history = seeded();
    const view = (await (await handler({ history })(get('/api/history'))).json()) as HistoryView;
    expect(view.available).toBe(true);
    expect(view.runs.map((r) => r.id)).toEqual(['a3', 'a2', 'b1', 'a1']);
    expect(view.trends.map((t) => [t.name, t.runs])).toEqual([
      ['checkout', 3],
      ['search', 1],
    ]);
    expect(view.trends[0]?.metrics).toEqual({
      mttrP95Ms: [
        { id: 'a1', at: 1_000, value: 900 },
        { id: 'a2', at: 2_000, value: 700 },
      ],
      successRate: [
        { id: 'a1', at: 1_000, value: 0.8 },
        { id: 'a2', at: 2_000, value: 0.9 },
        { id: 'a3', at: 3_000, value: 0.95 },
      ],
    });
    history.close();
  });

  it('filters by name and limits', async () => {
    const history = seeded();
    const h = handler({ history });
    const byName = (await (await h(get('/api/history?name=search'))).json()) as HistoryView;
    expect(byName.runs.map((r) => r.id)).toEqual(['b1']);
    const limited = (await (await h(get('/api/history?limit=2'))).json()) as HistoryView;
    expect(limited.runs.map((r) => r.id)).toEqual(['a3', 'a2']);
    expect(limited.trends[0]?.metrics['successRate']?.map((p) => p.value)).toEqual([0.9, 0.95]);
    history.close();
  });

  it.each(['0', '-1', '1.5', 'ten', '', '1001'])('400 for limit=%s', async (limit) => {
    const response = await handler({ history: RunHistory.open(':memory:') })(
      get(`/api/history?limit=${limit}`),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: `bad query parameter: limit must be an integer from 1 to 1000, got "${limit}"`,
      status: 400,
    });
  });

  it('says when there is no history', async () => {
    const response = await handler()(get('/api/history'));
    expect(await response.json()).toEqual({ available: false, runs: [], trends: [] });
  });
});

describe('dashboard handler: /api/events', () => {
  it('frames data per the SSE format', () => {
    expect(sseFrame('snapshot', '{"a":1}')).toBe('event: snapshot\ndata: {"a":1}\n\n');
    expect(sseFrame('x', 'one\ntwo\r\nthree')).toBe(
      'event: x\ndata: one\ndata: two\ndata: three\n\n',
    );
  });

  it('sends the reconnection delay and the current snapshot at once', async () => {
    const feed = new LiveFeed();
    feed.update((s) => ({ ...s, name: 'checkout' }));
    const { response, tap } = await openEvents(handler({ live: feed, clock: new VirtualClock() }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).not.toBeNull();
    expect(tap.text.startsWith('retry: 2000\n\nevent: snapshot\ndata: {"name":"checkout"')).toBe(
      true,
    );
    expect(tap.snapshots()).toHaveLength(1);
  });

  it('answers HEAD with the stream headers and opens no stream', async () => {
    const live = new CountingSource();
    const response = await handler({ live })(get('/api/events', { method: 'HEAD' }));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.body).toBeNull();
    expect(live.listeners).toBe(0);
  });

  it('sends null snapshots and heartbeats without a live source', async () => {
    const clock = new VirtualClock();
    const { tap } = await openEvents(handler({ clock, heartbeatMs: 1_000 }));
    expect(tap.snapshots()).toEqual([null]);
    await clock.advance(3_000);
    expect(tap.heartbeats()).toBe(3);
  });

  it('throttles: many updates at once give one frame with the latest state', async () => {
    const clock = new VirtualClock();
    const live = new CountingSource();
    const { tap } = await openEvents(handler({ live, clock }));
    const before = live.snapshots;
    for (let i = 1; i <= 50; i++) live.runs(i);
    await flush();
    expect(tap.snapshots()).toHaveLength(1);
    expect(live.snapshots).toBe(before);
    await clock.advance(0);
    expect(tap.snapshots().map((s) => s?.progress.runsDone)).toEqual([0, 50]);
    expect(live.snapshots).toBe(before + 1);
  });

  it('sends at most one frame per interval, the last update always', async () => {
    const clock = new VirtualClock();
    const live = new CountingSource();
    const { tap } = await openEvents(handler({ live, clock, minUpdateIntervalMs: 100 }));
    live.runs(1);
    await clock.advance(0);
    expect(tap.snapshots()).toHaveLength(2);
    live.runs(2);
    await clock.advance(99);
    expect(tap.snapshots()).toHaveLength(2);
    await clock.advance(1);
    expect(tap.snapshots().map((s) => s?.progress.runsDone)).toEqual([0, 1, 2]);
    // An update every 10 ms for one second: at most 10 frames a second, the last one final.
    for (let i = 3; i <= 102; i++) {
      live.runs(i);
      await clock.advance(10);
    }
    await clock.advance(100);
    const sent = tap.snapshots().slice(3);
    expect(sent.length).toBeGreaterThanOrEqual(10);
    expect(sent.length).toBeLessThanOrEqual(11);
    expect(sent.at(-1)?.progress.runsDone).toBe(102);
    // Nothing more without updates, but heartbeats.
    await clock.advance(15_000);
    expect(tap.snapshots().length).toBe(3 + sent.length);
    expect(tap.heartbeats()).toBe(1);
  });

  it('every update frequency property: frames never closer than the interval, final state sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 250 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 200 }),
        async (gaps, interval) => {
          const clock = new VirtualClock();
          const live = new CountingSource(clock);
          const h = createDashboardHandler({ live, clock, minUpdateIntervalMs: interval });
          const { tap } = await openEvents(h);
          let i = 0;
          for (const gap of gaps) {
            live.runs(++i);
            await clock.advance(gap);
          }
          await clock.advance(interval);
          h.close();
          // The first snapshot is the stream's initial frame; the others are throttled frames.
          const sentAt = live.takenAt.slice(1);
          expect(tap.snapshots()).toHaveLength(live.takenAt.length);
          for (let k = 1; k < sentAt.length; k++) {
            expect((sentAt[k] as number) - (sentAt[k - 1] as number)).toBeGreaterThanOrEqual(
              interval,
            );
          }
          expect(tap.snapshots().at(-1)?.progress.runsDone).toBe(gaps.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('subscribes only while a stream is open and cleans up when the client goes away', async () => {
    const clock = new VirtualClock();
    const live = new CountingSource();
    const h = handler({ live, clock });
    expect(live.listeners).toBe(0);
    const first = new AbortController();
    const a = await openEvents(h, first.signal);
    const b = await openEvents(h);
    expect(live.listeners).toBe(1);
    expect(clock.pending).toBe(1); // the heartbeat
    live.runs(1);
    expect(clock.pending).toBe(2); // and the pending frame
    first.abort();
    await flush();
    expect(a.tap.ended).toBe(true);
    expect(live.listeners).toBe(1);
    await clock.advance(0);
    expect(b.tap.snapshots()).toHaveLength(2);
    await b.tap.cancel();
    expect(live.listeners).toBe(0);
    expect(clock.pending).toBe(0);
    live.runs(2);
    expect(clock.pending).toBe(0);
  });

  it('close() ends every open stream', async () => {
    const clock = new VirtualClock();
    const live = new CountingSource();
    const h = handler({ live, clock });
    const streams = [await openEvents(h), await openEvents(h)];
    h.close();
    await flush();
    expect(streams.map((s) => s.tap.ended)).toEqual([true, true]);
    expect(live.listeners).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('a slow reader skips frames but gets the latest state when it reads', async () => {
    const clock = new VirtualClock();
    const live = new CountingSource();
    const h = handler({ live, clock });
    const response = await h(get('/api/events'));
    for (let i = 1; i <= 40; i++) {
      live.runs(i);
      await clock.advance(100);
    }
    const tap = new Tap(response.body!);
    await flush();
    await flush();
    const snapshots = tap.snapshots();
    expect(snapshots.length).toBeLessThan(10);
    expect(snapshots.at(-1)?.progress.runsDone).toBe(40);
  });

  it('reports a live source that throws as a live-error event', async () => {
    let fail = false;
    const feed = new LiveFeed();
    const live: LiveSource = {
      snapshot: () => {
        if (fail) throw new Error('boom');
        return feed.snapshot();
      },
      onUpdate: (listener) => feed.onUpdate(listener),
    };
    const clock = new VirtualClock();
    const { tap } = await openEvents(handler({ live, clock }));
    fail = true;
    feed.publish(emptyLiveSnapshot(5));
    await clock.advance(0);
    expect(tap.frames().map((f) => f.event)).toEqual(['snapshot', 'live-error']);
    expect(JSON.parse(tap.frames()[1]?.data ?? '')).toEqual({ message: 'boom' });
  });
});
