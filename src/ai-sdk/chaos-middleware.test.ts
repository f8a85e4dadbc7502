import { APICallError } from '@ai-sdk/provider';
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
import { isInjectedFault, VirtualClock } from '../core/index.ts';
import { chaos, type ChaosConfig } from '../faults/index.ts';
import { chaosMiddleware } from './chaos-middleware.ts';

function withChaos(model: MockLanguageModelV4, config: ChaosConfig, agent?: string) {
  const middleware = chaosMiddleware(
    { killSwitch: false, ...config },
    agent === undefined ? {} : { agent },
  );
  return { model: wrapLanguageModel({ model, middleware }), middleware };
}

async function caught(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('chaosMiddleware: API errors as the SDK carries them', () => {
  it('fails with a 429 APICallError that asks to retry after a while', async () => {
    const { model } = withChaos(generating(textResult('hi')), {
      seed: 1,
      faults: [{ kind: 'error', type: 'rate-limited', retryAfterMs: 2000, probability: 1 }],
    });
    const error = await caught(generateText({ model, prompt: 'hello', maxRetries: 0 }));
    expect(APICallError.isInstance(error)).toBe(true);
    const e = error as APICallError;
    expect(e.statusCode).toBe(429);
    expect(e.isRetryable).toBe(true);
    expect(e.responseHeaders).toMatchObject({ 'retry-after': '2', 'retry-after-ms': '2000' });
    expect(JSON.parse(e.responseBody ?? '{}')).toMatchObject({
      error: { code: 'rate_limit_exceeded', type: 'rate_limit_error' },
    });
    expect(isInjectedFault(e)).toBe(true);
  });

  it('fails with a 400 context-length error that is not retryable, and 503s that are', async () => {
    const { model } = withChaos(generating(textResult('hi')), {
      seed: 1,
      faults: [{ kind: 'error', type: 'context-length-exceeded', probability: 1 }],
    });
    const error = (await caught(
      generateText({ model, prompt: 'x', maxRetries: 0 }),
    )) as APICallError;
    expect(error.statusCode).toBe(400);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toMatch(/maximum context length/);

    const unavailable = withChaos(generating(textResult('hi')), {
      seed: 1,
      faults: [{ kind: 'error', type: 'unavailable', probability: 1 }],
    });
    const e503 = (await caught(
      generateText({ model: unavailable.model, prompt: 'x', maxRetries: 0 }),
    )) as APICallError;
    expect(e503.statusCode).toBe(503);
    expect(e503.isRetryable).toBe(true);
  });

  it('turns network faults into a retryable "Cannot connect to API"', async () => {
    const { model } = withChaos(streaming(textParts(['a'])), {
      seed: 1,
      faults: [{ kind: 'network', error: 'ECONNRESET', probability: 1 }],
    });
    const errors: unknown[] = [];
    const result = streamText({
      model,
      prompt: 'x',
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    await caught(Promise.resolve(result.text)); // NoOutputGeneratedError: the stream had nothing
    const error = errors[0] as APICallError;
    expect(errors).toHaveLength(1);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('Cannot connect to API');
  });
});

describe('chaosMiddleware: time', () => {
  it('delays a call on the scope clock', async () => {
    const clock = new VirtualClock();
    const { model } = withChaos(generating(textResult('late')), {
      seed: 1,
      clock,
      faults: [{ kind: 'latency', ms: 750, probability: 1 }],
    });
    let done = false;
    const call = generateText({ model, prompt: 'x', maxRetries: 0 }).then((r) => {
      done = true;
      return r.text;
    });
    await clock.advance(749);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(await call).toBe('late');
  });

  it('hangs until the caller aborts', async () => {
    const clock = new VirtualClock();
    const inner = generating(textResult('never'));
    const { model } = withChaos(inner, {
      seed: 1,
      clock,
      faults: [{ kind: 'hang', probability: 1 }],
    });
    const controller = new AbortController();
    const call = caught(
      generateText({ model, prompt: 'x', maxRetries: 0, abortSignal: controller.signal }),
    );
    await clock.advance(3_600_000);
    expect(inner.doGenerateCalls).toHaveLength(0);
    controller.abort(new Error('user gave up'));
    expect(((await call) as Error).message).toContain('user gave up');
  });
});

describe('chaosMiddleware: broken streams', () => {
  it('ends a stream early: the SDK silently returns partial text with finish reason "other"', async () => {
    const { model } = withChaos(streaming(textParts(['Hello', ' brave', ' new world'])), {
      seed: 1,
      faults: [{ kind: 'llm-stream', mode: 'end-early', afterChunks: 2, probability: 1 }],
    });
    const result = streamText({ model, prompt: 'x', maxRetries: 0 });
    expect(await result.text).toBe('Hello brave');
    expect(await result.finishReason).toBe('other');
  });

  it('cuts a stream: the reader fails with "terminated", as undici reports a dropped connection', async () => {
    const { model } = withChaos(streaming(textParts(['Hello', ' world'])), {
      seed: 1,
      faults: [{ kind: 'llm-stream', mode: 'cut', afterChunks: 2, probability: 1 }],
    });
    const result = streamText({ model, prompt: 'x', maxRetries: 0, onError: () => undefined });
    const error = (await caught(Promise.resolve(result.text))) as Error;
    expect(error.message).toBe('terminated');
    expect(isInjectedFault(error)).toBe(true);
  });

  it('stalls a stream until the caller aborts', async () => {
    const { model } = withChaos(streaming(textParts(['Hello', ' world'])), {
      seed: 1,
      faults: [{ kind: 'llm-stream', mode: 'stall', afterChunks: 1, probability: 1 }],
    });
    const controller = new AbortController();
    const deltas: string[] = [];
    const result = streamText({
      model,
      prompt: 'x',
      maxRetries: 0,
      abortSignal: controller.signal,
      onChunk: ({ chunk }) => {
        if (chunk.type === 'text-delta') {
          deltas.push(chunk.text);
          if (deltas.length === 1) {
            setImmediate(() => {
              controller.abort(new Error('stalled'));
            });
          }
        }
      },
    });
    await caught(Promise.resolve(result.text)).catch(() => undefined);
    await result.consumeStream();
    expect(deltas).toEqual(['Hello']);
  });

  it('cuts the text short with finish reason "length", streaming or not', async () => {
    const { model } = withChaos(streaming(textParts(['abcd', 'efgh'])), {
      seed: 1,
      faults: [{ kind: 'llm-truncate', fraction: 0.5, probability: 1 }],
    });
    const streamed = streamText({ model, prompt: 'x', maxRetries: 0 });
    expect(await streamed.text).toBe('abcd');
    expect(await streamed.finishReason).toBe('length');

    const generated = withChaos(generating(textResult('0123456789')), {
      seed: 1,
      faults: [{ kind: 'llm-truncate', fraction: 0.3, probability: 1 }],
    });
    const result = await generateText({ model: generated.model, prompt: 'x', maxRetries: 0 });
    expect(result.text).toBe('012');
    expect(result.finishReason).toBe('length');
  });
});

describe('chaosMiddleware: wrong answers', () => {
  it('hallucinates text deterministically by seed, streaming or not', async () => {
    const answer = 'The order ships in 3 days and costs 42 EUR.';
    const run = async (seed: number, stream: boolean): Promise<string> => {
      const config = { seed, faults: [{ kind: 'hallucination', probability: 1 }] };
      if (stream) {
        const { model } = withChaos(
          streaming(textParts(['The order ships in 3 days', ' and costs 42 EUR.'])),
          config,
        );
        return streamText({ model, prompt: 'x', maxRetries: 0 }).text;
      }
      const { model } = withChaos(generating(textResult(answer)), config);
      return (await generateText({ model, prompt: 'x', maxRetries: 0 })).text;
    };
    const generated = await run(5, false);
    expect(generated).not.toBe(answer);
    expect(await run(5, false)).toBe(generated);
    const streamed = await run(5, true);
    expect(streamed).not.toBe(answer);
    expect(await run(5, true)).toBe(streamed);
  });

  it('corrupts tool-call arguments: invalid JSON becomes a tool error fed back to the model', async () => {
    const inner = generating(toolCallResult('weather', { city: 'Berlin' }), textResult('Sorry.'));
    const { model } = withChaos(inner, {
      seed: 1,
      faults: [{ kind: 'llm-tool-args', mode: 'invalid-json', probability: 1 }],
    });
    const executed: string[] = [];
    const result = await generateText({
      model,
      prompt: 'weather?',
      maxRetries: 0,
      stopWhen: stepCountIs(3),
      tools: {
        weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: ({ city }) => {
            executed.push(city);
            return `sunny in ${city}`;
          },
        }),
      },
    });
    expect(executed).toEqual([]);
    expect(result.steps[0]?.content.map((c) => c.type)).toEqual(['tool-call', 'tool-error']);
    expect(JSON.stringify(inner.doGenerateCalls[1]?.prompt)).toContain('InvalidToolInputError');
  });

  it('corrupts tool-call arguments with a plausible wrong value that passes validation', async () => {
    const inner = streaming(toolCallParts('weather', { city: 'Berlin' }), textParts(['Done.']));
    const { model } = withChaos(inner, {
      seed: 2,
      faults: [{ kind: 'llm-tool-args', mode: 'wrong-value', probability: 1 }],
    });
    const executed: string[] = [];
    const result = streamText({
      model,
      prompt: 'weather?',
      maxRetries: 0,
      stopWhen: stepCountIs(3),
      tools: {
        weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: ({ city }) => {
            executed.push(city);
            return `sunny in ${city}`;
          },
        }),
      },
    });
    expect(await result.text).toBe('Done.');
    expect(executed).toHaveLength(1);
    expect(executed[0]).not.toBe('Berlin');
  });

  it('reports token usage that blows a budget', async () => {
    const { model } = withChaos(generating(textResult('ok', usage(100, 50))), {
      seed: 1,
      faults: [{ kind: 'llm-usage', factor: 1000, probability: 1 }],
    });
    const result = await generateText({ model, prompt: 'x', maxRetries: 0 });
    expect(result.usage.inputTokens).toBe(100_000);
    expect(result.usage.outputTokens).toBe(50_000);
  });
});

describe('chaosMiddleware: scopes', () => {
  it('journals each injection with its operation and agent', async () => {
    const { model, middleware } = withChaos(
      generating(textResult('a')),
      { seed: 'j', faults: [{ kind: 'latency', ms: 0, probability: 1 }] },
      'planner',
    );
    await generateText({ model, prompt: 'x', maxRetries: 0 });
    expect(middleware.scope?.journal.injections.map((r) => r.target)).toEqual([
      { operation: 'llm.generate', agent: 'planner' },
    ]);
  });

  it('follows chaos.run when given no config: nothing outside a scope, faults inside', async () => {
    const model = wrapLanguageModel({
      model: generating(textResult('calm')),
      middleware: chaosMiddleware(),
    });
    expect((await generateText({ model, prompt: 'x', maxRetries: 0 })).text).toBe('calm');
    const inside = await chaos.run(
      {
        enabled: true,
        seed: 3,
        killSwitch: false,
        faults: [{ kind: 'error', type: 'internal', probability: 1 }],
      },
      () => caught(generateText({ model, prompt: 'x', maxRetries: 0 })),
    );
    expect((inside as APICallError).statusCode).toBe(500);
    expect((await generateText({ model, prompt: 'x', maxRetries: 0 })).text).toBe('calm');
  });

  it('rejects an invalid config at construction', () => {
    expect(() => chaosMiddleware({ faults: [{ kind: 'llm-stream', mode: 'explode' }] })).toThrow(
      /faults\[0\]\.mode/,
    );
  });
});
