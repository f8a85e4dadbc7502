import type { Random } from '../core/index.ts';
import {
  registerFaultKind,
  resolveFaultKind,
  type FaultEffect,
  type FaultFactory,
  type FaultSpec,
} from '../faults/index.ts';
import { injectionRandom } from '../faults/kinds/json-tools.ts';
import type { JsonRpcMessage } from './json-rpc.ts';
import { McpFaultAction } from './mcp-fault-action.ts';

/** Spec of an `mcp-tool-error` fault: the tool call answers with a tool error result. */
export interface McpToolErrorFaultSpec extends FaultSpec {
  readonly kind: 'mcp-tool-error';
  /**
   * The error text the tool result carries.
   * @default `Error executing tool <name>: upstream service failed (injected)`
   */
  readonly message?: string;
}

/** Spec of an `mcp-rpc-error` fault: the request answers with a JSON-RPC error. */
export interface McpRpcErrorFaultSpec extends FaultSpec {
  readonly kind: 'mcp-rpc-error';
  /**
   * The JSON-RPC error code.
   * @default -32603 (internal error)
   */
  readonly code?: number;
  /**
   * The error message.
   * @default 'Internal error'
   */
  readonly message?: string;
  /**
   * The error's `data` (any JSON).
   * @default undefined
   */
  readonly data?: unknown;
}

/** How an `mcp-malformed` fault damages a response. */
export type McpMalformedMode = 'invalid-result' | 'truncated' | 'wrong-id';

/** Spec of an `mcp-malformed` fault: the response reaches the client damaged. */
export interface McpMalformedFaultSpec extends FaultSpec {
  readonly kind: 'mcp-malformed';
  /**
   * `invalid-result`: the result breaks the MCP schema (tool `content` is not an array);
   * `truncated`: the JSON line is cut short on the wire; `wrong-id`: the response carries an id
   * the client never used. With several, each injection picks one.
   * @default every mode
   */
  readonly mode?: McpMalformedMode | readonly McpMalformedMode[];
  /**
   * `truncated`: the share of the line that is sent (0..1).
   * @default a uniform draw in [0.2, 0.8)
   */
  readonly fraction?: number;
}

/** How an `mcp-tools-list` fault changes the tool list. */
export type McpToolsListMode = 'remove' | 'change-schema';

/**
 * Spec of an `mcp-tools-list` fault: `tools/list` answers with a different list. A removed tool
 * stays gone: calls to it answer `Tool <name> not found` until a later `tools/list` on which the
 * fault does not fire.
 */
export interface McpToolsListFaultSpec extends FaultSpec {
  readonly kind: 'mcp-tools-list';
  /**
   * `remove`: the tools disappear; `change-schema`: their input schema changes (a property is
   * renamed, changes type, or a new required property appears). With both, each injection picks
   * one.
   * @default ['remove', 'change-schema']
   */
  readonly mode?: McpToolsListMode | readonly McpToolsListMode[];
  /**
   * Which tools are affected.
   * @default one tool of the list, at random
   */
  readonly tools?: readonly string[];
}

/**
 * Spec of an `mcp-unavailable` fault: once it fires, the server is unavailable for `ms`: every
 * request in that window fails (or goes unanswered).
 */
export interface McpUnavailableFaultSpec extends FaultSpec {
  readonly kind: 'mcp-unavailable';
  /**
   * How long the outage lasts, in milliseconds of the scope's clock.
   * @default 5000
   */
  readonly ms?: number;
  /**
   * `error`: requests get a JSON-RPC error (data `{ status: 503, retryAfterMs }`); `drop`: they
   * get no answer at all.
   * @default 'error'
   */
  readonly respond?: 'error' | 'drop';
  /**
   * The JSON-RPC error code for `respond: 'error'`.
   * @default -32603
   */
  readonly code?: number;
  /**
   * The error message.
   * @default 'Service unavailable'
   */
  readonly message?: string;
}

/** Spec of an `mcp-crash` fault: the upstream server process dies (SIGKILL) on this request. */
export interface McpCrashFaultSpec extends FaultSpec {
  readonly kind: 'mcp-crash';
}

/** Spec of an `mcp-disconnect` fault: the proxy drops the client's connection. */
export interface McpDisconnectFaultSpec extends FaultSpec {
  readonly kind: 'mcp-disconnect';
}

/** The spec of any MCP fault kind, for typed configs. */
export type McpFaultSpec =
  | McpToolErrorFaultSpec
  | McpRpcErrorFaultSpec
  | McpMalformedFaultSpec
  | McpToolsListFaultSpec
  | McpUnavailableFaultSpec
  | McpCrashFaultSpec
  | McpDisconnectFaultSpec;

/** A line written to the client verbatim instead of a JSON message (a damaged frame). */
export class RawFrame {
  /** The text written, newline included. */
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
}

const messageTransforms = new WeakSet<object>();

/**
 * True for a transform made by an MCP fault kind: it takes the whole JSON-RPC response and may
 * return a {@link RawFrame}. Other transforms (`hallucination`, `corruption`, ...) take the
 * payload: the text of a tool result's content, its structured content, resource text.
 */
export function isMessageTransform(transform: (value: unknown) => unknown): boolean {
  return messageTransforms.has(transform);
}

function messageTransform(
  description: string,
  transform: (message: JsonRpcMessage) => JsonRpcMessage | RawFrame,
): FaultEffect {
  const fn = (value: unknown): unknown =>
    typeof value === 'object' && value !== null ? transform(value as JsonRpcMessage) : value;
  messageTransforms.add(fn);
  return { type: 'transform', description, transform: fn };
}

function fail(error: Error): FaultEffect {
  return { type: 'fail', error };
}

function pickMode<T>(modes: readonly T[], random: Random): T {
  return modes.length === 1 ? (modes[0] as T) : random.pick(modes);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const toolErrorFault: FaultFactory = (read) => {
  const message = read.string('message');
  return {
    effect: ({ site }) =>
      fail(
        new McpFaultAction(
          'tool-error',
          message ??
            `Error executing tool ${site.tool ?? site.operation}: upstream service failed (injected)`,
        ),
      ),
  };
};

const rpcErrorFault: FaultFactory = (read) => {
  const code = read.number('code', { integer: true, min: -2147483648, max: 2147483647 });
  const message = read.string('message') ?? 'Internal error';
  const data = read.raw('data');
  return {
    effect: () => fail(new McpFaultAction('rpc-error', message, { rpcCode: code ?? -32603, data })),
  };
};

const malformedModes: readonly McpMalformedMode[] = ['invalid-result', 'truncated', 'wrong-id'];

const malformedFault: FaultFactory = (read) => {
  const modes = read.oneOrMany('mode', malformedModes) ?? malformedModes;
  const fraction = read.number('fraction', { min: 0, max: 1 });
  return {
    effect(context) {
      const mode = pickMode(modes, context.random);
      const keep = fraction ?? context.random.float(0.2, 0.8);
      return messageTransform(`mcp-malformed: ${mode}`, (message) => {
        switch (mode) {
          case 'truncated': {
            const line = JSON.stringify(message);
            const cut = Math.min(Math.floor(line.length * keep), line.length - 1);
            return new RawFrame(`${line.slice(0, Math.max(0, cut))}\n`);
          }
          case 'wrong-id': {
            const id = message.id;
            return { ...message, id: typeof id === 'number' ? id + 1_000_000 : `${String(id)}#` };
          }
          case 'invalid-result': {
            const result = record(message.result);
            if (result === undefined) return message;
            const content = result.content;
            const text = Array.isArray(content)
              ? content
                  .map((item) => {
                    const text = record(item)?.text;
                    return typeof text === 'string' ? text : '';
                  })
                  .join('\n')
              : 'malformed';
            return { ...message, result: { ...result, content: text } };
          }
        }
      });
    },
  };
};

const toolsListModes: readonly McpToolsListMode[] = ['remove', 'change-schema'];

function changeSchema(schema: unknown, random: Random): Record<string, unknown> {
  const base = record(schema) ?? { type: 'object' };
  const properties = { ...(record(base.properties) ?? {}) };
  const required = Array.isArray(base.required)
    ? (base.required as unknown[]).filter((r): r is string => typeof r === 'string')
    : [];
  const names = Object.keys(properties);
  const variant = names.length === 0 ? 2 : random.int(0, 2);
  if (variant === 0) {
    const name = random.pick(names);
    const renamed = `${name}_v2`;
    properties[renamed] = properties[name];
    Reflect.deleteProperty(properties, name);
    return {
      ...base,
      properties,
      required: [...required.filter((r) => r !== name), renamed],
    };
  }
  if (variant === 1) {
    const name = random.pick(names);
    const old = record(properties[name]) ?? {};
    const type = old.type === 'string' ? 'number' : 'string';
    properties[name] = { ...old, type };
    return { ...base, properties, required };
  }
  let added = 'revision';
  while (added in properties) added = `${added}_`;
  properties[added] = { type: 'string', description: 'Required since the last schema change.' };
  return { ...base, properties, required: [...required, added] };
}

const toolsListFault: FaultFactory = (read) => {
  const modes = read.oneOrMany('mode', toolsListModes) ?? toolsListModes;
  const chosen = read.strings('tools');
  return {
    sticky({ site, state }) {
      if (site.operation === 'tools/list') {
        state.delete('removed');
        return undefined;
      }
      const removed = state.get('removed') as ReadonlySet<string> | undefined;
      if (site.operation === 'tools/call' && site.tool !== undefined && removed?.has(site.tool)) {
        return fail(
          new McpFaultAction('tool-error', `MCP error -32602: Tool ${site.tool} not found`),
        );
      }
      return undefined;
    },
    effect(context) {
      if (context.site.operation !== 'tools/list') return undefined;
      const mode = pickMode(modes, context.random);
      const random = injectionRandom(context);
      const state = context.state;
      return messageTransform(`mcp-tools-list: ${mode}`, (message) => {
        const result = record(message.result);
        const tools = result?.tools;
        if (result === undefined || !Array.isArray(tools) || tools.length === 0) return message;
        const nameOf = (tool: unknown): string | undefined => {
          const name = record(tool)?.name;
          return typeof name === 'string' ? name : undefined;
        };
        const present = tools.map(nameOf).filter((n): n is string => n !== undefined);
        const targets = new Set(
          chosen === undefined
            ? present.length === 0
              ? []
              : [random.pick(present)]
            : chosen.filter((n) => present.includes(n)),
        );
        if (targets.size === 0) return message;
        if (mode === 'remove') {
          state.set('removed', targets);
          const kept = tools.filter((tool) => !targets.has(nameOf(tool) ?? ''));
          return { ...message, result: { ...result, tools: kept } };
        }
        const changed = tools.map((tool: unknown) => {
          const t = record(tool);
          if (t === undefined || !targets.has(nameOf(tool) ?? '')) return tool;
          return { ...t, inputSchema: changeSchema(t.inputSchema, random) };
        });
        return { ...message, result: { ...result, tools: changed } };
      });
    },
  };
};

const unavailableFault: FaultFactory = (read) => {
  const ms = read.number('ms', { min: 0 }) ?? 5000;
  const respond = read.oneOf('respond', ['error', 'drop']) ?? 'error';
  const code = read.number('code', { integer: true, min: -2147483648, max: 2147483647 });
  const message = read.string('message') ?? 'Service unavailable';
  const outage = (remainingMs: number): FaultEffect =>
    fail(
      respond === 'drop'
        ? new McpFaultAction('drop', `${message} (request dropped)`)
        : new McpFaultAction('rpc-error', message, {
            rpcCode: code ?? -32603,
            data: { status: 503, retryAfterMs: Math.max(0, Math.round(remainingMs)) },
          }),
    );
  return {
    sticky({ state, now }) {
      const until = state.get('until');
      return typeof until === 'number' && now < until ? outage(until - now) : undefined;
    },
    effect({ state, now }) {
      state.set('until', now + ms);
      return outage(ms);
    },
  };
};

const crashFault: FaultFactory = () => ({
  effect: ({ site }) =>
    fail(new McpFaultAction('crash', `injected crash of the MCP server during ${site.operation}`)),
});

const disconnectFault: FaultFactory = () => ({
  effect: ({ site }) =>
    fail(
      new McpFaultAction(
        'disconnect',
        `injected disconnect of the client during ${site.operation}`,
      ),
    ),
});

/** The MCP fault kinds, each with its factory. */
const factories: readonly (readonly [string, FaultFactory])[] = [
  ['mcp-tool-error', toolErrorFault],
  ['mcp-rpc-error', rpcErrorFault],
  ['mcp-malformed', malformedFault],
  ['mcp-tools-list', toolsListFault],
  ['mcp-unavailable', unavailableFault],
  ['mcp-crash', crashFault],
  ['mcp-disconnect', disconnectFault],
];

/** The names of the MCP fault kinds. */
export const mcpFaultKinds: readonly string[] = factories.map(([kind]) => kind);

/** MCP fault kinds that concern the server as a whole rather than one tool. */
export const serverWideMcpFaultKinds: readonly string[] = [
  'mcp-unavailable',
  'mcp-crash',
  'mcp-disconnect',
];

/**
 * Registers the MCP fault kinds (`mcp-tool-error`, `mcp-rpc-error`, `mcp-malformed`,
 * `mcp-tools-list`, `mcp-unavailable`, `mcp-crash`, `mcp-disconnect`) with the fault registry,
 * so chaos configs can name them. Importing `faultline/mcp` does it; calling it again does
 * nothing.
 */
export function registerMcpFaultKinds(): void {
  for (const [kind, factory] of factories) {
    if (resolveFaultKind(kind) === undefined) registerFaultKind(kind, factory);
  }
}

registerMcpFaultKinds();
