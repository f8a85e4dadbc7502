import type {
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { MockLanguageModelV4 } from 'ai/test';

/** Token usage as a provider reports it. */
export function usage(input = 10, output = 5): LanguageModelV4Usage {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

const stop: LanguageModelV4FinishReason = { unified: 'stop', raw: 'stop' };
const toolCalls: LanguageModelV4FinishReason = { unified: 'tool-calls', raw: 'tool_calls' };

/** A generate result with one text part. */
export function textResult(text: string, tokens = usage()): LanguageModelV4GenerateResult {
  return { content: [{ type: 'text', text }], finishReason: stop, usage: tokens, warnings: [] };
}

/** A generate result with one tool call. */
export function toolCallResult(
  toolName: string,
  input: unknown,
  id = 'call-1',
): LanguageModelV4GenerateResult {
  return {
    content: [{ type: 'tool-call', toolCallId: id, toolName, input: JSON.stringify(input) }],
    finishReason: toolCalls,
    usage: usage(),
    warnings: [],
  };
}

/** Stream parts of a text answer, one delta per item, with or without the finish part. */
export function textParts(
  deltas: readonly string[],
  options: { finish?: boolean; tokens?: LanguageModelV4Usage } = {},
): LanguageModelV4StreamPart[] {
  const parts: LanguageModelV4StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't1' },
    ...deltas.map((delta): LanguageModelV4StreamPart => ({ type: 'text-delta', id: 't1', delta })),
    { type: 'text-end', id: 't1' },
  ];
  if (options.finish !== false) {
    parts.push({ type: 'finish', finishReason: stop, usage: options.tokens ?? usage() });
  }
  return parts;
}

/** Stream parts of a tool call. */
export function toolCallParts(
  toolName: string,
  input: unknown,
  id = 'call-1',
): LanguageModelV4StreamPart[] {
  return [
    { type: 'stream-start', warnings: [] },
    { type: 'tool-call', toolCallId: id, toolName, input: JSON.stringify(input) },
    { type: 'finish', finishReason: toolCalls, usage: usage() },
  ];
}

/** A stream result over `parts`. */
export function streamOf(parts: readonly LanguageModelV4StreamPart[]): LanguageModelV4StreamResult {
  return {
    stream: new ReadableStream<LanguageModelV4StreamPart>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    }),
  };
}

/** A mock model answering each generate call with the next result (the last one repeats). */
export function generating(
  ...results: readonly (LanguageModelV4GenerateResult | Error)[]
): MockLanguageModelV4 {
  let i = 0;
  return new MockLanguageModelV4({
    doGenerate: () => {
      const next = results[Math.min(i++, results.length - 1)];
      return next instanceof Error
        ? Promise.reject(next)
        : Promise.resolve(next as LanguageModelV4GenerateResult);
    },
  });
}

/** A mock model answering each stream call with the next parts (the last ones repeat). */
export function streaming(
  ...results: readonly (readonly LanguageModelV4StreamPart[] | Error)[]
): MockLanguageModelV4 {
  let i = 0;
  return new MockLanguageModelV4({
    doStream: () => {
      const next = results[Math.min(i++, results.length - 1)];
      return next instanceof Error
        ? Promise.reject(next)
        : Promise.resolve(streamOf(next as readonly LanguageModelV4StreamPart[]));
    },
  });
}
