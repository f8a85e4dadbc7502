import type {
  LanguageModelV4,
  LanguageModelV4GenerateResult,
  LanguageModelV4Middleware,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import {
  chaos,
  ChaosScope,
  resolveChaosConfig,
  type ChaosConfig,
  type FaultEffect,
  type InjectionPlan,
  type InjectionSite,
} from '../faults/index.ts';
import { isModelCallTransform, registerLlmFaultKinds, type ModelCall } from './llm-fault-kinds.ts';
import { asText, mapGeneratedText, mapStreamedText, type PartStream } from './model-output.ts';
import { toModelError } from './to-model-error.ts';

/** Options of {@link chaosMiddleware}. */
export interface ChaosMiddlewareOptions {
  /**
   * The agent named on injection sites (targets can match it).
   * @default undefined
   */
  readonly agent?: string;
}

/** The middleware {@link chaosMiddleware} returns, with the scope it injects from. */
export type ChaosMiddleware = LanguageModelV4Middleware & {
  /** The scope given or created; `undefined` when the middleware follows `chaos.current()`. */
  readonly scope: ChaosScope | undefined;
};

type Kind = 'generate' | 'stream';
type Result<K extends Kind> = K extends 'generate'
  ? LanguageModelV4GenerateResult
  : LanguageModelV4StreamResult;

/** Emits the first `fraction` of a stream's parts, then fails with `error`. */
function partialStream(source: PartStream, fraction: number, error: Error): PartStream {
  const reader = source.getReader();
  let buffered: LanguageModelV4StreamPart[] | undefined;
  return new ReadableStream<LanguageModelV4StreamPart>({
    async pull(controller) {
      if (buffered === undefined) {
        const all: LanguageModelV4StreamPart[] = [];
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          all.push(value);
        }
        buffered = all.slice(0, Math.floor(all.length * fraction));
      }
      const next = buffered.shift();
      if (next === undefined) controller.error(error);
      else controller.enqueue(next);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

function within<T>(scope: ChaosScope, work: PromiseLike<T>, ms: number, error: Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = scope.clock.setTimer(ms, () => {
      reject(error);
    });
    work.then(
      (value) => {
        scope.clock.clearTimer(timer);
        resolve(value);
      },
      (reason: unknown) => {
        scope.clock.clearTimer(timer);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
        reject(reason);
      },
    );
  });
}

async function applyPlan<K extends Kind>(
  kind: K,
  scope: ChaosScope,
  plan: InjectionPlan,
  model: LanguageModelV4,
  signal: AbortSignal | undefined,
  call: () => PromiseLike<Result<K>>,
): Promise<Result<K>> {
  const transforms: ((value: unknown) => unknown)[] = [];
  let lost: Error | undefined;
  let partial: Extract<FaultEffect, { type: 'partial-write' }> | undefined;
  let interrupt: { afterMs: number; error: Error } | undefined;
  for (const { effect } of plan.injections) {
    if (!scope.active) break;
    switch (effect.type) {
      case 'pressure':
        break;
      case 'delay':
      case 'hang': {
        const ran = await scope.wait(effect.ms, signal);
        if (ran && effect.type === 'hang' && effect.error !== undefined) {
          throw toModelError(effect.error, model);
        }
        break;
      }
      case 'fail':
        throw toModelError(effect.error, model);
      case 'interrupt':
        if (interrupt === undefined || effect.afterMs < interrupt.afterMs) interrupt = effect;
        break;
      case 'crash-at':
      case 'fail-after':
        lost ??= effect.error;
        break;
      case 'partial-write':
        partial = effect;
        break;
      case 'transform':
        transforms.push(effect.transform);
        break;
    }
  }
  let result =
    interrupt === undefined
      ? await call()
      : await within(scope, call(), interrupt.afterMs, interrupt.error).catch((error: unknown) => {
          throw toModelError(error, model);
        });
  if (!scope.active) return result;
  if (lost !== undefined) throw toModelError(lost, model);
  if (partial !== undefined) {
    if (kind === 'generate') throw toModelError(partial.error, model);
    const stream = result as LanguageModelV4StreamResult;
    result = {
      ...stream,
      stream: partialStream(stream.stream, partial.fraction, partial.error),
    } as Result<K>;
  }
  try {
    for (const transform of transforms) {
      if (isModelCallTransform(transform)) {
        const out = (await transform({ kind, result, signal })) as ModelCall;
        result = out.result as Result<K>;
        continue;
      }
      const map = (text: string): string => asText(transform(text));
      result = (
        kind === 'generate'
          ? mapGeneratedText(result as LanguageModelV4GenerateResult, map)
          : {
              ...(result as LanguageModelV4StreamResult),
              stream: mapStreamedText((result as LanguageModelV4StreamResult).stream, map),
            }
      ) as Result<K>;
    }
  } catch (error) {
    throw toModelError(error, model);
  }
  return result;
}

/**
 * AI SDK language-model middleware that injects faults into model calls, under a chaos scope's
 * seed, targets, journal and kill switch. Each `generateText` step is an `llm.generate` call,
 * each `streamText` step an `llm.stream` call. What the faults do:
 *
 * - `error` (`rate-limited`, `internal`, `unavailable`, `context-length-exceeded`, ...): the call
 *   fails with the `APICallError` a provider would throw (status, `retry-after` headers, body,
 *   `isRetryable`); `network`: a retryable "Cannot connect to API";
 * - `latency` delays the call (time to first token); `hang` holds it until the caller aborts;
 * - `llm-stream` cuts, stalls or silently ends the stream; `llm-truncate` cuts the text short;
 * - `hallucination` and `corruption` alter the text; `llm-tool-args` corrupts tool-call arguments;
 * - `llm-usage` reports token usage that blows a budget.
 *
 * Given a config (`enabled` defaults to `true` here) or a scope, it injects from that; with
 * neither, it follows the scope in effect (`chaos.run`, or `chaos.configure` from the
 * environment), so it can stay installed and cost one branch when chaos is off.
 *
 * @example
 * ```ts
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4o'),
 *   middleware: chaosMiddleware({
 *     seed: 42,
 *     faults: [
 *       { kind: 'error', type: 'rate-limited', retryAfterMs: 2000, probability: 0.2 },
 *       { kind: 'llm-stream', mode: 'end-early', probability: 0.1 },
 *     ],
 *   }),
 * });
 * ```
 */
export function chaosMiddleware(
  config?: ChaosConfig | ChaosScope,
  options: ChaosMiddlewareOptions = {},
): ChaosMiddleware {
  registerLlmFaultKinds();
  const fixed =
    config === undefined
      ? undefined
      : config instanceof ChaosScope
        ? config
        : new ChaosScope(resolveChaosConfig({ ...config, enabled: config.enabled ?? true }));
  const agent = options.agent;
  const siteOf = (operation: string): InjectionSite =>
    agent === undefined ? { operation } : { operation, agent };
  const sites = { generate: siteOf('llm.generate'), stream: siteOf('llm.stream') };

  function run<K extends Kind>(
    kind: K,
    model: LanguageModelV4,
    signal: AbortSignal | undefined,
    call: () => PromiseLike<Result<K>>,
  ): PromiseLike<Result<K>> {
    const scope = fixed ?? chaos.current();
    if (scope === undefined || !scope.active) return call();
    const killSwitch = scope.killSwitch;
    const counted = killSwitch.watching;
    const plan = scope.plan(sites[kind]);
    if (plan === undefined && !counted) return call();
    if (counted) killSwitch.callStarted();
    const work =
      plan === undefined
        ? Promise.resolve(call())
        : applyPlan(kind, scope, plan, model, signal, call);
    if (!counted) return work;
    return work.then(
      (value) => {
        killSwitch.callEnded(true);
        return value;
      },
      (error: unknown) => {
        killSwitch.callEnded(false);
        throw error;
      },
    );
  }

  return {
    specificationVersion: 'v4',
    scope: fixed,
    wrapGenerate: ({ doGenerate, params, model }) =>
      run('generate', model, params.abortSignal, doGenerate),
    wrapStream: ({ doStream, params, model }) => run('stream', model, params.abortSignal, doStream),
  };
}
