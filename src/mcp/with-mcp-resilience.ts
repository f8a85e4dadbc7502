import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolRequest, CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  assertFunction,
  assertOneOf,
  assertPositiveNumber,
  channelNames,
  Emitter,
  invalidOption,
  isCircuitOpenError,
  neverAbortedSignal,
  randomSeeded,
  realClock,
  type Event,
} from '../core/index.ts';
import {
  CircuitBreaker,
  RetryPolicy,
  TimeoutPolicy,
  wrap,
  type CircuitBreakerOptions,
  type Policy,
  type PolicyContext,
  type PolicyOptions,
  type RetryOptions,
} from '../policies/index.ts';
import { attemptFailureObserver } from '../policies/attempt-failure-observer.ts';
import { classifyMcpError, isTransientMcpError } from './mcp-error-classifier.ts';
import { isMcpToolResultError, McpToolResultError } from './mcp-tool-result-error.ts';

/** The parameters of a `tools/call`. */
export type McpToolCallParams = CallToolRequest['params'];

/** Anything that calls MCP tools like the SDK's `Client` does (a client, or a wrapped one). */
export interface McpToolCaller {
  callTool(
    params: McpToolCallParams,
    resultSchema?: never,
    options?: RequestOptions,
  ): Promise<unknown>;
}

/** What a local fallback receives besides the tool's arguments. */
export interface LocalToolContext {
  /** The tool that was called. */
  readonly tool: string;
  /** Why the fallback runs: the last failure. */
  readonly error: unknown;
  /** The caller's signal. */
  readonly signal: AbortSignal;
}

/**
 * A local implementation of a tool: returns a tool result, or a string (made a text result).
 *
 * @example
 * ```ts
 * const readLocally: LocalTool = async ({ path }) => readFile(String(path), 'utf8');
 * ```
 */
export type LocalTool = (
  args: Readonly<Record<string, unknown>>,
  context: LocalToolContext,
) => CallToolResult | string | PromiseLike<CallToolResult | string>;

/** Another MCP server to call when the primary fails. */
export interface McpServerFallback {
  /** Shown in events. @default 'server-<n>' */
  readonly name?: string;
  /** The other server's client (wrap it too to give it its own breaker). */
  readonly server: McpToolCaller;
  /** Only these tools are sent there. @default every tool */
  readonly only?: readonly string[];
}

/** Local implementations of some tools, by tool name. */
export interface McpLocalFallback {
  /** Shown in events. @default 'local' */
  readonly name?: string;
  readonly local: Readonly<Record<string, LocalTool>>;
}

/** One alternative of `withMcpResilience`'s `fallback` chain. */
export type McpFallback = McpServerFallback | McpLocalFallback;

/** Options of {@link withMcpResilience}. */
export interface McpResilienceOptions extends PolicyOptions {
  /**
   * The server's name in events (and the breaker's name).
   * @default the server's name from `initialize`, else 'mcp'
   */
  name?: string;
  /**
   * Deadline of each attempt, in milliseconds (the SDK then cancels the request on the server),
   * or `false` to leave it to the SDK's own 60 s.
   * @default 30_000
   */
  timeoutMs?: number | false;
  /**
   * Retries of transient failures (`isTransient`), or `false`. `shouldRetry` narrows further.
   * @default { maxAttempts: 3 } with exponential backoff and full jitter
   */
  retry?: Omit<RetryOptions, 'clock' | 'random' | 'name'> | false;
  /**
   * The server's circuit breaker: options, an instance (to share it between wrappers of the same
   * server), or `false`. Counts transient and connection failures, not a caller's bad request.
   * @default a breaker opening after 5 failures in a row, for 30 s
   */
  circuitBreaker?: CircuitBreakerOptions | CircuitBreaker | false;
  /**
   * Which failures are worth another attempt.
   * @default isTransientMcpError
   */
  isTransient?: (error: unknown) => boolean;
  /**
   * `'fail'` turns tool error results (`isError: true`) into failures (retried, counted by the
   * breaker, then fallen back from); `'return'` hands them to the caller as they are.
   * @default 'return'
   */
  errorResults?: 'return' | 'fail';
  /**
   * Tried in order once the primary has failed (after its retries) or its breaker is open.
   * @default []
   */
  fallback?: readonly McpFallback[];
}

/** A decision `withMcpResilience` made about one tool call. */
export type McpClientDecision =
  'attempt-failed' | 'retry' | 'circuit-open' | 'fallback' | 'success' | 'failure';

/** Emitted by {@link McpResilience.onDecision} (and on `faultline:mcp:client-decision`). */
export interface McpClientDecisionEvent {
  /** The server's name. */
  readonly server: string;
  /** The tool called. */
  readonly tool: string;
  readonly decision: McpClientDecision;
  /** The attempt concerned (1-based) on the primary server. */
  readonly attempt: number;
  /** `'primary'` or the fallback's name (for `fallback` and `success`). */
  readonly via?: string;
  /** The failure, for `attempt-failed`, `retry`, `circuit-open`, `fallback` and `failure`. */
  readonly error?: unknown;
  /** How `classifyMcpError` sorts the failure. */
  readonly failureClass?: 'transient' | 'connection' | 'permanent';
  /** Wait before the next attempt, for `retry`. */
  readonly delayMs?: number;
  /** Clock time of the decision. */
  readonly time: number;
}

/** The resilience side of a wrapped client: its breaker and its decisions. */
export interface McpResilience {
  /** The server's name in events. */
  readonly server: string;
  /** The server's circuit breaker, if any. */
  readonly breaker: CircuitBreaker | undefined;
  /** Every decision about every tool call. */
  readonly onDecision: Event<McpClientDecisionEvent>;
}

/** A client wrapped by {@link withMcpResilience}: the same client, plus `resilience`. */
export type ResilientMcpClient<C> = C & { readonly resilience: McpResilience };

const owner = 'withMcpResilience';

/** Reads `signal.aborted` afresh (it changes while a call awaits). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function isLocal(fallback: McpFallback): fallback is McpLocalFallback {
  return 'local' in fallback;
}

function toResult(value: CallToolResult | string): CallToolResult {
  return typeof value === 'string' ? { content: [{ type: 'text', text: value }] } : value;
}

function serverName(client: unknown): string | undefined {
  const getter = (client as { getServerVersion?: unknown }).getServerVersion;
  if (typeof getter !== 'function') return undefined;
  const version = (getter as () => { name?: unknown } | undefined).call(client);
  return typeof version?.name === 'string' ? version.name : undefined;
}

/**
 * Wraps an MCP SDK `Client` so that every `callTool` runs through faultline's policies — a
 * timeout per attempt, retries of transient failures only, the server's circuit breaker — and
 * falls back to another server or a local implementation when the server still fails. Every
 * decision is an event. The result is the same client: everything else passes through, so this
 * is the one line to add to an existing agent.
 *
 * ```
 * callTool -> retry (transient only) -> breaker (per server) -> timeout -> client.callTool
 *          -> on failure: fallback[0] -> fallback[1] -> ... -> the original error
 * ```
 *
 * @example
 * ```ts
 * const files = withMcpResilience(await connectFilesystemClient(), {
 *   timeoutMs: 5_000,
 *   fallback: [{ local: { read_text_file: ({ path }) => readFile(String(path), 'utf8') } }],
 * });
 * files.resilience.onDecision((d) => log.info(d));
 * const result = await files.callTool({ name: 'read_text_file', arguments: { path } });
 * ```
 */
export function withMcpResilience<C extends McpToolCaller>(
  client: C,
  options: McpResilienceOptions = {},
): ResilientMcpClient<C> {
  if (typeof client !== 'object' || typeof client.callTool !== 'function') {
    invalidOption(owner, 'client', client, 'an MCP client with callTool()');
  }
  const clock = options.clock ?? realClock;
  const random = options.random ?? randomSeeded();
  const isTransient = assertFunction(
    owner,
    'isTransient',
    options.isTransient ?? isTransientMcpError,
  );
  const errorResults = assertOneOf(owner, 'errorResults', options.errorResults ?? 'return', [
    'return',
    'fail',
  ]);
  const timeoutMs =
    options.timeoutMs === false
      ? undefined
      : assertPositiveNumber(owner, 'timeoutMs', options.timeoutMs ?? 30_000);
  const fallbacks = (options.fallback ?? []).map((fallback, i) => {
    if (typeof fallback !== 'object' || (!('server' in fallback) && !('local' in fallback))) {
      invalidOption(owner, `fallback[${i}]`, fallback, '{ server } or { local }');
    }
    return {
      fallback,
      name: fallback.name ?? (isLocal(fallback) ? 'local' : `server-${i + 1}`),
    };
  });
  let name = options.name;
  const serverOf = (): string => (name ??= serverName(client) ?? 'mcp');
  const breaker =
    options.circuitBreaker === false
      ? undefined
      : options.circuitBreaker instanceof CircuitBreaker
        ? options.circuitBreaker
        : new CircuitBreaker({
            resetTimeout: 30_000,
            shouldHandle: (error) => classifyMcpError(error) !== 'permanent',
            name: options.name ?? 'mcp',
            clock,
            random,
            ...options.circuitBreaker,
          });
  const timeout =
    timeoutMs === undefined
      ? undefined
      : new TimeoutPolicy({ ms: timeoutMs, clock, name: `${options.name ?? 'mcp'}-timeout` });
  const retryOptions = options.retry === false ? undefined : (options.retry ?? {});
  const userShouldRetry = retryOptions?.shouldRetry;
  const emitter = new Emitter<McpClientDecisionEvent>(channelNames.mcpClientDecision, options.name);
  const emit = (event: Omit<McpClientDecisionEvent, 'server' | 'time'>): void => {
    if (emitter.active) emitter.emit({ server: serverOf(), time: clock.now(), ...event });
  };
  const original = client.callTool.bind(client) as (
    params: McpToolCallParams,
    resultSchema?: unknown,
    options?: RequestOptions,
  ) => Promise<unknown>;

  const callTool = async (
    params: McpToolCallParams,
    resultSchema?: unknown,
    requestOptions: RequestOptions = {},
  ): Promise<unknown> => {
    const tool = params.name;
    const signal = requestOptions.signal ?? neverAbortedSignal;
    let attempts = 0;
    const attempt = (context: PolicyContext): Promise<unknown> => {
      attempts = context.attempt;
      const sdkTimeout =
        requestOptions.timeout ??
        (timeoutMs !== undefined && timeoutMs >= 60_000 ? timeoutMs + 1000 : undefined);
      const callOptions: RequestOptions = {
        ...requestOptions,
        signal: context.signal,
        ...(sdkTimeout === undefined ? {} : { timeout: sdkTimeout }),
      };
      return original(params, resultSchema, callOptions).then((result) => {
        if (errorResults === 'fail' && (result as { isError?: unknown }).isError === true) {
          throw new McpToolResultError(tool, result);
        }
        return result;
      });
    };
    const inner: Policy[] = [];
    let retry: RetryPolicy | undefined;
    if (retryOptions !== undefined) {
      retry = new RetryPolicy({
        ...retryOptions,
        clock,
        random,
        name: `${serverOf()}-retry`,
        shouldRetry: (error) =>
          !isCircuitOpenError(error) &&
          isTransient(error) &&
          (userShouldRetry === undefined || userShouldRetry(error)),
      });
      inner.push(retry);
    }
    inner.push(
      attemptFailureObserver((error, context) => {
        emit({
          tool,
          decision: 'attempt-failed',
          attempt: context.attempt,
          error,
          failureClass: classifyMcpError(error),
        });
      }),
    );
    if (breaker !== undefined) inner.push(breaker);
    if (timeout !== undefined) inner.push(timeout);
    const subscription =
      retry !== undefined && emitter.active
        ? retry.onRetry((event) => {
            emit({
              tool,
              decision: 'retry',
              attempt: event.attempt,
              delayMs: event.delayMs,
              error: event.error,
            });
          })
        : undefined;
    let failure: unknown;
    try {
      const result = await wrap(...inner).execute(attempt, signal);
      emit({ tool, decision: 'success', attempt: attempts, via: 'primary' });
      return result;
    } catch (error) {
      failure = error;
    } finally {
      subscription?.dispose();
    }
    if (signal.aborted) throw failure;
    if (isCircuitOpenError(failure)) {
      emit({ tool, decision: 'circuit-open', attempt: attempts, error: failure });
    }
    const args = (params.arguments ?? {}) as Readonly<Record<string, unknown>>;
    for (const { fallback, name: via } of fallbacks) {
      let run: (() => Promise<unknown>) | undefined;
      if (isLocal(fallback)) {
        const local = fallback.local[tool];
        if (local !== undefined) {
          const error = failure;
          run = async () => toResult(await local(args, { tool, error, signal }));
        }
      } else if (fallback.only === undefined || fallback.only.includes(tool)) {
        const server = fallback.server;
        run = () => server.callTool(params, resultSchema as never, { ...requestOptions, signal });
      }
      if (run === undefined) continue;
      emit({ tool, decision: 'fallback', attempt: attempts, via, error: failure });
      try {
        const result = await run();
        emit({ tool, decision: 'success', attempt: attempts, via });
        return result;
      } catch (error) {
        failure = error;
        if (isAborted(signal)) throw error;
      }
    }
    emit({
      tool,
      decision: 'failure',
      attempt: attempts,
      error: failure,
      failureClass: classifyMcpError(failure),
    });
    // An error result made a failure for the policies is still the caller's answer.
    if (isMcpToolResultError(failure)) return failure.result;
    throw failure;
  };

  const resilience: McpResilience = {
    get server() {
      return serverOf();
    },
    breaker,
    onDecision: emitter.event,
  };
  const bound = new Map<PropertyKey, { readonly of: unknown; readonly fn: unknown }>();
  return new Proxy(client, {
    get(target, property) {
      if (property === 'callTool') return callTool;
      if (property === 'resilience') return resilience;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const cached = bound.get(property);
      if (cached?.of === value) return cached.fn;
      const fn = (value as (...args: unknown[]) => unknown).bind(target);
      bound.set(property, { of: value, fn });
      return fn;
    },
  }) as ResilientMcpClient<C>;
}
