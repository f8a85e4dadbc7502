/**
 * The name of every `node:diagnostics_channel` channel faultline publishes on, in one table, so
 * an observer (the metrics recorder, a tracer, a log shipper) can subscribe without importing the
 * producers. Each message is a {@link ChannelMessage}: `{ source, event }`.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe(channelNames.circuitBreak, (message) => console.log('breaker opened', message));
 * ```
 */
export const channelNames = {
  retry: 'faultline:policy:retry',
  retryGiveUp: 'faultline:policy:retry-give-up',
  retrySuccess: 'faultline:policy:retry-success',
  fallback: 'faultline:policy:fallback',
  hedge: 'faultline:policy:hedge',
  timeout: 'faultline:policy:timeout',
  bulkheadRejected: 'faultline:policy:bulkhead-rejected',
  rateLimited: 'faultline:policy:rate-limited',
  loopDetected: 'faultline:policy:loop-detected',
  budgetExceeded: 'faultline:policy:budget-exceeded',
  budgetUsage: 'faultline:policy:budget-usage',
  circuitBreak: 'faultline:policy:circuit-breaker-break',
  circuitHalfOpen: 'faultline:policy:circuit-breaker-half-open',
  circuitReset: 'faultline:policy:circuit-breaker-reset',
  circuitStateChange: 'faultline:policy:circuit-breaker-state-change',
  circuitSuccess: 'faultline:policy:circuit-breaker-success',
  circuitFailure: 'faultline:policy:circuit-breaker-failure',
  circuitRejected: 'faultline:policy:circuit-breaker-rejected',
  faultInjected: 'faultline:faults:injected',
  killSwitch: 'faultline:faults:kill-switch',
  chaosStopped: 'faultline:faults:stopped',
  proxyToxicChange: 'faultline:proxy:toxic',
  mcpUpstreamExit: 'faultline:mcp:upstream-exit',
  mcpUpstreamRestart: 'faultline:mcp:upstream-restart',
  mcpClientDecision: 'faultline:mcp:client-decision',
  aiSdkDecision: 'faultline:ai-sdk:decision',
  aiSdkIncompleteResponse: 'faultline:ai-sdk:incomplete-response',
  agentRunStarted: 'faultline:agents:run-started',
  agentRunCompleted: 'faultline:agents:run-completed',
  agentRunFailed: 'faultline:agents:run-failed',
  agentStarted: 'faultline:agents:agent-started',
  agentCompleted: 'faultline:agents:agent-completed',
  agentFailed: 'faultline:agents:agent-failed',
  agentSkipped: 'faultline:agents:agent-skipped',
  agentNote: 'faultline:agents:note',
  agentStepFailed: 'faultline:agents:step-failed',
  agentHandoffRejected: 'faultline:agents:handoff-rejected',
  agentFallback: 'faultline:agents:fallback',
  agentParallelSettled: 'faultline:agents:parallel-settled',
  agentSideEffect: 'faultline:agents:side-effect',
  checkpointSaved: 'faultline:agents:checkpoint-saved',
  checkpointRestored: 'faultline:agents:checkpoint-restored',
  checkpointCorrupt: 'faultline:agents:checkpoint-corrupt',
  supervisorRestart: 'faultline:agents:supervisor-restart',
  supervisorRecoveryAction: 'faultline:agents:supervisor-recovery-action',
  supervisorHealed: 'faultline:agents:supervisor-healed',
  supervisorHealingFailed: 'faultline:agents:supervisor-healing-failed',
  supervisorEscalated: 'faultline:agents:supervisor-escalated',
} as const;

/** Key of {@link channelNames}. */
export type ChannelKey = keyof typeof channelNames;
