import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import {
  channelNames,
  Emitter,
  injectedFaultInfo,
  type Clock,
  type Event,
  type Subscription,
  type TimerHandle,
} from '../core/index.ts';
import {
  ChaosScope,
  describeInjection,
  isAgentCrashError,
  isHttpStatusError,
  type ChaosConfig,
  type FaultEffect,
  type InjectionPlan,
  type InjectionSite,
} from '../faults/index.ts';
import {
  errorResponse,
  idKey,
  isNotification,
  isRequest,
  isResponse,
  paramsOf,
  resultResponse,
  rpcErrorCodes,
  type JsonRpcId,
  type JsonRpcMessage,
} from './json-rpc.ts';
import {
  resolveMcpChaosConfig,
  resolveRestartPolicy,
  type McpRestartPolicy,
} from './mcp-chaos-config.ts';
import { isMcpFaultAction } from './mcp-fault-action.ts';
import { isMessageTransform, RawFrame } from './mcp-fault-kinds.ts';

/**
 * Options of {@link McpChaosProxy}.
 *
 * ```
 * MCP client ──client transport──▶ McpChaosProxy ──upstream transport──▶ real MCP server
 *            ◀── responses, with faults applied ──┘  (plans each request on the chaos scope)
 * ```
 */
export interface McpChaosProxyOptions {
  /** The connection to the MCP client; the proxy plays the server on it. */
  readonly client: Transport;
  /**
   * Creates the connection to the real server (not started); called again on each restart.
   * See `stdioUpstream` and `httpUpstream`.
   */
  readonly upstream: () => Transport;
  /**
   * The faults: a chaos config (validated by `resolveMcpChaosConfig`, so `enabled` defaults to
   * true and faults default to `tools/call`), or a live scope you manage.
   * @default no faults
   */
  readonly chaos?: ChaosConfig | ChaosScope;
  /**
   * When an upstream server that exited (crashed or not) is restarted; `true` always restarts.
   * @default never: the proxy ends with the server
   */
  readonly restart?: McpRestartPolicy | boolean;
  /**
   * Receives one line per injection and per lifecycle change (restart, kill switch...), or
   * `false` for silence. Never write these to stdout: it carries the protocol.
   * @default lines prefixed `[faultline mcp-proxy]` on stderr
   */
  readonly log?: ((line: string) => void) | false;
  /**
   * Times restart delays.
   * @default the chaos scope's clock
   */
  readonly clock?: Clock;
  /**
   * Fields added to every injection site, so targets can match them (e.g. the upstream `command`
   * or `url`).
   * @default {}
   */
  readonly site?: Omit<Partial<InjectionSite>, 'operation' | 'tool'>;
}

/** Why a proxy ended. */
export type McpProxyCloseReason =
  'client-closed' | 'upstream-exited' | 'disconnect' | 'closed' | 'start-failed';

/** How a proxy ended: see {@link McpChaosProxy.closed}. */
export interface McpProxyExit {
  readonly reason: McpProxyCloseReason;
  /** The exit code a process running the proxy should end with (0 or 1). */
  readonly exitCode: number;
  /** Why, in words. */
  readonly detail: string;
}

/** Emitted by {@link McpChaosProxy.onUpstreamExit} when the upstream server goes away. */
export interface McpUpstreamExitEvent {
  /** `crash-injected` when a fault killed it, else `exited`. */
  readonly reason: 'crash-injected' | 'exited';
  /** Restarts so far (before this one). */
  readonly restarts: number;
  /** True when the proxy restarts it; false when the proxy ends. */
  readonly restarting: boolean;
  /** Requests lost with it (answered with an error when restarting). */
  readonly inFlight: number;
  /** Milliseconds since the proxy started, on its clock. */
  readonly time: number;
}

/** Emitted by {@link McpChaosProxy.onUpstreamRestart} once a restarted server is ready. */
export interface McpUpstreamRestartEvent {
  /** Restarts so far, this one included. */
  readonly restarts: number;
  /** Milliseconds since the proxy started, on its clock. */
  readonly time: number;
}

interface Call {
  readonly id: JsonRpcId;
  readonly key: string;
  readonly method: string;
  readonly request: JsonRpcMessage;
  controller: AbortController | undefined;
  forwarded: boolean;
  waiter: ((response: JsonRpcMessage) => void) | undefined;
  counted: boolean;
  done: boolean;
}

type UpstreamState = 'starting' | 'ready' | 'down' | 'restarting' | 'closed';

interface RawCapable {
  sendRaw?: (text: string) => Promise<void>;
  onrawline?: ((line: string) => void) | undefined;
  kill?: () => void;
  setProtocolVersion?: (version: string) => void;
}

const idPattern = (value: unknown): value is JsonRpcId =>
  typeof value === 'string' || typeof value === 'number';

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Reads `call.done` afresh (it changes while a plan awaits). */
function finished(call: Call): boolean {
  return call.done;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Applies a payload transform (hallucination, corruption, ...) where a response carries data. */
function transformPayload(
  method: string,
  message: JsonRpcMessage,
  transform: (value: unknown) => unknown,
): JsonRpcMessage {
  const result = record(message.result);
  if (result === undefined) return message;
  const mapText = (items: unknown, textOf: (item: Record<string, unknown>) => unknown): unknown =>
    Array.isArray(items)
      ? items.map((item: unknown) => {
          const entry = record(item);
          if (entry === undefined) return item;
          const text = textOf(entry);
          return typeof text === 'string' ? { ...entry, text: asText(transform(text)) } : item;
        })
      : items;
  switch (method) {
    case 'tools/call': {
      const next: Record<string, unknown> = {
        ...result,
        content: mapText(result.content, (item) => (item.type === 'text' ? item.text : undefined)),
      };
      if (result.structuredContent !== undefined) {
        const structured = transform(result.structuredContent);
        next.structuredContent = record(structured) ?? result.structuredContent;
      }
      return { ...message, result: next };
    }
    case 'resources/read':
      return {
        ...message,
        result: { ...result, contents: mapText(result.contents, (item) => item.text) },
      };
    case 'prompts/get': {
      const messages = Array.isArray(result.messages)
        ? result.messages.map((m: unknown) => {
            const entry = record(m);
            const content = record(entry?.content);
            if (entry === undefined || content?.type !== 'text') return m;
            return { ...entry, content: { ...content, text: asText(transform(content.text)) } };
          })
        : result.messages;
      return { ...message, result: { ...result, messages } };
    }
    default: {
      const out = record(transform(result));
      return out === undefined ? message : { ...message, result: out };
    }
  }
}

function errorData(error: Error): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const info = injectedFaultInfo(error);
  if (info !== undefined) data.faultline = { fault: info.fault, kind: info.kind, seed: info.seed };
  const e = error as Error & { code?: unknown; status?: unknown; retryAfterMs?: unknown };
  if (isHttpStatusError(error)) data.status = error.status;
  if (typeof e.code === 'string') data.code = e.code;
  if (typeof e.retryAfterMs === 'number') data.retryAfterMs = e.retryAfterMs;
  return data;
}

function defaultLog(line: string): void {
  process.stderr.write(`[faultline mcp-proxy] ${line}\n`);
}

/**
 * A transparent MCP proxy that injects faults: it forwards every JSON-RPC message between an MCP
 * client and the real server untouched (it does not re-implement the protocol), and plans each
 * client request on a chaos scope. What a fault does to a request:
 *
 * - `latency` delays it; `hang` holds it until the client cancels (`notifications/cancelled`,
 *   e.g. on the SDK client's timeout) or for `ms`;
 * - `mcp-tool-error` answers with a tool error result, `mcp-rpc-error` (and any injected error,
 *   e.g. `error`, `network`) with a JSON-RPC error, `mcp-unavailable` fails every request for a
 *   while;
 * - `hallucination` and `corruption` alter the content the server returned; `mcp-malformed`
 *   breaks the response itself (schema, truncated line, wrong id); `mcp-tools-list` changes
 *   `tools/list`;
 * - `mcp-crash` (and `crash`) kill the server, which the proxy restarts or not (`restart`);
 *   `mcp-disconnect` drops the client.
 *
 * Every injection follows the scope's seed, targets and kill switch, is journaled
 * (`proxy.scope.journal`) and is logged (to stderr by default). Messages the client or server
 * sends after the other side has gone are dropped quietly.
 *
 * @example
 * ```ts
 * const proxy = new McpChaosProxy({
 *   client: new LineTransport({ input: process.stdin, output: process.stdout, endOutputOnClose: false }),
 *   upstream: () => stdioUpstream({ command: 'node', args: ['server.js'] }),
 *   chaos: { seed: 1, faults: [{ kind: 'mcp-tool-error', probability: 0.2 }] },
 *   restart: { maxRestarts: 3 },
 * });
 * await proxy.start();
 * const { exitCode } = await proxy.closed;
 * ```
 */
export class McpChaosProxy {
  /** The chaos scope: seed, journal, kill switch, injection events. */
  readonly scope: ChaosScope;
  /** Settles when the proxy has ended, with why. */
  readonly closed: Promise<McpProxyExit>;
  /** The upstream server went away (crashed or exited). */
  readonly onUpstreamExit: Event<McpUpstreamExitEvent>;
  /** A restarted upstream server is ready. */
  readonly onUpstreamRestart: Event<McpUpstreamRestartEvent>;

  readonly #client: Transport & RawCapable;
  readonly #factory: () => Transport;
  readonly #ownScope: boolean;
  readonly #restart: Required<McpRestartPolicy>;
  readonly #log: ((line: string) => void) | undefined;
  readonly #clock: Clock;
  readonly #siteExtra: Omit<Partial<InjectionSite>, 'operation' | 'tool'>;
  readonly #exitEmitter = new Emitter<McpUpstreamExitEvent>(channelNames.mcpUpstreamExit);
  readonly #restartEmitter = new Emitter<McpUpstreamRestartEvent>(channelNames.mcpUpstreamRestart);
  readonly #calls = new Map<string, Call>();
  readonly #discard = new Set<string>();
  readonly #gone = new WeakSet<Transport>();
  readonly #internal = new Map<string, (response: JsonRpcMessage | undefined) => void>();
  readonly #subscriptions: Subscription[] = [];
  #resolveClosed!: (exit: McpProxyExit) => void;
  #upstream: (Transport & RawCapable) | undefined;
  #state: UpstreamState = 'starting';
  #backlog: JsonRpcMessage[] = [];
  #initialize: JsonRpcMessage | undefined;
  #initialized: JsonRpcMessage | undefined;
  #restarts = 0;
  #crashing = false;
  #closing = false;
  #started = false;
  #restartTimer: TimerHandle | undefined;
  #startedAt = 0;

  constructor(options: McpChaosProxyOptions) {
    this.#client = options.client as Transport & RawCapable;
    this.#factory = options.upstream;
    if (options.chaos instanceof ChaosScope) {
      this.scope = options.chaos;
      this.#ownScope = false;
    } else {
      this.scope = new ChaosScope(resolveMcpChaosConfig(options.chaos ?? { faults: [] }));
      this.#ownScope = true;
    }
    this.#restart = resolveRestartPolicy(options.restart);
    this.#log = options.log === false ? undefined : (options.log ?? defaultLog);
    this.#clock = options.clock ?? this.scope.clock;
    this.#siteExtra = options.site ?? {};
    this.onUpstreamExit = this.#exitEmitter.event;
    this.onUpstreamRestart = this.#restartEmitter.event;
    this.closed = new Promise<McpProxyExit>((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** Restarts of the upstream server so far. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Connects to the upstream server, then starts serving the client. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('McpChaosProxy already started');
    this.#started = true;
    this.#startedAt = this.#clock.now();
    const log = this.#log;
    if (log !== undefined) {
      this.#subscriptions.push(
        this.scope.onInjected((record) => {
          const tool = record.target.tool === undefined ? '' : ` [tool ${record.target.tool}]`;
          log(
            `${record.outcome === 'injected' ? 'injected' : 'masked'} #${record.seq} ${describeInjection(record)}${tool} (seed ${record.seed})`,
          );
        }),
        this.scope.onKillSwitch((event) => {
          log(`kill switch tripped (${event.trigger}): ${event.detail}; injection stopped`);
        }),
      );
    }
    try {
      await this.#connectUpstream();
    } catch (error) {
      await this.#shutdown(
        'start-failed',
        1,
        `could not start the upstream server: ${String(error)}`,
      );
      throw error;
    }
    this.#state = 'ready';
    const client = this.#client;
    client.onmessage = (message) => {
      this.#fromClient(message);
    };
    client.onclose = () => {
      void this.#shutdown('client-closed', 0, 'the client closed the connection');
    };
    client.onerror = (error) => {
      this.#log?.(`client connection: ${error.message}`);
    };
    client.onrawline = (line) => {
      void this.#upstream?.sendRaw?.(`${line}\n`);
    };
    await client.start();
    if (this.scope.enabled) {
      this.#log?.(
        `injecting ${this.scope.config.faults.map((f) => `${f.kind} '${f.name}'`).join(', ') || 'nothing'} (seed ${this.scope.seed})`,
      );
    }
  }

  /** Kills the upstream server now, as an `mcp-crash` fault would. */
  crashUpstream(): void {
    this.#crash('crashed by hand');
  }

  /** Ends the proxy: the client's connection and the upstream server are closed. */
  async close(): Promise<McpProxyExit> {
    await this.#shutdown('closed', 0, 'closed by the owner');
    return this.closed;
  }

  #isClosing(): boolean {
    return this.#closing;
  }

  #elapsed(): number {
    return this.#clock.now() - this.#startedAt;
  }

  async #connectUpstream(): Promise<void> {
    const upstream = this.#factory() as Transport & RawCapable;
    this.#upstream = upstream;
    upstream.onmessage = (message) => {
      if (this.#upstream === upstream) this.#fromUpstream(message);
    };
    upstream.onclose = () => {
      this.#upstreamClosed(upstream);
    };
    upstream.onerror = (error) => {
      if (this.#upstream === upstream && !this.#closing) {
        this.#log?.(`upstream connection: ${error.message}`);
      }
    };
    upstream.onrawline = (line) => {
      if (this.#upstream === upstream) void this.#client.sendRaw?.(`${line}\n`);
    };
    await upstream.start();
  }

  // ---- client → upstream -------------------------------------------------------------------

  #fromClient(message: JsonRpcMessage): void {
    if (this.#closing) return;
    if (isRequest(message)) {
      this.#request(message);
      return;
    }
    if (isNotification(message)) {
      if (message.method === 'notifications/cancelled') {
        const requestId = paramsOf(message).requestId;
        const call = idPattern(requestId) ? this.#calls.get(idKey(requestId)) : undefined;
        if (call !== undefined) {
          const forwarded = call.forwarded;
          call.controller?.abort(new Error('cancelled by the client'));
          this.#end(call, false);
          if (!forwarded) return;
        }
      } else if (message.method === 'notifications/initialized') {
        this.#initialized = message;
      }
    }
    this.#toUpstream(message);
  }

  #request(message: JsonRpcMessage & { readonly id: JsonRpcId; readonly method: string }): void {
    const method = message.method;
    if (method === 'initialize') this.#initialize = message;
    const key = idKey(message.id);
    const call: Call = {
      id: message.id,
      key,
      method,
      request: message,
      controller: undefined,
      forwarded: false,
      waiter: undefined,
      counted: false,
      done: false,
    };
    this.#calls.set(key, call);
    this.#discard.delete(key);
    const scope = this.scope;
    if (!scope.active) {
      this.#forward(call);
      return;
    }
    if (method !== 'initialize' && scope.killSwitch.watching) {
      scope.killSwitch.callStarted();
      call.counted = true;
    }
    const plan = scope.plan(this.#site(message));
    if (plan === undefined) {
      this.#forward(call);
      return;
    }
    this.#apply(call, plan).catch((error: unknown) => {
      this.#log?.(`internal error while injecting: ${String(error)}`);
      if (!call.done) this.#forward(call);
    });
  }

  #site(message: JsonRpcMessage & { readonly method: string }): InjectionSite {
    const params = paramsOf(message);
    const site: Record<string, unknown> = { ...this.#siteExtra, operation: message.method };
    if (message.method === 'tools/call' && typeof params.name === 'string') site.tool = params.name;
    if (message.method === 'resources/read' && typeof params.uri === 'string') {
      site.path = params.uri;
    }
    return site as unknown as InjectionSite;
  }

  async #apply(call: Call, plan: InjectionPlan): Promise<void> {
    const scope = this.scope;
    const controller = new AbortController();
    call.controller = controller;
    const signal = controller.signal;
    let crashAfter = false;
    let interrupt: { afterMs: number; error: Error } | undefined;
    const after: FaultEffect[] = [];
    for (const { effect } of plan.injections) {
      if (!scope.active || call.done) break;
      switch (effect.type) {
        case 'pressure':
          break;
        case 'delay':
        case 'hang': {
          let ran: boolean;
          try {
            ran = await scope.wait(effect.ms, signal);
          } catch {
            return; // the client cancelled: it expects no answer
          }
          if (ran && effect.type === 'hang' && effect.error !== undefined) {
            this.#fail(call, effect.error);
            return;
          }
          break;
        }
        case 'fail':
          this.#fail(call, effect.error);
          return;
        case 'crash-at':
          crashAfter = true;
          break;
        case 'interrupt':
          if (interrupt === undefined || effect.afterMs < interrupt.afterMs) interrupt = effect;
          break;
        default:
          after.push(effect);
      }
    }
    if (call.done) return;
    if (after.length === 0 && interrupt === undefined && !crashAfter) {
      this.#forward(call);
      return;
    }
    const response = new Promise<JsonRpcMessage>((resolve) => {
      call.waiter = resolve;
    });
    this.#forward(call);
    if (crashAfter) this.#crash(`crash while handling ${call.method}`);
    let message: JsonRpcMessage | undefined;
    if (interrupt === undefined) message = await response;
    else {
      message = await this.#within(response, interrupt.afterMs);
      if (message === undefined) {
        if (!finished(call)) {
          this.#discard.add(call.key);
          call.waiter = undefined;
          this.#fail(call, interrupt.error);
        }
        return;
      }
    }
    if (finished(call)) return;
    for (const effect of after) {
      if (!scope.active) break;
      if (effect.type === 'fail-after') {
        this.#fail(call, effect.error);
        return;
      }
      if (effect.type === 'partial-write') {
        const line = JSON.stringify(message);
        const keep = Math.min(Math.floor(line.length * effect.fraction), line.length - 1);
        this.#answer(call, new RawFrame(`${line.slice(0, Math.max(0, keep))}\n`));
        return;
      }
      if (effect.type === 'transform') {
        if (!('result' in message)) continue;
        const out = isMessageTransform(effect.transform)
          ? effect.transform(message)
          : transformPayload(call.method, message, effect.transform);
        if (out instanceof RawFrame) {
          this.#answer(call, out);
          return;
        }
        message = out as JsonRpcMessage;
      }
    }
    this.#answer(call, message);
  }

  #within(promise: Promise<JsonRpcMessage>, ms: number): Promise<JsonRpcMessage | undefined> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimer(ms, () => {
        resolve(undefined);
      });
      void promise.then((value) => {
        this.#clock.clearTimer(timer);
        resolve(value);
      });
    });
  }

  #fail(call: Call, error: Error): void {
    if (isMcpFaultAction(error)) {
      switch (error.action) {
        case 'tool-error':
          this.#answer(
            call,
            resultResponse(call.id, {
              content: [{ type: 'text', text: error.message }],
              isError: true,
            }),
          );
          return;
        case 'rpc-error': {
          const body: { code: number; message: string; data?: unknown } = {
            code: typeof error.code === 'number' ? error.code : rpcErrorCodes.internalError,
            message: error.message,
          };
          if (error.data !== undefined) body.data = error.data;
          this.#answer(call, errorResponse(call.id, body));
          return;
        }
        case 'drop':
          this.#end(call, false);
          return;
        case 'crash':
          call.forwarded = true; // lost with the server, like the requests it was handling
          this.#crash(error.message);
          return;
        case 'disconnect':
          this.#end(call, false);
          void this.#shutdown('disconnect', 0, error.message);
          return;
      }
    }
    if (isAgentCrashError(error)) {
      call.forwarded = true;
      this.#crash(error.message);
      return;
    }
    this.#answer(
      call,
      errorResponse(call.id, {
        code: rpcErrorCodes.internalError,
        message: error.message,
        data: errorData(error),
      }),
    );
  }

  #forward(call: Call): void {
    call.forwarded = true;
    this.#toUpstream(call.request);
  }

  #toUpstream(message: JsonRpcMessage): void {
    if (this.#closing) return;
    if (this.#state !== 'ready') {
      this.#backlog.push(message);
      return;
    }
    const upstream = this.#upstream;
    if (upstream === undefined) return;
    upstream.send(message as JSONRPCMessage).catch((error: unknown) => {
      this.#sendFailed(message, error);
    });
  }

  #sendFailed(message: JsonRpcMessage, error: unknown): void {
    if (this.#closing) return;
    const text = error instanceof Error ? error.message : String(error);
    this.#log?.(`could not send to the upstream server: ${text}`);
    if (!isRequest(message)) return;
    const call = this.#calls.get(idKey(message.id));
    if (call === undefined || call.done) return;
    const response = errorResponse(call.id, {
      code: rpcErrorCodes.internalError,
      message: `the MCP server could not be reached: ${text}`,
    });
    this.#deliver(call, response);
  }

  // ---- upstream → client -------------------------------------------------------------------

  #fromUpstream(message: JsonRpcMessage): void {
    if (this.#closing) return;
    if (isResponse(message)) {
      const key = idKey(message.id);
      const internal = this.#internal.get(key);
      if (internal !== undefined) {
        this.#internal.delete(key);
        internal(message);
        return;
      }
      if (this.#discard.delete(key)) return;
      const call = this.#calls.get(key);
      if (call !== undefined && call.forwarded) {
        if (call.method === 'initialize') this.#noteProtocolVersion(message);
        this.#deliver(call, message);
        return;
      }
    }
    this.#toClient(message);
  }

  /** Hands an upstream response to the call's pending fault plan, or to the client. */
  #deliver(call: Call, response: JsonRpcMessage): void {
    const waiter = call.waiter;
    if (waiter !== undefined) {
      call.waiter = undefined;
      waiter(response);
      return;
    }
    this.#answer(call, response);
  }

  #noteProtocolVersion(response: JsonRpcMessage): void {
    const version = record(response.result)?.protocolVersion;
    if (typeof version === 'string') this.#upstream?.setProtocolVersion?.(version);
  }

  #answer(call: Call, response: JsonRpcMessage | RawFrame): void {
    if (call.done) return;
    const ok = !(response instanceof RawFrame) && 'result' in response;
    this.#end(call, ok);
    if (response instanceof RawFrame) {
      const client = this.#client;
      if (client.sendRaw !== undefined) void client.sendRaw(response.text);
      return;
    }
    this.#toClient(response);
  }

  #end(call: Call, ok: boolean): void {
    if (call.done) return;
    call.done = true;
    if (this.#calls.get(call.key) === call) this.#calls.delete(call.key);
    if (call.counted) {
      call.counted = false;
      this.scope.killSwitch.callEnded(ok);
    }
  }

  #toClient(message: JsonRpcMessage): void {
    if (this.#closing) return;
    this.#client.send(message as JSONRPCMessage).catch(() => {
      // The client has gone; the server may keep talking for a while.
    });
  }

  // ---- upstream lifecycle ------------------------------------------------------------------

  #crash(detail: string): void {
    const upstream = this.#upstream;
    if (upstream === undefined || this.#state !== 'ready' || this.#closing) return;
    this.#crashing = true;
    this.#log?.(`crashing the MCP server: ${detail}`);
    if (upstream.kill !== undefined) upstream.kill();
    else void upstream.close();
  }

  #upstreamClosed(upstream: Transport): void {
    if (upstream !== this.#upstream || this.#closing || this.#gone.has(upstream)) return;
    this.#gone.add(upstream);
    const injected = this.#crashing;
    this.#crashing = false;
    this.#state = 'down';
    for (const resolve of this.#internal.values()) resolve(undefined);
    this.#internal.clear();
    const inFlight = [...this.#calls.values()].filter((c) => c.forwarded && !c.done);
    const restarting = this.#restarts < this.#restart.maxRestarts;
    if (this.#exitEmitter.active) {
      this.#exitEmitter.emit({
        reason: injected ? 'crash-injected' : 'exited',
        restarts: this.#restarts,
        restarting,
        inFlight: inFlight.length,
        time: this.#elapsed(),
      });
    }
    const what = injected ? 'the MCP server was crashed' : 'the MCP server exited';
    if (!restarting) {
      void this.#shutdown('upstream-exited', 1, `${what}; no restart left`);
      return;
    }
    this.#log?.(
      `${what}; restarting it in ${this.#restart.delayMs} ms (${inFlight.length} request(s) lost)`,
    );
    for (const call of inFlight) {
      this.#deliver(
        call,
        errorResponse(call.id, {
          code: rpcErrorCodes.internalError,
          message: `${what} before answering; faultline mcp-proxy is restarting it`,
        }),
      );
    }
    this.#state = 'restarting';
    this.#restartTimer = this.#clock.setTimer(this.#restart.delayMs, () => {
      this.#restartTimer = undefined;
      void this.#restartUpstream();
    });
  }

  async #restartUpstream(): Promise<void> {
    if (this.#closing) return;
    this.#restarts++;
    try {
      await this.#connectUpstream();
    } catch (error) {
      this.#log?.(`restart failed: ${String(error)}`);
      this.#upstreamClosed(this.#upstream as Transport);
      return;
    }
    const upstream = this.#upstream as Transport & RawCapable;
    const init = this.#initialize;
    if (init !== undefined) {
      const id = `faultline-reinitialize-${this.#restarts}`;
      const answered = new Promise<JsonRpcMessage | undefined>((resolve) => {
        this.#internal.set(idKey(id), resolve);
      });
      upstream.send({ ...init, id } as JSONRPCMessage).catch((error: unknown) => {
        this.#log?.(`could not re-initialize the MCP server: ${String(error)}`);
      });
      const response = await answered;
      if (response === undefined || this.#isClosing() || this.#upstream !== upstream) return;
      this.#noteProtocolVersion(response);
      if (this.#initialized !== undefined) {
        await upstream.send(this.#initialized as JSONRPCMessage).catch(() => undefined);
      }
    }
    if (this.#isClosing() || this.#upstream !== upstream) return;
    this.#state = 'ready';
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const message of backlog) this.#toUpstream(message);
    this.#log?.(`the MCP server is back (restart ${this.#restarts})`);
    if (this.#restartEmitter.active) {
      this.#restartEmitter.emit({ restarts: this.#restarts, time: this.#elapsed() });
    }
  }

  async #shutdown(reason: McpProxyCloseReason, exitCode: number, detail: string): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#state = 'closed';
    if (this.#restartTimer !== undefined) this.#clock.clearTimer(this.#restartTimer);
    for (const call of this.#calls.values()) call.controller?.abort(new Error(detail));
    for (const resolve of this.#internal.values()) resolve(undefined);
    this.#internal.clear();
    this.#log?.(`stopping: ${detail}`);
    if (this.#ownScope) this.scope.end();
    for (const subscription of this.#subscriptions) subscription.dispose();
    await Promise.allSettled([this.#upstream?.close(), this.#client.close()]);
    this.#resolveClosed({ reason, exitCode, detail });
  }
}
