import type {
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';

/** A stream of model output parts. */
export type PartStream = ReadableStream<LanguageModelV4StreamPart>;

/**
 * True for a part that carries output (a text, reasoning or tool-input delta, a tool call, a
 * file, a source...); block markers (`text-start`, `text-end`, ...) and metadata do not.
 */
export function isContentPart(part: LanguageModelV4StreamPart): boolean {
  switch (part.type) {
    case 'stream-start':
    case 'response-metadata':
    case 'finish':
    case 'raw':
    case 'error':
    case 'ping':
    case 'text-start':
    case 'text-end':
    case 'reasoning-start':
    case 'reasoning-end':
    case 'tool-input-start':
    case 'tool-input-end':
      return false;
    default:
      return true;
  }
}

/** A value as text (strings as they are, anything else as JSON). */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Applies `map` to the text of every text part of a generate result. */
export function mapGeneratedText(
  result: LanguageModelV4GenerateResult,
  map: (text: string) => string,
): LanguageModelV4GenerateResult {
  const content = result.content.map((part): LanguageModelV4Content =>
    part.type === 'text' ? { ...part, text: map(part.text) } : part,
  );
  return { ...result, content };
}

/** Applies `map` to every tool call of a generate result. */
export function mapGeneratedToolCalls(
  result: LanguageModelV4GenerateResult,
  map: (input: string, toolName: string) => string,
): LanguageModelV4GenerateResult {
  const content = result.content.map((part): LanguageModelV4Content =>
    part.type === 'tool-call' ? { ...part, input: map(part.input, part.toolName) } : part,
  );
  return { ...result, content };
}

/**
 * Keeps the first `fraction` of a generate result's text (all text parts together); later text
 * parts are dropped. The finish reason becomes `finishReason`.
 */
export function truncateGenerated(
  result: LanguageModelV4GenerateResult,
  fraction: number,
  finishReason: LanguageModelV4FinishReason,
): LanguageModelV4GenerateResult {
  const total = result.content.reduce((n, p) => n + (p.type === 'text' ? p.text.length : 0), 0);
  let budget = Math.floor(total * fraction);
  const content: LanguageModelV4Content[] = [];
  for (const part of result.content) {
    if (part.type !== 'text') {
      if (part.type !== 'tool-call') content.push(part);
      continue;
    }
    if (budget <= 0) continue;
    content.push({ ...part, text: part.text.slice(0, budget) });
    budget -= part.text.length;
  }
  return { ...result, content, finishReason };
}

/** Scales (or sets) token counts. */
export function scaleUsage(
  usage: LanguageModelV4Usage,
  factor: number,
  set: { readonly inputTokens?: number; readonly outputTokens?: number },
): LanguageModelV4Usage {
  const scale = (n: number | undefined): number | undefined =>
    n === undefined ? undefined : Math.round(n * factor);
  const input = set.inputTokens;
  const output = set.outputTokens;
  return {
    ...usage,
    inputTokens: {
      ...usage.inputTokens,
      total: input ?? scale(usage.inputTokens.total ?? 0),
      noCache: input ?? scale(usage.inputTokens.noCache),
    },
    outputTokens: {
      ...usage.outputTokens,
      total: output ?? scale(usage.outputTokens.total ?? 0),
      text: output ?? scale(usage.outputTokens.text),
    },
  };
}

/**
 * Transforms a stream part by part. `part` enqueues what replaces a part (nothing drops it);
 * `end` runs once the source is done.
 */
export function mapParts(
  source: PartStream,
  part: (
    part: LanguageModelV4StreamPart,
    enqueue: (part: LanguageModelV4StreamPart) => void,
  ) => void,
  end?: (enqueue: (part: LanguageModelV4StreamPart) => void) => void,
): PartStream {
  return source.pipeThrough(
    new TransformStream<LanguageModelV4StreamPart, LanguageModelV4StreamPart>({
      transform(chunk, controller) {
        part(chunk, (p) => {
          controller.enqueue(p);
        });
      },
      flush(controller) {
        end?.((p) => {
          controller.enqueue(p);
        });
      },
    }),
  );
}

/**
 * Buffers each text block of a stream and emits it as one delta, `map`ped, at its end (or when
 * the stream finishes without ending it): how a transform of the whole text reaches a stream.
 */
export function mapStreamedText(source: PartStream, map: (text: string) => string): PartStream {
  const blocks = new Map<string, string>();
  const flush = (enqueue: (p: LanguageModelV4StreamPart) => void, id?: string): void => {
    for (const [key, text] of blocks) {
      if (id !== undefined && key !== id) continue;
      blocks.delete(key);
      enqueue({ type: 'text-delta', id: key, delta: map(text) });
    }
  };
  return mapParts(
    source,
    (part, enqueue) => {
      if (part.type === 'text-delta') {
        blocks.set(part.id, (blocks.get(part.id) ?? '') + part.delta);
        return;
      }
      if (part.type === 'text-end') flush(enqueue, part.id);
      else if (part.type === 'finish') flush(enqueue);
      enqueue(part);
    },
    (enqueue) => {
      flush(enqueue);
    },
  );
}
