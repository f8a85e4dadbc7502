import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Middleware,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import {
  assertFunction,
  assertNonNegativeNumber,
  assertOneOf,
  assertPositiveNumber,
  channelNames,
  Emitter,
  invalidOption,
  isBudgetExceededError,
  isCircuitOpenError,
  isInvalidOptionError,
  randomSeeded,
  realClock,
  type Event,
} from '../core/index.ts';
import {
  BudgetGuard,
  CircuitBreaker,
  consecutiveFailures,
  RetryPolicy,
  TimeoutPolicy,
  wrap,
  type BudgetGuardOptions,
  type CircuitBreakerOptions,
  type Policy,
  type PolicyContext,
  type PolicyOptions,
  type RetryOptions,
} from '../policies/index.ts';
import { attemptFailureObserver } from '../policies/attempt-failure-observer.ts';
import { IncompleteResponseError, type IncompleteReason } from './incomplete-response-error.ts';
import { isRetryableModelError } from './model-error-classifier.ts';
import { modelRetrySchedule } from './model-retry-schedule.ts';
import { isIncompleteFinish, monitorStream, primeStream } from './stream-monitor.ts';

/** Prices used to turn token usage into cost for the budget guard. */
export interface ModelPricing {
  /**
   * Cost of a million input tokens.
   * @default 0
   */
  readonly inputPerMillion?: number;
  /**
   * Cost of a million output tokens.
   * @default 0
   */
  readonly outputPerMillion?: number;
}

/** Settings of the per-model breakers of {@link resilienceMiddleware}. */
export type ModelBreakerSettings = Omit<
  CircuitBreakerOptions,
  'clock' | 'random' | 'name' | 'strategy'
> & {
  /**
   * Retryable failures in a row that open a model's breaker.
   * @default 5
   */
  failureThreshold?: number;
};

/** Options of {@link resilienceMiddleware}. */
export interface ResilienceMiddlewareOptions extends PolicyOptions {
  /**
   * Retries of each model (for streams: failures before the first output chunk), or `false`.
   * Turn the AI SDK's own retries off (`maxRetries: 0`) so the two do not multiply.
   * @default { maxAttempts: 3, schedule: modelRetrySchedule(), shouldRetry: isRetryableModelError }
   */
  retry?: Omit<RetryOptions, 'clock' | 'random' | 'name'> | false;
  /**
   * Deadline of each attempt in milliseconds (for streams: until the first output chunk), or
   * `false`.
   * @default 60_000
   */
  timeoutMs?: number | false;
  /**
   * Longest wait between two chunks of a stream once it has started; a stall fails the stream
   * with an `IncompleteResponseError` (reason `stalled`). `false` waits forever.
   * @default 30_000
   */
  streamIdleTimeoutMs?: number | false;
  /**
   * A circuit breaker per model (each fallback model gets its own): settings, a factory (for
   * your own strategy: each breaker needs its own strategy instance), or `false`.
   * @default 5 retryable failures in a row open it for 30 s
   */
  circuitBreaker?: ModelBreakerSettings | ((model: LanguageModelV4) => CircuitBreaker) | false;
  /**
   * Models tried in order when the wrapped model fails (after its retries) or its breaker is
   * open. Pass language models of interface v4 (wrap them too to give them chaos).
   * @default []
   */
  fallbackModels?: readonly LanguageModelV4[];
  /**
   * A token/cost budget shared by every call through this middleware: a guard, or its options.
   * Calls are refused with a `BudgetExceededError` once it is spent; usage is recorded from each
   * response (a stream's at its finish).
   * @default no budget
   */
  budget?: BudgetGuard | Omit<BudgetGuardOptions, 'usage' | 'estimate'>;
  /**
   * Prices that turn usage into cost for the budget.
   * @default no cost (tokens only)
   */
  pricing?: ModelPricing;
  /**
   * What to do with a response that stopped short (a stream without its finish part, a finish
   * reason of `'other'` or `'interrupted'`): `'report'` emits `onIncompleteResponse`; `'error'`
   * also fails the call with an `IncompleteResponseError`.
   * @default 'report'
   */
  incompleteResponses?: 'report' | 'error';
  /**
   * Which failures are retried (and counted by the breakers).
   * @default isRetryableModelError
   */
  isRetryable?: (error: unknown) => boolean;
}

/** A decision of {@link resilienceMiddleware} about one model call. */
export type ModelDecision =
  | 'attempt-failed'
  | 'retry'
  | 'circuit-open'
  | 'fallback'
  | 'success'
  | 'failure'
  | 'budget-exceeded';

/** Emitted by {@link ResilienceMiddleware.onDecision} (and on `faultline:ai-sdk:decision`). */
export interface ModelDecisionEvent {
  /** `provider/modelId` of the model concerned. */
  readonly model: string;
  readonly operation: 'generate' | 'stream';
  readonly decision: ModelDecision;
  /** The attempt concerned on that model (1-based; 0 when none ran). */
  readonly attempt: number;
  /** The model that answered or is tried next, for `fallback` and `success`. */
  readonly via?: string;
  /** The failure, for `attempt-failed`, `retry`, `circuit-open`, `fallback`, `failure`. */
  readonly error?: unknown;
  /** Wait before the next attempt, for `retry`. */
  readonly delayMs?: number;
  /** Clock time. */
  readonly time: number;
}

/** Emitted by {@link ResilienceMiddleware.onIncompleteResponse}: the silent failure, caught. */
export interface IncompleteResponseEvent {
  /** `provider/modelId` of the model that answered. */
  readonly model: string;
  readonly operation: 'generate' | 'stream';
  readonly reason: IncompleteReason;
  /** The finish reason, when one arrived. */
  readonly finishReason?: string;
  /** Characters of text delivered. */
  readonly textLength: number;
  /** Output chunks delivered (streams). */
  readonly chunks: number;
  /** The failure, for `error`. */
  readonly error?: unknown;
  readonly time: number;
}

/** The middleware {@link resilienceMiddleware} returns, with its events, breakers and budget. */
export type ResilienceMiddleware = LanguageModelV4Middleware & {
  /** Every retry, breaker, fallback and budget decision. */
  readonly onDecision: Event<ModelDecisionEvent>;
  /** A response stopped short (reported whatever `incompleteResponses` says). */
  readonly onIncompleteResponse: Event<IncompleteResponseEvent>;
  /** The budget guard, if any. */
  readonly budget: BudgetGuard | undefined;
  /** The breaker of a model (created on first use); `undefined` when breakers are off. */
  breakerOf(model: LanguageModelV4): CircuitBreaker | undefined;
};

const owner = 'resilienceMiddleware';

function nameOf(model: { readonly provider: string; readonly modelId: string }): string {
  return `${model.provider}/${model.modelId}`;
}

function tokensOf(usage: LanguageModelV4Usage): { input: number; output: number } {
  return { input: usage.inputTokens.total ?? 0, output: usage.outputTokens.total ?? 0 };
}

/**
 * AI SDK language-model middleware that makes model calls resilient with faultline's policies:
 *
 * ```
 * call -> budget check -> [model, ...fallbackModels] each:
 *           retry (retryable only, honouring Retry-After) -> breaker (per model) -> timeout -> model
 *      -> usage recorded; incomplete responses reported (or failed)
 * ```
 *
 * It also catches the silent failure of streaming: a stream cut short without an error, which
 * the AI SDK turns into partial text with finish reason `'other'`. Put it outside any chaos
 * middleware (first in the list) so it sees the injected faults.
 *
 * @example
 * ```ts
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4o'),
 *   middleware: resilienceMiddleware({
 *     fallbackModels: [anthropic('claude-sonnet-4-5')],
 *     budget: { maxTokens: 200_000 },
 *     incompleteResponses: 'error',
 *   }),
 * });
 * const { text } = await generateText({ model, prompt, maxRetries: 0 });
 * ```
 */
export function resilienceMiddleware(
  options: ResilienceMiddlewareOptions = {},
): ResilienceMiddleware {
  const clock = options.clock ?? realClock;
  const random = options.random ?? randomSeeded();
  const name = options.name ?? 'resilience';
  const isRetryable = assertFunction(
    owner,
    'isRetryable',
    options.isRetryable ?? isRetryableModelError,
  );
  const mode = assertOneOf(owner, 'incompleteResponses', options.incompleteResponses ?? 'report', [
    'report',
    'error',
  ]);
  const timeoutMs =
    options.timeoutMs === false
      ? undefined
      : assertPositiveNumber(owner, 'timeoutMs', options.timeoutMs ?? 60_000);
  const idleMs =
    options.streamIdleTimeoutMs === false
      ? undefined
      : assertPositiveNumber(owner, 'streamIdleTimeoutMs', options.streamIdleTimeoutMs ?? 30_000);
  const fallbackModels: readonly LanguageModelV4[] = options.fallbackModels ?? [];
  const given: unknown = fallbackModels;
  if (!Array.isArray(given)) {
    invalidOption(owner, 'fallbackModels', given, 'an array of language models');
  }
  fallbackModels.forEach((model, i) => {
    if (typeof model !== 'object' || typeof model.doGenerate !== 'function') {
      invalidOption(owner, `fallbackModels[${i}]`, model, 'a language model (v4)');
    }
  });
  const pricing = options.pricing ?? {};
  const inputPrice = assertNonNegativeNumber(
    owner,
    'pricing.inputPerMillion',
    pricing.inputPerMillion ?? 0,
  );
  const outputPrice = assertNonNegativeNumber(
    owner,
    'pricing.outputPerMillion',
    pricing.outputPerMillion ?? 0,
  );
  const budget =
    options.budget === undefined
      ? undefined
      : options.budget instanceof BudgetGuard
        ? options.budget
        : new BudgetGuard({ name: `${name}-budget`, ...options.budget });
  const retryOptions = options.retry === false ? undefined : (options.retry ?? {});
  const userShouldRetry = retryOptions?.shouldRetry;
  const breakerSetting = options.circuitBreaker ?? {};
  const breakerFactory =
    breakerSetting === false
      ? undefined
      : typeof breakerSetting === 'function'
        ? breakerSetting
        : (model: LanguageModelV4): CircuitBreaker => {
            const { failureThreshold = 5, ...rest } = breakerSetting;
            return new CircuitBreaker({
              resetTimeout: 30_000,
              shouldHandle: isRetryable,
              ...rest,
              strategy: consecutiveFailures({ threshold: failureThreshold }),
              name: `${name}:${nameOf(model)}`,
              clock,
              random,
            });
          };
  if (breakerSetting !== false && typeof breakerSetting === 'object') {
    const threshold: unknown = (breakerSetting as { failureThreshold?: unknown }).failureThreshold;
    if (threshold !== undefined)
      assertPositiveNumber(owner, 'circuitBreaker.failureThreshold', threshold);
  }
  const breakers = new WeakMap<object, CircuitBreaker>();
  const timeout =
    timeoutMs === undefined
      ? undefined
      : new TimeoutPolicy({ ms: timeoutMs, clock, name: `${name}-timeout` });
  const decisions = new Emitter<ModelDecisionEvent>(channelNames.aiSdkDecision, name);
  const incomplete = new Emitter<IncompleteResponseEvent>(
    channelNames.aiSdkIncompleteResponse,
    name,
  );

  const emit = (event: Omit<ModelDecisionEvent, 'time'>): void => {
    if (decisions.active) decisions.emit({ ...event, time: clock.now() });
  };

  const breakerOf = (model: LanguageModelV4): CircuitBreaker | undefined => {
    if (breakerFactory === undefined) return undefined;
    let breaker = breakers.get(model);
    if (breaker === undefined) {
      breaker = breakerFactory(model);
      breakers.set(model, breaker);
    }
    return breaker;
  };

  const recordUsage = (usage: LanguageModelV4Usage): void => {
    if (budget === undefined) return;
    const { input, output } = tokensOf(usage);
    budget.record({
      tokens: input + output,
      cost: (input * inputPrice + output * outputPrice) / 1_000_000,
    });
  };

  const reportIncomplete = (event: Omit<IncompleteResponseEvent, 'time'>): void => {
    if (incomplete.active) incomplete.emit({ ...event, time: clock.now() });
  };

  /** Runs `call` on each model in turn, through its policies. */
  async function execute<R>(
    operation: 'generate' | 'stream',
    params: LanguageModelV4CallOptions,
    primary: LanguageModelV4,
    call: (model: LanguageModelV4, context: PolicyContext) => Promise<R>,
  ): Promise<{ result: R; model: LanguageModelV4 }> {
    if (budget !== undefined) {
      try {
        budget.check();
      } catch (error) {
        emit({ model: nameOf(primary), operation, decision: 'budget-exceeded', attempt: 0, error });
        throw error;
      }
    }
    const signal = params.abortSignal;
    const models = [primary, ...fallbackModels];
    let failure: unknown;
    for (let i = 0; i < models.length; i++) {
      const model = models[i] as LanguageModelV4;
      const label = nameOf(model);
      if (i > 0)
        emit({
          model: nameOf(models[i - 1] as LanguageModelV4),
          operation,
          decision: 'fallback',
          attempt: 0,
          via: label,
          error: failure,
        });
      let attempts = 0;
      const policies: Policy[] = [];
      let retry: RetryPolicy | undefined;
      if (retryOptions !== undefined) {
        retry = new RetryPolicy({
          maxAttempts: 3,
          schedule: modelRetrySchedule(),
          ...retryOptions,
          clock,
          random,
          name: `${name}-retry`,
          shouldRetry: (error) =>
            isRetryable(error) && (userShouldRetry === undefined || userShouldRetry(error)),
        });
        policies.push(retry);
      }

      const subscription =
        retry !== undefined && decisions.active
          ? retry.onRetry((event) => {
              emit({
                model: label,
                operation,
                decision: 'retry',
                attempt: event.attempt,
                delayMs: event.delayMs,
                error: event.error,
              });
            })
          : undefined;
      const attempt = (context: PolicyContext): Promise<R> => {
        attempts = context.attempt;
        return call(model, context);
      };
      policies.push(
        attemptFailureObserver((error, context) => {
          emit({
            model: label,
            operation,
            decision: 'attempt-failed',
            attempt: context.attempt,
            error,
          });
        }),
      );
      const breaker = breakerOf(model);
      if (breaker !== undefined) policies.push(breaker);
      if (timeout !== undefined) policies.push(timeout);
      try {
        const result = await wrap(...policies).execute(attempt, signal);
        emit({ model: label, operation, decision: 'success', attempt: attempts, via: label });
        return { result, model };
      } catch (error) {
        failure = error;
        if (isCircuitOpenError(error)) {
          emit({ model: label, operation, decision: 'circuit-open', attempt: attempts, error });
        }
        if (
          signal?.aborted === true ||
          isBudgetExceededError(error) ||
          isInvalidOptionError(error)
        ) {
          break;
        }
      } finally {
        subscription?.dispose();
      }
    }
    emit({ model: nameOf(primary), operation, decision: 'failure', attempt: 0, error: failure });
    throw failure;
  }

  return {
    specificationVersion: 'v4',
    onDecision: decisions.event,
    onIncompleteResponse: incomplete.event,
    budget,
    breakerOf,
    async wrapGenerate({ params, model }): Promise<LanguageModelV4GenerateResult> {
      const { result, model: answered } = await execute(
        'generate',
        params,
        model,
        async (m, context) => await m.doGenerate({ ...params, abortSignal: context.signal }),
      );
      recordUsage(result.usage);
      if (isIncompleteFinish(result.finishReason)) {
        const textLength = result.content.reduce(
          (n, p) => n + (p.type === 'text' ? p.text.length : 0),
          0,
        );
        reportIncomplete({
          model: nameOf(answered),
          operation: 'generate',
          reason: 'finish-reason',
          finishReason: result.finishReason.unified,
          textLength,
          chunks: result.content.length,
        });
        if (mode === 'error') {
          throw new IncompleteResponseError(
            `the model finished with reason '${result.finishReason.unified}' after ${textLength} characters`,
            'finish-reason',
            textLength,
          );
        }
      }
      return result;
    },
    async wrapStream({ params, model }): Promise<LanguageModelV4StreamResult> {
      const { result, model: answered } = await execute(
        'stream',
        params,
        model,
        async (m, context) => {
          // The attempt's signal stops following the caller once the stream is returned; the
          // caller's own signal must still reach the provider while the stream is read.
          const caller = params.abortSignal;
          const abortSignal =
            caller === undefined ? context.signal : AbortSignal.any([context.signal, caller]);
          const response = await m.doStream({ ...params, abortSignal });
          return { ...response, stream: await primeStream(response.stream) };
        },
      );
      const label = nameOf(answered);
      return {
        ...result,
        stream: monitorStream(result.stream, {
          idleMs,
          clock,
          mode,
          onUsage: recordUsage,
          onIncomplete: (details) => {
            reportIncomplete({ model: label, operation: 'stream', ...details });
          },
        }),
      };
    },
  };
}
