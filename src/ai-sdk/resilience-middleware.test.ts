import { APICallError, type LanguageModelV4Middleware } from '@ai-sdk/provider';
import { generateText, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import type { MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  generating,
  streaming,
  textParts,
  textResult,
  toolCallParts,
  toolCallResult,
  usage,
} from '../../test/e2e/ai-sdk/mock-models.ts';
import {
  createRandom,
  isBudgetExceededError,
  isInvalidOptionError,
  isTimeoutError,
  VirtualClock,
} from '../core/index.ts';
import type { ChaosConfig } from '../faults/index.ts';
import { chaosMiddleware } from './chaos-middleware.ts';
import { isIncompleteResponseError } from './incomplete-response-error.ts';
import { retryAfterFrom } from '../schedule/index.ts';
import { modelRetrySchedule } from './model-retry-schedule.ts';
import {
  resilienceMiddleware,
  type IncompleteResponseEvent,
  type ModelDecisionEvent,
  type ResilienceMiddlewareOptions,
} from './resilience-middleware.ts';

function apiError(statusCode: number, headers: Record<string, string> = {}): APICallError {
  return new APICallError({
    message: `HTTP ${statusCode}`,
    url: 'https://api.example.test/v1/chat',
    requestBodyValues: {},
    statusCode,
    responseHeaders: headers,
    isRetryable: statusCode === 429 || statusCode >= 500,
  });
}

interface Setup {
  model: ReturnType<typeof wrapLanguageModel>;
  resilience: ReturnType<typeof resilienceMiddleware>;
  clock: VirtualClock;
  decisions: ModelDecisionEvent[];
  incomplete: IncompleteResponseEvent[];
  chaos?: ReturnType<typeof chaosMiddleware>;
}

function setup(
  inner: MockLanguageModelV4,
  options: Omit<ResilienceMiddlewareOptions, 'clock' | 'random'> = {},
  chaos?: Omit<ChaosConfig, 'clock'>,
): Setup {
  const clock = new VirtualClock();
  const resilience = resilienceMiddleware({ clock, random: createRandom(7), ...options });
  const middleware: LanguageModelV4Middleware[] = [resilience];
  let chaosLayer: ReturnType<typeof chaosMiddleware> | undefined;
  if (chaos !== undefined) {
    chaosLayer = chaosMiddleware({ killSwitch: false, ...chaos, clock });
    middleware.push(chaosLayer);
  }
  const decisions: ModelDecisionEvent[] = [];
  const incomplete: IncompleteResponseEvent[] = [];
  resilience.onDecision((e) => decisions.push(e));
  resilience.onIncompleteResponse((e) => incomplete.push(e));
  return {
    model: wrapLanguageModel({ model: inner, middleware }),
    resilience,
    clock,
    decisions,
    incomplete,
    ...(chaosLayer === undefined ? {} : { chaos: chaosLayer }),
  };
}

const steps = (decisions: readonly ModelDecisionEvent[]): string[] =>
  decisions.map((d) => `${d.decision}${d.via === undefined ? '' : `:${d.via}`}`);

async function caught(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('resilienceMiddleware: retry', () => {
  it('retries a 429 as long as Retry-After asks, then answers', async () => {
    const inner = generating(
      apiError(429, { 'retry-after-ms': '1500' }),
      apiError(429, { 'retry-after': '2' }),
      textResult('finally'),
    );
    const { model, clock, decisions } = setup(inner);
    const result = await clock.run(generateText({ model, prompt: 'x', maxRetries: 0 }));
    expect(result.text).toBe('finally');
    expect(clock.now()).toBe(3500);
    expect(decisions.filter((d) => d.decision === 'retry').map((d) => d.delayMs)).toEqual([
      1500, 2000,
    ]);
    expect(steps(decisions)).toEqual([
      'attempt-failed',
      'retry',
      'attempt-failed',
      'retry',
      'success:mock-provider/mock-model-id',
    ]);
  });

  it('survives injected rate limits: each retry waits exactly the injected Retry-After', async () => {
    const { model, clock, chaos } = setup(
      generating(textResult('ok')),
      { retry: { maxAttempts: 10 } },
      {
        seed: 4,
        faults: [{ kind: 'error', type: 'rate-limited', retryAfterMs: 1000, probability: 0.6 }],
      },
    );
    for (let i = 0; i < 5; i++) {
      expect((await clock.run(generateText({ model, prompt: 'x', maxRetries: 0 }))).text).toBe(
        'ok',
      );
    }
    const injected = chaos?.scope?.journal.injections.length ?? 0;
    expect(injected).toBeGreaterThan(0);
    expect(clock.now()).toBe(injected * 1000);
  });

  it('does not retry a context-length error; the fallback model (bigger context) answers', async () => {
    const inner = generating(apiError(400));
    const big = generating(textResult('from the big model'));
    const { model, clock, decisions } = setup(inner, { fallbackModels: [big] });
    const result = await clock.run(generateText({ model, prompt: 'x', maxRetries: 0 }));
    expect(result.text).toBe('from the big model');
    expect(inner.doGenerateCalls).toHaveLength(1);
    expect(steps(decisions)).toEqual([
      'attempt-failed',
      'fallback:mock-provider/mock-model-id',
      'success:mock-provider/mock-model-id',
    ]);
  });
});

describe('resilienceMiddleware: timeout, breaker, fallback', () => {
  it('times out hung attempts and falls back to the next model', async () => {
    const inner = generating(textResult('primary'));
    const backup = generating(textResult('backup'));
    const { model, clock, decisions } = setup(
      inner,
      { timeoutMs: 2000, retry: { maxAttempts: 2 }, fallbackModels: [backup] },
      { seed: 1, faults: [{ kind: 'hang', probability: 1 }] },
    );
    const result = await clock.run(generateText({ model, prompt: 'x', maxRetries: 0 }));
    expect(result.text).toBe('backup');
    expect(inner.doGenerateCalls).toHaveLength(0); // the hangs never reached it
    expect(isTimeoutError(decisions[0]?.error)).toBe(true);
    expect(steps(decisions)).toEqual([
      'attempt-failed',
      'retry',
      'attempt-failed',
      'fallback:mock-provider/mock-model-id',
      'success:mock-provider/mock-model-id',
    ]);
    expect(clock.now()).toBeGreaterThanOrEqual(4000);
  });

  it('opens the breaker of a failing model and then skips it', async () => {
    const inner = generating(apiError(503));
    const backup = generating(textResult('backup'));
    const { model, clock, decisions, resilience } = setup(inner, {
      retry: false,
      circuitBreaker: { failureThreshold: 2, resetTimeout: 60_000 },
      fallbackModels: [backup],
    });
    for (let i = 0; i < 4; i++) {
      expect((await clock.run(generateText({ model, prompt: 'x', maxRetries: 0 }))).text).toBe(
        'backup',
      );
    }
    expect(inner.doGenerateCalls).toHaveLength(2);
    expect(resilience.breakerOf(inner)?.state).toBe('open');
    expect(steps(decisions).filter((s) => s === 'circuit-open')).toHaveLength(2);
  });

  it('rethrows the last failure when every model fails', async () => {
    const error = apiError(500);
    const { model, clock, decisions } = setup(generating(error), {
      retry: { maxAttempts: 2 },
      fallbackModels: [generating(apiError(502))],
    });
    const failure = await clock.run(caught(generateText({ model, prompt: 'x', maxRetries: 0 })));
    expect((failure as APICallError).statusCode).toBe(502);
    expect(decisions.at(-1)?.decision).toBe('failure');
  });
});

describe('resilienceMiddleware: budget', () => {
  it('refuses further calls once injected usage has blown the token budget', async () => {
    const inner = generating(toolCallResult('lookup', { q: 'a' }), textResult('done'));
    const { model, clock, decisions, resilience } = setup(
      inner,
      { budget: { maxTokens: 1000 }, pricing: { inputPerMillion: 2, outputPerMillion: 8 } },
      { seed: 1, faults: [{ kind: 'llm-usage', factor: 100, probability: 1 }] },
    );
    const error = await clock.run(
      caught(
        generateText({
          model,
          prompt: 'x',
          maxRetries: 0,
          stopWhen: stepCountIs(3),
          tools: { lookup: tool({ inputSchema: z.object({ q: z.string() }), execute: () => 'r' }) },
        }),
      ),
    );
    expect(isBudgetExceededError(error)).toBe(true);
    expect(inner.doGenerateCalls).toHaveLength(1);
    expect(resilience.budget?.usage.tokens).toBe(1500);
    expect(resilience.budget?.usage.cost).toBeCloseTo((1000 * 2 + 500 * 8) / 1e6);
    expect(decisions.at(-1)?.decision).toBe('budget-exceeded');
  });
});

describe('resilienceMiddleware: streams', () => {
  it('flags the silent failure: a stream cut short gives partial text and finish reason "other"', async () => {
    const { model, incomplete } = setup(
      streaming(textParts(['The answer', ' is 42', ' and more'])),
      {},
      {
        seed: 1,
        faults: [{ kind: 'llm-stream', mode: 'end-early', afterChunks: 2, probability: 1 }],
      },
    );
    const result = streamText({ model, prompt: 'x', maxRetries: 0 });
    expect(await result.text).toBe('The answer is 42');
    expect(await result.finishReason).toBe('other');
    expect(incomplete).toEqual([
      expect.objectContaining({
        reason: 'no-finish',
        textLength: 16,
        chunks: 2,
        operation: 'stream',
      }),
    ]);
  });

  it("turns the silent failure into an error with incompleteResponses: 'error'", async () => {
    const { model } = setup(
      streaming(textParts(['The answer', ' is 42'])),
      { incompleteResponses: 'error' },
      {
        seed: 1,
        faults: [{ kind: 'llm-stream', mode: 'end-early', afterChunks: 1, probability: 1 }],
      },
    );
    const result = streamText({ model, prompt: 'x', maxRetries: 0, onError: () => undefined });
    const error = await caught(Promise.resolve(result.text));
    expect(isIncompleteResponseError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'no-finish', textLength: 10 });
  });

  it('fails a stalled stream after the idle timeout', async () => {
    const { model, clock, incomplete } = setup(
      streaming(textParts(['Hello', ' world'])),
      { streamIdleTimeoutMs: 5000 },
      { seed: 1, faults: [{ kind: 'llm-stream', mode: 'stall', afterChunks: 1, probability: 1 }] },
    );
    const result = streamText({ model, prompt: 'x', maxRetries: 0, onError: () => undefined });
    const error = await clock.run(caught(Promise.resolve(result.text)));
    expect(clock.now()).toBe(5000);
    expect(isIncompleteResponseError(error)).toBe(true);
    expect(incomplete[0]).toMatchObject({ reason: 'stalled', textLength: 5 });
  });

  it("still passes the caller's abort to the model once the stream has started", async () => {
    const inner = streaming(textParts(['Hello', ' world']));
    const { model } = setup(
      inner,
      { streamIdleTimeoutMs: false },
      { seed: 1, faults: [{ kind: 'llm-stream', mode: 'stall', afterChunks: 1, probability: 1 }] },
    );
    const controller = new AbortController();
    const result = streamText({
      model,
      prompt: 'x',
      maxRetries: 0,
      abortSignal: controller.signal,
      onError: () => undefined,
      onChunk: ({ chunk }) => {
        if (chunk.type === 'text-delta') {
          setImmediate(() => {
            controller.abort(new Error('user left'));
          });
        }
      },
    });
    await result.consumeStream();
    expect(inner.doStreamCalls[0]?.abortSignal?.aborted).toBe(true);
  });

  it('retries a stream that fails before its first chunk, invisibly to the caller', async () => {
    const inner = streaming(
      [
        { type: 'stream-start', warnings: [] },
        { type: 'error', error: apiError(503) },
      ],
      textParts(['recovered']),
    );
    const { model, clock, decisions } = setup(inner);
    const result = streamText({ model, prompt: 'x', maxRetries: 0 });
    expect(await clock.run(Promise.resolve(result.text))).toBe('recovered');
    expect(inner.doStreamCalls).toHaveLength(2);
    expect(steps(decisions).slice(0, 2)).toEqual(['attempt-failed', 'retry']);
  });

  it('retries a stream cut before any output', async () => {
    const inner = streaming(textParts(['abc']));
    const { model, clock, chaos } = setup(
      inner,
      { retry: { maxAttempts: 6 } },
      { seed: 3, faults: [{ kind: 'llm-stream', mode: 'cut', afterChunks: 0, probability: 0.5 }] },
    );
    const result = streamText({ model, prompt: 'x', maxRetries: 0 });
    expect(await clock.run(Promise.resolve(result.text))).toBe('abc');
    expect(inner.doStreamCalls).toHaveLength((chaos?.scope?.journal.injections.length ?? 0) + 1);
  });

  it('runs a streamed tool loop through chaos and resilience', async () => {
    const inner = streaming(
      [
        { type: 'stream-start', warnings: [] },
        { type: 'error', error: apiError(500) },
      ],
      toolCallParts('weather', { city: 'Paris' }),
      textParts(['Sunny in Paris.']),
    );
    const { model, clock } = setup(
      inner,
      {},
      { seed: 1, faults: [{ kind: 'latency', ms: 100, probability: 1 }] },
    );
    const cities: string[] = [];
    const result = streamText({
      model,
      prompt: 'weather?',
      maxRetries: 0,
      stopWhen: stepCountIs(3),
      tools: {
        weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: ({ city }) => {
            cities.push(city);
            return 'sunny';
          },
        }),
      },
    });
    expect(await clock.run(Promise.resolve(result.text))).toBe('Sunny in Paris.');
    expect(cities).toEqual(['Paris']);
    expect(inner.doStreamCalls).toHaveLength(3);
  });
});

describe('resilienceMiddleware: generate results', () => {
  it("reports a generate result that finished with reason 'other'", async () => {
    const { model, incomplete } = setup(
      generating(textResult('Once upon a time, there was a very long story')),
      {},
      { seed: 1, faults: [{ kind: 'llm-stream', mode: 'end-early', probability: 1 }] },
    );
    const result = await generateText({ model, prompt: 'x', maxRetries: 0 });
    expect(result.finishReason).toBe('other');
    expect(incomplete[0]).toMatchObject({ reason: 'finish-reason', finishReason: 'other' });
  });

  it('keeps usage of answered calls in the budget', async () => {
    const { model, resilience } = setup(generating(textResult('a', usage(3, 4))), {
      budget: { maxTokens: 100 },
    });
    await generateText({ model, prompt: 'x', maxRetries: 0 });
    await generateText({ model, prompt: 'x', maxRetries: 0 });
    expect(resilience.budget?.usage.tokens).toBe(14);
  });
});

describe('resilienceMiddleware: options', () => {
  it('rejects bad options with an InvalidOptionError', () => {
    for (const options of [
      { timeoutMs: -1 },
      { streamIdleTimeoutMs: 0 },
      { incompleteResponses: 'ignore' as 'error' },
      { fallbackModels: [{}] as never },
      { pricing: { inputPerMillion: -2 } },
      { isRetryable: 'yes' as never },
    ]) {
      let error: unknown;
      try {
        resilienceMiddleware(options);
      } catch (e) {
        error = e;
      }
      expect(isInvalidOptionError(error)).toBe(true);
    }
  });

  it('reads Retry-After from headers, dates and causes', () => {
    const now = Date.UTC(2026, 10, 1, 12, 0, 0);
    expect(retryAfterFrom(apiError(429, { 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterFrom(apiError(429, { 'Retry-After': '3' }), now)).toBe(3000);
    expect(
      retryAfterFrom(apiError(429, { 'retry-after': new Date(now + 5000).toUTCString() }), now),
    ).toBe(5000);
    expect(retryAfterFrom(new Error('x', { cause: { retryAfterMs: 40 } }), now)).toBe(40);
    expect(retryAfterFrom(new Error('x'), now)).toBeUndefined();
    const schedule = modelRetrySchedule({ maxRetryAfterMs: 1000 });
    const input = {
      attempt: 1,
      elapsedMs: 0,
      nowMs: now,
      previousDelayMs: 0,
      random: createRandom(1),
    };
    expect(schedule({ ...input, error: apiError(429, { 'retry-after': '5' }) })).toBeUndefined();
    const backoff = schedule({ ...input, attempt: 3, error: new Error('x') });
    expect(backoff).toBeGreaterThanOrEqual(0);
    expect(backoff).toBeLessThanOrEqual(4000);
  });
});
