/** A JSON-RPC request id. */
export type JsonRpcId = string | number;

/**
 * A JSON-RPC 2.0 message as the MCP chaos proxy sees it: a plain object, forwarded as is. Only
 * the envelope fields the proxy needs are typed; everything else passes through untouched.
 */
export interface JsonRpcMessage {
  readonly jsonrpc?: unknown;
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly [field: string]: unknown;
}

/** A JSON-RPC error object. */
export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** The standard JSON-RPC and MCP error codes the proxy uses. */
export const rpcErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** The SDK's own code for a closed connection (never sent on the wire by servers). */
  connectionClosed: -32000,
  /** The SDK's own code for a request that timed out locally. */
  requestTimeout: -32001,
} as const;

function isId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || typeof value === 'number';
}

/** True for a request: a `method` and an `id`. */
export function isRequest(
  message: JsonRpcMessage,
): message is JsonRpcMessage & { readonly id: JsonRpcId; readonly method: string } {
  return typeof message.method === 'string' && isId(message.id);
}

/** True for a notification: a `method` and no `id`. */
export function isNotification(
  message: JsonRpcMessage,
): message is JsonRpcMessage & { readonly method: string } {
  return typeof message.method === 'string' && message.id === undefined;
}

/** True for a response: an `id`, no `method`, and a `result` or an `error`. */
export function isResponse(
  message: JsonRpcMessage,
): message is JsonRpcMessage & { readonly id: JsonRpcId } {
  return (
    message.method === undefined && isId(message.id) && ('result' in message || 'error' in message)
  );
}

/** A key for an id that keeps `1` and `'1'` apart. */
export function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

/** An error response to request `id`. */
export function errorResponse(id: JsonRpcId, error: JsonRpcErrorObject): JsonRpcMessage {
  return { jsonrpc: '2.0', id, error };
}

/** A result response to request `id`. */
export function resultResponse(id: JsonRpcId, result: unknown): JsonRpcMessage {
  return { jsonrpc: '2.0', id, result };
}

/** The params of a message as a record (empty when it has none). */
export function paramsOf(message: JsonRpcMessage): Readonly<Record<string, unknown>> {
  const params = message.params;
  return typeof params === 'object' && params !== null && !Array.isArray(params)
    ? (params as Record<string, unknown>)
    : {};
}
