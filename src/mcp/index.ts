export {
  errorResponse,
  idKey,
  isNotification,
  isRequest,
  isResponse,
  resultResponse,
  rpcErrorCodes,
  type JsonRpcErrorObject,
  type JsonRpcId,
  type JsonRpcMessage,
} from './json-rpc.ts';
export { LineTransport, type LineTransportOptions } from './line-transport.ts';
export {
  StdioUpstreamTransport,
  type StdioUpstreamOptions,
  type UpstreamExit,
} from './stdio-upstream.ts';
export { httpUpstream, stdioUpstream, type HttpUpstreamOptions } from './upstreams.ts';
export {
  isMcpFaultAction,
  McpFaultAction,
  type McpFaultActionDetails,
  type McpFaultActionType,
} from './mcp-fault-action.ts';
export {
  isMessageTransform,
  mcpFaultKinds,
  RawFrame,
  registerMcpFaultKinds,
  serverWideMcpFaultKinds,
  type McpCrashFaultSpec,
  type McpDisconnectFaultSpec,
  type McpFaultSpec,
  type McpMalformedFaultSpec,
  type McpMalformedMode,
  type McpRpcErrorFaultSpec,
  type McpToolErrorFaultSpec,
  type McpToolsListFaultSpec,
  type McpToolsListMode,
  type McpUnavailableFaultSpec,
} from './mcp-fault-kinds.ts';
export {
  loadMcpProxyConfig,
  resolveMcpChaosConfig,
  resolveRestartPolicy,
  type McpProxyFileConfig,
  type McpRestartPolicy,
} from './mcp-chaos-config.ts';
export {
  McpChaosProxy,
  type McpChaosProxyOptions,
  type McpProxyCloseReason,
  type McpProxyExit,
  type McpUpstreamExitEvent,
  type McpUpstreamRestartEvent,
} from './mcp-chaos-proxy.ts';
export { runMcpProxy, type McpProxyRunOptions } from './run-mcp-proxy.ts';
export { isMcpToolResultError, McpToolResultError } from './mcp-tool-result-error.ts';
export {
  classifyMcpError,
  isTransientMcpError,
  type McpFailureClass,
} from './mcp-error-classifier.ts';
export {
  withMcpResilience,
  type LocalTool,
  type LocalToolContext,
  type McpClientDecision,
  type McpClientDecisionEvent,
  type McpFallback,
  type McpLocalFallback,
  type McpResilience,
  type McpResilienceOptions,
  type McpServerFallback,
  type McpToolCallParams,
  type McpToolCaller,
  type ResilientMcpClient,
} from './with-mcp-resilience.ts';
