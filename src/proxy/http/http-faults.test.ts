import { describe, expect, it } from 'vitest';
import { createRandom } from '../../core/index.ts';
import { parseToxicInput } from '../toxic-schema.ts';
import {
  badToolArgsEvent,
  badToolArgsJson,
  corruptField,
  invalidJson,
  matchesRequest,
  planExchange,
} from './http-faults.ts';
import { sseData } from './sse.ts';

const body = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

describe('HTTP faults', () => {
  it('matches method and path (exact or prefix*), empty matches all', () => {
    const req = { method: 'POST', path: '/v1/chat/completions' };
    expect(matchesRequest({ method: '', path: '' }, req)).toBe(true);
    expect(matchesRequest({ method: 'post', path: '/v1/chat/completions' }, req)).toBe(true);
    expect(matchesRequest({ method: 'GET', path: '' }, req)).toBe(false);
    expect(matchesRequest({ method: '', path: '/v1/*' }, req)).toBe(true);
    expect(matchesRequest({ method: '', path: '/v1' }, req)).toBe(false);
  });

  it('invalidJson never yields parseable JSON for objects and arrays', () => {
    for (const value of [{}, [], { a: 1 }, [1, 2, 3], { nested: { deep: [true, null] } }]) {
      const text = `${JSON.stringify(value)}\n`;
      expect(() => JSON.parse(invalidJson(Buffer.from(text)).toString()) as unknown).toThrow();
    }
  });

  it('corruptField sets an existing dot-path field and leaves others alone', () => {
    const completion = { choices: [{ message: { content: 'hi', role: 'assistant' } }] };
    const out = JSON.parse(
      corruptField('choices.0.message.content', null)(body(completion)).toString(),
    ) as typeof completion;
    expect(out.choices[0]!.message).toEqual({ content: null, role: 'assistant' });
    const missing = body({ a: 1 });
    expect(corruptField('b.c', 1)(missing)).toBe(missing);
    const text = Buffer.from('not json');
    expect(corruptField('a', 1)(text)).toBe(text);
  });

  it('bad tool args: JSON bodies get truncated arguments, streams a spoiled first fragment', () => {
    const completion = {
      choices: [
        {
          message: {
            tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{"city":"Paris"}' } }],
          },
        },
      ],
    };
    const out = JSON.parse(badToolArgsJson(body(completion)).toString()) as typeof completion;
    const args = out.choices[0]!.message.tool_calls[0]!.function.arguments;
    expect(() => JSON.parse(args) as unknown).toThrow();
    const seen = new Set<string>();
    const delta = (args: string): string =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args } }] } }] })}\n\n`;
    const fragments = ['', '{"city"', ':"Paris"}'].map((a) => badToolArgsEvent(delta(a), seen));
    const assembled = fragments
      .map(
        (e) =>
          (
            JSON.parse(sseData(e)!) as {
              choices: { delta: { tool_calls: { function: { arguments: string } }[] } }[];
            }
          ).choices[0]!.delta.tool_calls[0]!.function.arguments,
      )
      .join('');
    expect(assembled).toBe('{{"city":"Paris"}');
    expect(() => JSON.parse(assembled) as unknown).toThrow();
  });

  it('plans: the first answering toxic wins; probability is drawn per request; misses cost nothing', () => {
    const limit = parseToxicInput({
      type: 'openai_rate_limit',
      attributes: { retry_after_ms: 250, path: '/v1/*' },
    });
    const status = parseToxicInput({ type: 'http_status', attributes: { status: 500 } });
    const random = createRandom(3);
    const plan = planExchange(
      [limit, status],
      { method: 'POST', path: '/v1/x' },
      () => true,
      () => random,
    );
    const text = plan!.respond!.bytes.toString();
    expect(plan!.respond!.status).toBe(429);
    expect(text).toContain('retry-after: 1\r\n');
    expect(text).toContain('retry-after-ms: 250\r\n');
    expect(text).toContain('"code":"rate_limit_exceeded"');
    expect(
      planExchange(
        [limit],
        { method: 'GET', path: '/other' },
        () => true,
        () => random,
      ),
    ).toBeUndefined();
    expect(
      planExchange(
        [limit],
        { method: 'POST', path: '/v1/x' },
        () => false,
        () => random,
      ),
    ).toBeUndefined();
    const half = parseToxicInput({ type: 'http_status', attributes: { probability: 0.5 } });
    let hits = 0;
    for (let i = 0; i < 2000; i++)
      if (
        planExchange(
          [half],
          { method: 'GET', path: '/' },
          () => true,
          () => random,
        )
      )
        hits++;
    expect(hits).toBeGreaterThan(900);
    expect(hits).toBeLessThan(1100);
  });

  it("OpenAI presets have the API's error shapes", () => {
    const random = createRandom(1);
    const answer = (body: object): { status: number; json: { error: Record<string, unknown> } } => {
      const plan = planExchange(
        [parseToxicInput(body)],
        { method: 'POST', path: '/' },
        () => true,
        () => random,
      )!;
      const text = plan.respond!.bytes.toString();
      return {
        status: plan.respond!.status,
        json: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as {
          error: Record<string, unknown>;
        },
      };
    };
    expect(answer({ type: 'openai_context_length' })).toMatchObject({
      status: 400,
      json: {
        error: {
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      },
    });
    expect(answer({ type: 'openai_overloaded' })).toMatchObject({
      status: 503,
      json: { error: { type: 'server_error' } },
    });
    expect(
      answer({
        type: 'http_status',
        attributes: { status: 502, body: '{"error":{"message":"x"}}' },
      }),
    ).toMatchObject({ status: 502, json: { error: { message: 'x' } } });
  });
});
