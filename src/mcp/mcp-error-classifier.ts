import { isTimeoutError } from '../core/index.ts';
import { defaultErrorClassifier } from '../policies/index.ts';
import { isMcpToolResultError } from './mcp-tool-result-error.ts';

/** How `withMcpResilience` sorts a failed MCP call. */
export type McpFailureClass =
  /** Worth another attempt on the same connection: timeouts, internal and server errors. */
  | 'transient'
  /** The connection is gone (`-32000`): retrying on it is useless, another server may help. */
  | 'connection'
  /** The request itself is wrong (invalid params, unknown method or tool): do not retry. */
  | 'permanent';

const permanentCodes = new Set([-32700, -32600, -32601, -32602, -32002, -32042]);

function mcpCode(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as Error & { code?: unknown }).code;
  return error.name === 'McpError' && typeof code === 'number' ? code : undefined;
}

function dataStatus(error: unknown): number | undefined {
  const data = (error as { data?: unknown } | null)?.data;
  const status = (data as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Sorts a failure of an MCP tool call (see {@link McpFailureClass}). An SDK `McpError` is judged
 * by its JSON-RPC code: `-32001` (request timed out) and `-32603` (internal error) are transient,
 * as is any code whose `data.status` is 429 or 5xx; `-32000` (connection closed) is
 * `connection`; parse, invalid request, method not found, invalid params are permanent. Other
 * errors go through `defaultErrorClassifier`: network, timeout, rate limit, server and
 * validation failures (a malformed result) are transient. A tool error result raised with
 * `errorResults: 'fail'` is transient.
 */
export function classifyMcpError(error: unknown): McpFailureClass {
  const code = mcpCode(error);
  if (code !== undefined) {
    if (code === -32000) return 'connection';
    const status = dataStatus(error);
    if (status !== undefined) {
      return status === 429 || status >= 500 || status === 408 ? 'transient' : 'permanent';
    }
    if (code === -32001 || code === -32603) return 'transient';
    if (permanentCodes.has(code)) return 'permanent';
    return code <= -32000 && code >= -32099 ? 'transient' : 'permanent';
  }
  if (isMcpToolResultError(error) || isTimeoutError(error)) return 'transient';
  if (error instanceof Error && /not connected|connection closed/i.test(error.message)) {
    return 'connection';
  }
  switch (defaultErrorClassifier(error)) {
    case 'network':
    case 'timeout':
    case 'rateLimit':
    case 'server':
    case 'validation':
      return 'transient';
    default:
      return 'permanent';
  }
}

/** True when {@link classifyMcpError} calls `error` transient: the default retry predicate. */
export function isTransientMcpError(error: unknown): boolean {
  return classifyMcpError(error) === 'transient';
}
