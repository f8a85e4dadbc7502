/**
 * What an MCP fault asks the chaos proxy to do instead of forwarding a request:
 *
 * - `tool-error`: answer with a tool error result (`isError: true`, the message as its text);
 * - `rpc-error`: answer with a JSON-RPC error (`rpcCode`, the message, `data`);
 * - `drop`: never answer (the client times out or cancels);
 * - `crash`: kill the upstream server (the request is lost with it);
 * - `disconnect`: drop the client's connection.
 */
export type McpFaultActionType = 'tool-error' | 'rpc-error' | 'drop' | 'crash' | 'disconnect';

/** Details of an {@link McpFaultAction}. */
export interface McpFaultActionDetails {
  /** JSON-RPC error code for `rpc-error`. @default -32603 */
  readonly rpcCode?: number;
  /** JSON-RPC error data for `rpc-error`. @default undefined */
  readonly data?: unknown;
}

/**
 * The error an MCP fault kind's effect fails with to make the chaos proxy act (see
 * {@link McpFaultActionType}). It is journaled like any injected error: its `code` is the action
 * (or the JSON-RPC code of an `rpc-error`). Register your own MCP fault kinds with it.
 *
 * @example
 * ```ts
 * registerFaultKind('mcp-teapot', () => ({
 *   effect: () => ({ type: 'fail', error: new McpFaultAction('rpc-error', 'I am a teapot', { rpcCode: -32099 }) }),
 * }));
 * ```
 */
export class McpFaultAction extends Error {
  override readonly name = 'McpFaultAction';
  /** What the proxy does. */
  readonly action: McpFaultActionType;
  /** The JSON-RPC code for `rpc-error`, else the action's name (as journals show it). */
  readonly code: number | string;
  /** JSON-RPC error data for `rpc-error`. */
  readonly data: unknown;

  constructor(action: McpFaultActionType, message: string, details: McpFaultActionDetails = {}) {
    super(message);
    this.action = action;
    this.code = action === 'rpc-error' ? (details.rpcCode ?? -32603) : action;
    this.data = details.data;
  }
}

/** True when `error` is an {@link McpFaultAction} (matched by name, across duplicate installs). */
export function isMcpFaultAction(error: unknown): error is McpFaultAction {
  return (
    error instanceof Error &&
    error.name === 'McpFaultAction' &&
    typeof (error as { action?: unknown }).action === 'string'
  );
}
