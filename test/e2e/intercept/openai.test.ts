/**
 * The OpenAI SDK, unmodified and pointed at a local server, gets the faults of a chaos scope
 * through the fetch interceptor, and its own retry logic reacts to them as it would in
 * production.
 */
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chaos, type ChaosConfig, type FaultSpec } from '../../../src/faults/index.ts';
import { installFetchInterceptor, type InterceptorHandle } from '../../../src/intercept/index.ts';
import { rejection, startServer, type TestServer } from './helpers.ts';

let server: TestServer;
let handle: InterceptorHandle;

const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'test-model',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'The answer is 42.' },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
};

const client = (): OpenAI =>
  new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 2 });

const ask = (openai: OpenAI): Promise<string | null | undefined> =>
  openai.chat.completions
    .create({ model: 'test-model', messages: [{ role: 'user', content: 'question?' }] })
    .then((r) => r.choices[0]?.message.content);

/** A fault on the first `n` requests only. */
const firstRequests = (n: number, fault: FaultSpec): ChaosConfig => {
  let seen = 0;
  return {
    enabled: true,
    seed: 'openai',
    killSwitch: false,
    faults: [{ probability: 1, ...fault, target: { where: () => seen++ < n } }],
  };
};

beforeAll(async () => {
  server = await startServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(completion));
  });
  handle = installFetchInterceptor();
});

afterAll(async () => {
  handle.uninstall();
  await server.close();
});

afterEach(() => {
  server.requests.length = 0;
});

describe('the OpenAI SDK under chaos, with no code change', () => {
  it('answers normally outside a scope', async () => {
    expect(await ask(client())).toBe('The answer is 42.');
    expect(server.requests).toEqual(['POST /v1/chat/completions']);
  });

  it('retries an injected 429 after its retry-after-ms and then succeeds', async () => {
    const openai = client();
    const { answer, injected } = await chaos.run(
      firstRequests(1, { kind: 'error', type: 'rate-limited', retryAfterMs: 5 }),
      async ({ scope }) => ({
        answer: await ask(openai),
        injected: scope.journal.injections.map((i) => i.effect.error?.status),
      }),
    );
    expect(answer).toBe('The answer is 42.');
    expect(injected).toEqual([429]);
    expect(server.requests).toEqual(['POST /v1/chat/completions']); // only the retry got through
  });

  it('retries injected 503s that carry retry-after-ms', async () => {
    const openai = client();
    const answer = await chaos.run(
      firstRequests(2, { kind: 'error', type: 'unavailable', retryAfterMs: 1 }),
      () => ask(openai),
    );
    expect(answer).toBe('The answer is 42.');
    expect(server.requests).toHaveLength(1);
  });

  it('surfaces injected ECONNRESET as its APIConnectionError (its own backoff is not waited out here)', async () => {
    const openai = new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const error = await chaos.run(firstRequests(1, { kind: 'network', error: 'ECONNRESET' }), () =>
      rejection(ask(openai)),
    );
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(server.requests).toEqual([]);
  });

  it('gives up with its own RateLimitError when every attempt is rate limited', async () => {
    const openai = client();
    const { error, attempts } = await chaos.run(
      firstRequests(10, { kind: 'error', type: 'rate-limited', retryAfterMs: 1 }),
      async ({ scope }) => ({
        error: await rejection(ask(openai)),
        attempts: scope.journal.injections.length,
      }),
    );
    expect(attempts).toBe(3);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.status).toBe(429);
    expect((error as unknown as { code: string }).code).toBe('rate_limit_exceeded');
    expect(server.requests).toEqual([]); // 1 try + 2 retries, none reached the server
  });

  it('does not retry an injected 401', async () => {
    const openai = client();
    const error = await chaos.run(firstRequests(10, { kind: 'error', type: 'unauthorized' }), () =>
      rejection(ask(openai)),
    );
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(server.requests).toEqual([]);
  });
});
