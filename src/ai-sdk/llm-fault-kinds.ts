import type {
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import { markInjected, type Random } from '../core/index.ts';
import {
  createSystemError,
  registerFaultKind,
  resolveFaultKind,
  type FaultEffect,
  type FaultFactory,
  type FaultSpec,
} from '../faults/index.ts';
import { injectionRandom } from '../faults/kinds/json-tools.ts';
import {
  isContentPart,
  mapGeneratedToolCalls,
  mapParts,
  scaleUsage,
  truncateGenerated,
  type PartStream,
} from './model-output.ts';

/** How an `llm-stream` fault breaks a response. */
export type LlmStreamMode = 'cut' | 'stall' | 'end-early';

/**
 * Spec of an `llm-stream` fault: the response breaks off after `afterChunks` output chunks (or
 * at its finish, if it has fewer).
 *
 * - `cut`: the connection drops: the stream errors with `TypeError: terminated` (as undici
 *   reports it); a `generateText` call fails with a retryable `APICallError`.
 * - `stall`: no further chunk ever arrives (until the caller aborts).
 * - `end-early`: the stream just ends, without its finish part: the silent failure, where the AI
 *   SDK hands back partial text with finish reason `'other'`; a `generateText` call gets part of
 *   its text with finish reason `'other'`.
 */
export interface LlmStreamFaultSpec extends FaultSpec {
  readonly kind: 'llm-stream';
  /**
   * What happens; with several, each injection picks one.
   * @default ['cut', 'stall', 'end-early']
   */
  readonly mode?: LlmStreamMode | readonly LlmStreamMode[];
  /**
   * Output chunks delivered before the break.
   * @default 1
   */
  readonly afterChunks?: number;
}

/** Spec of an `llm-truncate` fault: the answer's text is cut short. */
export interface LlmTruncateFaultSpec extends FaultSpec {
  readonly kind: 'llm-truncate';
  /**
   * The share of the text kept (0..1).
   * @default a uniform draw in [0.2, 0.8)
   */
  readonly fraction?: number;
  /**
   * The finish reason reported: `length` as when `maxOutputTokens` is hit, or `stop` to hide it.
   * @default 'length'
   */
  readonly finishReason?: 'length' | 'stop' | 'other';
}

/** How an `llm-tool-args` fault corrupts a tool call's arguments. */
export type LlmToolArgsMode = 'invalid-json' | 'drop-field' | 'wrong-type' | 'wrong-value';

/**
 * Spec of an `llm-tool-args` fault: the model's tool calls carry corrupted arguments: not JSON,
 * a missing or mistyped field (the AI SDK feeds a tool error back to the model), or a plausible
 * wrong value (which passes validation: the tool runs with it).
 */
export interface LlmToolArgsFaultSpec extends FaultSpec {
  readonly kind: 'llm-tool-args';
  /**
   * How; with several, each injection picks one.
   * @default every mode
   */
  readonly mode?: LlmToolArgsMode | readonly LlmToolArgsMode[];
  /**
   * Only calls of these tools.
   * @default every tool
   */
  readonly tools?: readonly string[];
}

/** Spec of an `llm-usage` fault: the reported token usage is far higher than it was. */
export interface LlmUsageFaultSpec extends FaultSpec {
  readonly kind: 'llm-usage';
  /**
   * Multiplies the token counts.
   * @default 100
   */
  readonly factor?: number;
  /**
   * Sets the input token count instead.
   * @default undefined
   */
  readonly inputTokens?: number;
  /**
   * Sets the output token count instead.
   * @default undefined
   */
  readonly outputTokens?: number;
}

/** The spec of any LLM fault kind, for typed configs. */
export type LlmFaultSpec =
  LlmStreamFaultSpec | LlmTruncateFaultSpec | LlmToolArgsFaultSpec | LlmUsageFaultSpec;

/** One model call, as the LLM fault kinds' transforms receive and return it. */
export type ModelCall =
  | {
      readonly kind: 'generate';
      readonly result: LanguageModelV4GenerateResult;
      readonly signal: AbortSignal | undefined;
    }
  | {
      readonly kind: 'stream';
      readonly result: LanguageModelV4StreamResult;
      readonly signal: AbortSignal | undefined;
    };

interface ModelTransform {
  generate(
    result: LanguageModelV4GenerateResult,
    signal: AbortSignal | undefined,
  ): LanguageModelV4GenerateResult | Promise<LanguageModelV4GenerateResult>;
  stream(stream: PartStream, signal: AbortSignal | undefined): PartStream;
}

const modelTransforms = new WeakSet<object>();

/**
 * True for a transform made by an LLM fault kind: it takes a whole {@link ModelCall} and returns
 * one (or a promise of one). Other transforms (`hallucination`, `corruption`) take the text.
 */
export function isModelCallTransform(transform: (value: unknown) => unknown): boolean {
  return modelTransforms.has(transform);
}

function isModelCall(value: unknown): value is ModelCall {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as { kind?: unknown }).kind === 'generate' ||
      (value as { kind?: unknown }).kind === 'stream')
  );
}

function modelTransform(description: string, apply: ModelTransform): FaultEffect {
  const fn = (value: unknown): unknown => {
    if (!isModelCall(value)) return value;
    if (value.kind === 'generate') {
      const out = apply.generate(value.result, value.signal);
      return out instanceof Promise
        ? out.then((result) => ({ ...value, result }))
        : { ...value, result: out };
    }
    return {
      ...value,
      result: { ...value.result, stream: apply.stream(value.result.stream, value.signal) },
    };
  };
  modelTransforms.add(fn);
  return { type: 'transform', description, transform: fn };
}

function pick<T>(items: readonly T[], random: Random): T {
  return items.length === 1 ? (items[0] as T) : random.pick(items);
}

function faultName(spec: FaultSpec): string {
  return typeof spec.name === 'string' ? spec.name : spec.kind;
}

/** The error a dropped connection gives a stream reader (undici's wording). */
function terminated(fault: string, kind: string, seed: string): TypeError {
  const error = new TypeError('terminated', {
    cause: createSystemError('ECONNRESET', { syscall: 'read' }),
  });
  return markInjected(error, { fault, kind, seed });
}

function untilAbort(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    if (signal === undefined) return;
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    signal.addEventListener(
      'abort',
      () => {
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

const streamModes: readonly LlmStreamMode[] = ['cut', 'stall', 'end-early'];

function breakStream(
  source: PartStream,
  mode: LlmStreamMode,
  afterChunks: number,
  signal: AbortSignal | undefined,
  error: () => Error,
): PartStream {
  const reader = source.getReader();
  let delivered = 0;
  return new ReadableStream<LanguageModelV4StreamPart>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      const content = isContentPart(value);
      if ((content && delivered >= afterChunks) || value.type === 'finish') {
        void reader.cancel().catch(() => undefined);
        if (mode === 'cut') controller.error(error());
        else if (mode === 'end-early') controller.close();
        else {
          try {
            await untilAbort(signal);
          } catch (reason) {
            controller.error(reason);
          }
        }
        return;
      }
      if (content) delivered++;
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

const streamFault: FaultFactory = (read, spec) => {
  const modes = read.oneOrMany('mode', streamModes) ?? streamModes;
  const afterChunks = read.number('afterChunks', { min: 0, integer: true }) ?? 1;
  const name = faultName(spec);
  return {
    effect(context) {
      const mode = pick(modes, context.random);
      const error = (): Error => terminated(name, 'llm-stream', context.seed);
      return modelTransform(`llm-stream: ${mode}`, {
        generate(result, signal) {
          if (mode === 'cut') throw error();
          if (mode === 'stall') return untilAbort(signal);
          return truncateGenerated(result, 0.5, { unified: 'other', raw: undefined });
        },
        stream: (stream, signal) => breakStream(stream, mode, afterChunks, signal, error),
      });
    },
  };
};

const truncateFault: FaultFactory = (read) => {
  const fraction = read.number('fraction', { min: 0, max: 1 });
  const reason = read.oneOf('finishReason', ['length', 'stop', 'other']) ?? 'length';
  return {
    effect(context) {
      const keep = fraction ?? context.random.float(0.2, 0.8);
      const finishReason: LanguageModelV4FinishReason = { unified: reason, raw: reason };
      return modelTransform(`llm-truncate: ${Math.round(keep * 100)}%`, {
        generate: (result) => truncateGenerated(result, keep, finishReason),
        stream(stream) {
          const blocks = new Map<string, string>();
          const flush = (enqueue: (p: LanguageModelV4StreamPart) => void): void => {
            for (const [id, text] of blocks) {
              enqueue({
                type: 'text-delta',
                id,
                delta: text.slice(0, Math.floor(text.length * keep)),
              });
            }
            blocks.clear();
          };
          return mapParts(
            stream,
            (part, enqueue) => {
              if (part.type === 'text-delta') {
                blocks.set(part.id, (blocks.get(part.id) ?? '') + part.delta);
                return;
              }
              if (part.type === 'text-end' || part.type === 'finish') flush(enqueue);
              enqueue(part.type === 'finish' ? { ...part, finishReason } : part);
            },
            flush,
          );
        },
      });
    },
  };
};

const toolArgsModes: readonly LlmToolArgsMode[] = [
  'invalid-json',
  'drop-field',
  'wrong-type',
  'wrong-value',
];

const plausible = ['Springfield', 'approved', 'N/A', 'default', '2019-03-14', 'admin'];

function corruptArgs(input: string, mode: LlmToolArgsMode, random: Random): string {
  if (mode === 'invalid-json') {
    return input.length > 1 ? input.slice(0, Math.max(1, Math.floor(input.length / 2))) : '{';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return `${input}}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return JSON.stringify({ value: parsed });
  }
  const args = { ...(parsed as Record<string, unknown>) };
  const keys = Object.keys(args);
  if (keys.length === 0) {
    return JSON.stringify(mode === 'drop-field' ? args : { unexpected: true });
  }
  const key = random.pick(keys);
  const value = args[key];
  switch (mode) {
    case 'drop-field':
      Reflect.deleteProperty(args, key);
      break;
    case 'wrong-type':
      args[key] =
        typeof value === 'number'
          ? String(value)
          : typeof value === 'string'
            ? value.length
            : typeof value === 'boolean'
              ? String(value)
              : 0;
      break;
    case 'wrong-value':
      args[key] =
        typeof value === 'number'
          ? value +
            (random.chance(0.5) ? 1 : -1) *
              Math.max(1, Math.round(Math.abs(value) * random.float(0.1, 0.5)))
          : typeof value === 'boolean'
            ? !value
            : typeof value === 'string'
              ? random.pick(plausible.filter((p) => p !== value))
              : value;
      break;
  }
  return JSON.stringify(args);
}

const toolArgsFault: FaultFactory = (read) => {
  const modes = read.oneOrMany('mode', toolArgsModes) ?? toolArgsModes;
  const tools = read.strings('tools');
  return {
    effect(context) {
      const mode = pick(modes, context.random);
      const random = injectionRandom(context);
      const applies = (toolName: string): boolean =>
        tools === undefined || tools.includes(toolName);
      const corrupt = (input: string, toolName: string): string =>
        applies(toolName) ? corruptArgs(input, mode, random) : input;
      return modelTransform(`llm-tool-args: ${mode}`, {
        generate: (result) => mapGeneratedToolCalls(result, corrupt),
        stream: (stream) =>
          mapParts(stream, (part, enqueue) => {
            enqueue(
              part.type === 'tool-call'
                ? { ...part, input: corrupt(part.input, part.toolName) }
                : part,
            );
          }),
      });
    },
  };
};

const usageFault: FaultFactory = (read) => {
  const factor = read.number('factor', { min: 0 }) ?? 100;
  const inputTokens = read.number('inputTokens', { min: 0, integer: true });
  const outputTokens = read.number('outputTokens', { min: 0, integer: true });
  const set = {
    ...(inputTokens === undefined ? {} : { inputTokens }),
    ...(outputTokens === undefined ? {} : { outputTokens }),
  };
  return {
    effect: () =>
      modelTransform(`llm-usage: ×${factor}`, {
        generate: (result) => ({ ...result, usage: scaleUsage(result.usage, factor, set) }),
        stream: (stream) =>
          mapParts(stream, (part, enqueue) => {
            enqueue(
              part.type === 'finish'
                ? { ...part, usage: scaleUsage(part.usage, factor, set) }
                : part,
            );
          }),
      }),
  };
};

const factories: readonly (readonly [string, FaultFactory])[] = [
  ['llm-stream', streamFault],
  ['llm-truncate', truncateFault],
  ['llm-tool-args', toolArgsFault],
  ['llm-usage', usageFault],
];

/** The names of the LLM fault kinds. */
export const llmFaultKinds: readonly string[] = factories.map(([kind]) => kind);

/**
 * Registers the LLM fault kinds (`llm-stream`, `llm-truncate`, `llm-tool-args`, `llm-usage`) with
 * the fault registry, so chaos configs can name them. Importing `faultline/ai-sdk` does it;
 * calling it again does nothing.
 */
export function registerLlmFaultKinds(): void {
  for (const [kind, factory] of factories) {
    if (resolveFaultKind(kind) === undefined) registerFaultKind(kind, factory);
  }
}

registerLlmFaultKinds();
