/**
 * HTTP- and LLM-aware toxics, proven with the official `openai` client pointed at a small local
 * OpenAI-compatible server through an HTTP proxy: the client's own behaviour (retries, honoured
 * Retry-After, errors, silent stream truncation) is what the assertions observe.
 */
import {
  createServer,
  request as httpRequest,
  Agent,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ToxicInput } from '../../../src/proxy/index.ts';
import { now, portOf, startHarness, type Harness } from './helpers.ts';

interface Seen {
  method: string;
  url: string;
  body: string;
}

let h: Harness;
let upstream: Server;
let seen: Seen[] = [];
let upstreamConnections = 0;
let proxyPort = 0;
const PROXY = 'llm';

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString());
    });
  });

const chunk = (delta: object, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'test-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** A small OpenAI-compatible server: chat completions (JSON or SSE, text or tool calls), models, echo. */
async function startUpstream(): Promise<Server> {
  const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    void (async () => {
      const body = await readBody(req);
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            object: 'list',
            data: [{ id: 'test-model', object: 'model', created: 0, owned_by: 'faultline' }],
          }),
        );
        return;
      }
      if (req.url === '/echo') {
        // Chunked response (no length), echoing the request body.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(`${req.method ?? ''}:`);
        res.end(body);
        return;
      }
      const params = JSON.parse(body || '{}') as { stream?: boolean; tools?: unknown[] };
      const tools = Array.isArray(params.tools) && params.tools.length > 0;
      if (params.stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        if (tools) {
          res.write(
            chunk({
              role: 'assistant',
              tool_calls: [
                {
                  index: 0,
                  id: 'call_1',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '' },
                },
              ],
            }),
          );
          for (const part of ['{"city"', ':"Paris"}'])
            res.write(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }));
          res.write(chunk({}, 'tool_calls'));
        } else {
          for (const word of ['one ', 'two ', 'three ', 'four'])
            res.write(chunk({ content: word }));
          res.write(chunk({}, 'stop'));
        }
        res.end('data: [DONE]\n\n');
        return;
      }
      const message = tools
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
          }
        : { role: 'assistant', content: 'Hello there' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          created: 1,
          model: 'test-model',
          choices: [{ index: 0, message, finish_reason: tools ? 'tool_calls' : 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
        }),
      );
    })();
  });
  server.on('connection', () => {
    upstreamConnections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  h = await startHarness(11);
  upstream = await startUpstream();
  const proxy = await h.api.createProxy({
    name: PROXY,
    upstream: `127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    http: true,
  });
  proxyPort = portOf(proxy.listen);
});

afterEach(async () => {
  await h.api.reset();
  seen = [];
});

afterAll(async () => {
  await h.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => {
    upstream.close(() => {
      resolve();
    });
  });
});

/** An OpenAI client through the proxy that records when each HTTP attempt starts. */
function client(maxRetries = 2): { openai: OpenAI; attempts: number[]; statuses: number[] } {
  const attempts: number[] = [];
  const statuses: number[] = [];
  const openai = new OpenAI({
    apiKey: 'test-key',
    baseURL: `http://127.0.0.1:${proxyPort}/v1`,
    maxRetries,
    timeout: 5_000,
    fetch: async (url: string | URL | Request, init?: RequestInit) => {
      attempts.push(now());
      const response = await fetch(url, init);
      statuses.push(response.status);
      return response;
    },
  });
  return { openai, attempts, statuses };
}

const ask = { model: 'test-model', messages: [{ role: 'user' as const, content: 'hi' }] };
const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  },
];
const completions = (): Seen[] => seen.filter((s) => s.url === '/v1/chat/completions');
const add = (toxic: ToxicInput): Promise<unknown> => h.api.addToxic(PROXY, toxic);

describe('OpenAI client through the HTTP proxy', () => {
  it('injected 429s: the client retries maxRetries times, honouring retry-after-ms', async () => {
    await add({
      type: 'openai_rate_limit',
      attributes: { path: '/v1/chat/completions', method: 'POST', retry_after_ms: 120 },
    });
    const { openai, attempts, statuses } = client(2);
    const error = await openai.chat.completions.create(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    expect(statuses).toEqual([429, 429, 429]);
    expect(attempts).toHaveLength(3);
    for (let i = 1; i < attempts.length; i++) {
      const gap = attempts[i]! - attempts[i - 1]!;
      // retry-after-ms says 120; the SDK's own backoff would wait >= 375 ms.
      expect(gap).toBeGreaterThanOrEqual(115);
      expect(gap).toBeLessThan(330);
    }
    expect(completions()).toHaveLength(0);
  });

  it('recovers once the fault is lifted: injected 429s + 1 real answer = attempts', async () => {
    await add({ name: 'rl', type: 'openai_rate_limit', attributes: { retry_after_ms: 50 } });
    const { openai, attempts, statuses } = client(3);
    const lift = setInterval(() => {
      if (statuses.length >= 2) {
        clearInterval(lift);
        void h.api.removeToxic(PROXY, 'rl');
      }
    }, 5);
    const completion = await openai.chat.completions.create(ask);
    clearInterval(lift);
    expect(completion.choices[0]!.message.content).toBe('Hello there');
    expect(statuses.filter((s) => s === 429).length + 1).toBe(attempts.length);
    expect(statuses.at(-1)).toBe(200);
    expect(completions()).toHaveLength(1);
  });

  it('a per-request probability injects some 429s and the client gets through', async () => {
    await add({ type: 'openai_rate_limit', attributes: { probability: 0.5, retry_after_ms: 10 } });
    const { openai, statuses } = client(10);
    for (let i = 0; i < 6; i++) await openai.chat.completions.create(ask);
    const injected = statuses.filter((s) => s === 429).length;
    expect(completions()).toHaveLength(6);
    expect(statuses.length).toBe(6 + injected);
    expect(injected).toBeGreaterThan(0);
  });

  it('context_length_exceeded is a 400 the client does not retry', async () => {
    await add({ type: 'openai_context_length', attributes: { max_tokens: 8192 } });
    const { openai, attempts } = client(2);
    const error = (await openai.chat.completions
      .create(ask)
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('context_length_exceeded');
    expect(error.param).toBe('messages');
    expect(error.message).toContain('maximum context length is 8192 tokens');
    expect(attempts).toHaveLength(1);
  });

  it('overloaded is a 503; a 500 on one route leaves the others alone', async () => {
    await add({
      name: 'busy',
      type: 'openai_overloaded',
      attributes: { path: '/v1/chat/completions' },
    });
    const { openai } = client(0);
    const error = (await openai.chat.completions
      .create(ask)
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(503);
    expect((error.error as { type: string }).type).toBe('server_error');
    await h.api.removeToxic(PROXY, 'busy');
    await add({
      type: 'http_status',
      attributes: { status: 500, method: 'POST', path: '/v1/chat/*' },
    });
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['test-model']);
    const failed = (await openai.chat.completions
      .create(ask)
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(failed.status).toBe(500);
  });

  it('tool-call arguments become invalid JSON, in JSON and in streamed responses', async () => {
    await add({ type: 'openai_bad_tool_args' });
    const { openai } = client(0);
    const completion = await openai.chat.completions.create({ ...ask, tools });
    const call = completion.choices[0]!.message.tool_calls![0]! as {
      function: { arguments: string };
    };
    expect(() => JSON.parse(call.function.arguments) as unknown).toThrow();
    const stream = await openai.chat.completions.create({ ...ask, tools, stream: true });
    let args = '';
    for await (const part of stream)
      args += part.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    expect(args).toBe('{{"city":"Paris"}');
    expect(() => JSON.parse(args) as unknown).toThrow();
  });

  it('a stream that stops before [DONE] ends silently for the client', async () => {
    await add({ type: 'openai_stream_no_done' });
    const { openai } = client(0);
    const stream = await openai.chat.completions.create({ ...ask, stream: true });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    expect(text).toBe('one two three four');
    const raw = await fetch(`http://127.0.0.1:${proxyPort}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ ...ask, stream: true }),
    });
    const body = await raw.text();
    expect(body).toContain('"finish_reason":"stop"');
    expect(body).not.toContain('[DONE]');
  });

  it('sse_cut drops the connection after N events: the client sees an error mid-stream', async () => {
    await add({ type: 'sse_cut', attributes: { events: 2, mode: 'close' } });
    const { openai } = client(0);
    const stream = await openai.chat.completions.create({ ...ask, stream: true });
    const words: string[] = [];
    const error = await (async () => {
      for await (const part of stream) words.push(part.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(words).toEqual(['one ', 'two ']);
    expect(error).toBeInstanceOf(Error);
  });

  it('http_stall pauses a stream after N events for duration ms', async () => {
    await add({ type: 'http_stall', attributes: { events: 2, duration: 200 } });
    const { openai } = client(0);
    const stream = await openai.chat.completions.create({ ...ask, stream: true });
    const times: number[] = [];
    for await (const part of stream) times.push(part.created > 0 ? now() : -1);
    expect(times).toHaveLength(5);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(195);
    expect(times[1]! - times[0]!).toBeLessThan(150);
  });

  it('slow time-to-first-byte, truncated and invalid bodies, a corrupted field', async () => {
    const { openai } = client(0);
    await add({ name: 'ttfb', type: 'http_slow_ttfb', attributes: { delay: 200 } });
    const start = now();
    await openai.chat.completions.create(ask);
    expect(now() - start).toBeGreaterThanOrEqual(199);
    await h.api.removeToxic(PROXY, 'ttfb');

    await add({ name: 'cut', type: 'http_truncate', attributes: { bytes: 20 } });
    await expect(openai.chat.completions.create(ask)).rejects.toThrow();
    await h.api.removeToxic(PROXY, 'cut');

    await add({ name: 'bad', type: 'http_invalid_json' });
    await expect(openai.chat.completions.create(ask)).rejects.toThrow();
    await h.api.removeToxic(PROXY, 'bad');

    await add({
      type: 'http_corrupt_field',
      attributes: { field: 'choices.0.message.content', value: null },
    });
    const completion = await openai.chat.completions.create(ask);
    expect(completion.choices[0]!.message.content).toBeNull();
    expect(completion.usage?.total_tokens).toBe(3);
  });
});

describe('HTTP/1.1 keep-alive and chunked bodies through an HTTP proxy', () => {
  it('many requests on one connection, injected answers in their place, chunked both ways', async () => {
    await add({
      type: 'http_status',
      attributes: { status: 429, retry_after: 1, path: '/limited' },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<Socket>();
    const call = (
      method: string,
      path: string,
      body?: string[],
    ): Promise<{ status: number; text: string }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: proxyPort, method, path, agent },
          (res) => {
            sockets.add(res.socket);
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() });
            });
          },
        );
        req.on('error', reject);
        // Several writes without a length: a chunked request body.
        for (const piece of body ?? []) req.write(piece);
        req.end();
      });
    const beforeConnections = upstreamConnections;
    const results: { status: number; text: string }[] = [];
    for (let i = 0; i < 12; i++) {
      if (i % 4 === 3) results.push(await call('GET', '/limited'));
      else results.push(await call('POST', '/echo', [`part${i}-a `, `part${i}-b`]));
    }
    agent.destroy();
    results.forEach((r, i) => {
      if (i % 4 === 3) {
        expect(r.status).toBe(429);
      } else {
        expect(r).toEqual({ status: 200, text: `POST:part${i}-a part${i}-b` });
      }
    });
    expect(sockets.size).toBe(1);
    expect(upstreamConnections - beforeConnections).toBe(1);
    expect(seen.filter((s) => s.url === '/limited')).toHaveLength(0);
  });
});
