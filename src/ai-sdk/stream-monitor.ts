import type {
  LanguageModelV4FinishReason,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import type { Clock } from '../core/index.ts';
import { IncompleteResponseError, type IncompleteReason } from './incomplete-response-error.ts';
import { isContentPart, type PartStream } from './model-output.ts';

/** What {@link monitorStream} reports about a response that stopped short. */
export interface IncompleteDetails {
  readonly reason: IncompleteReason;
  /** The finish reason, when a finish part arrived. */
  readonly finishReason?: string;
  /** Characters of text delivered. */
  readonly textLength: number;
  /** Output chunks delivered. */
  readonly chunks: number;
  /** The failure, for `error`. */
  readonly error?: unknown;
}

/** Options of {@link monitorStream}. */
export interface StreamMonitorOptions {
  /** Longest wait for the next chunk; `undefined` for no limit. */
  readonly idleMs: number | undefined;
  /** Times the idle limit. */
  readonly clock: Clock;
  /** `'error'` fails the stream when it ends incomplete; `'report'` only reports it. */
  readonly mode: 'report' | 'error';
  /** Called with the usage of the finish part. */
  readonly onUsage?: (usage: LanguageModelV4Usage) => void;
  /** Called once when the response is incomplete. */
  readonly onIncomplete: (details: IncompleteDetails) => void;
}

const suspicious = new Set(['other', 'interrupted']);

/** True for a finish reason that means the output may be incomplete. */
export function isIncompleteFinish(reason: LanguageModelV4FinishReason): boolean {
  return suspicious.has(reason.unified);
}

type ReadResult = Awaited<
  ReturnType<ReadableStreamDefaultReader<LanguageModelV4StreamPart>['read']>
>;

/** Rejects a read that waited too long (never leaves this module). */
const stalled = new Error('stalled');

/**
 * Watches a model stream on its way to the caller: a stream that ends without its finish part
 * (the silent failure: the AI SDK hands back partial text with finish reason `'other'`), that
 * finishes with reason `'other'` or `'interrupted'`, that stalls for `idleMs`, or that fails, is
 * reported; in `'error'` mode the incomplete ones fail with an {@link IncompleteResponseError}
 * (a stall always fails: nothing else would end it).
 */
export function monitorStream(source: PartStream, options: StreamMonitorOptions): PartStream {
  const { idleMs, clock, mode, onUsage, onIncomplete } = options;
  const reader = source.getReader();
  let textLength = 0;
  let chunks = 0;
  let finished = false;
  let reported = false;
  const report = (
    reason: IncompleteReason,
    extra: { finishReason?: string; error?: unknown } = {},
  ): void => {
    if (reported) return;
    reported = true;
    onIncomplete({ reason, textLength, chunks, ...extra });
  };
  const read = (): Promise<ReadResult> => {
    if (idleMs === undefined) return reader.read();
    return new Promise((resolve, reject) => {
      const timer = clock.setTimer(idleMs, () => {
        reject(stalled);
      });
      reader.read().then(
        (result) => {
          clock.clearTimer(timer);
          resolve(result);
        },
        (error: unknown) => {
          clock.clearTimer(timer);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
          reject(error);
        },
      );
    });
  };
  return new ReadableStream<LanguageModelV4StreamPart>({
    async pull(controller) {
      let next: ReadResult;
      try {
        next = await read();
      } catch (error) {
        if (error === stalled) {
          void reader.cancel('stalled').catch(() => undefined);
          report('stalled');
          controller.error(
            new IncompleteResponseError(
              `the model stream stalled: no chunk for ${String(idleMs)} ms`,
              'stalled',
              textLength,
            ),
          );
          return;
        }
        report('error', { error });
        controller.error(error);
        return;
      }
      if (next.done) {
        if (!finished) {
          report('no-finish');
          if (mode === 'error') {
            controller.error(
              new IncompleteResponseError(
                `the model stream ended without finishing, after ${textLength} characters`,
                'no-finish',
                textLength,
              ),
            );
            return;
          }
        }
        controller.close();
        return;
      }
      const part = next.value;
      if (part.type === 'text-delta') textLength += part.delta.length;
      if (isContentPart(part)) chunks++;
      if (part.type === 'error') report('error', { error: part.error });
      if (part.type === 'finish') {
        finished = true;
        onUsage?.(part.usage);
        if (isIncompleteFinish(part.finishReason)) {
          report('finish-reason', { finishReason: part.finishReason.unified });
          if (mode === 'error') {
            controller.error(
              new IncompleteResponseError(
                `the model finished with reason '${part.finishReason.unified}' after ${textLength} characters`,
                'finish-reason',
                textLength,
              ),
            );
            void reader.cancel().catch(() => undefined);
            return;
          }
        }
      }
      controller.enqueue(part);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Reads a stream up to its first output chunk (or its finish), so a failure before any output
 * reached the caller can still be retried: an error part, a failed read, or an end without
 * output rejects. Resolves with a stream that replays what was read, then the rest.
 */
export async function primeStream(source: PartStream): Promise<PartStream> {
  const reader = source.getReader();
  const head: LanguageModelV4StreamPart[] = [];
  let ended = false;
  let text = 0;
  for (;;) {
    const next = await reader.read();
    if (next.done) {
      ended = true;
      break;
    }
    const part = next.value;
    if (part.type === 'error') {
      void reader.cancel().catch(() => undefined);
      throw part.error;
    }
    head.push(part);
    if (part.type === 'text-delta') text += part.delta.length;
    if (isContentPart(part) || part.type === 'finish') break;
  }
  if (ended && !head.some((p) => p.type === 'finish')) {
    throw new IncompleteResponseError(
      'the model stream ended before any output',
      'no-finish',
      text,
    );
  }
  return new ReadableStream<LanguageModelV4StreamPart>({
    async pull(controller) {
      const first = head.shift();
      if (first !== undefined) {
        controller.enqueue(first);
        return;
      }
      if (ended) {
        controller.close();
        return;
      }
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
