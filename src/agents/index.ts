export type {
  Agent,
  AgentContext,
  CheckpointHandle,
  MessageOptions,
  SaveCheckpointOptions,
} from './types.ts';
export { messageSchema, validateHandoff, type AgentMessage } from './message.ts';
export { rootCause, summarizeError, type AgentErrorSummary } from './error-summary.ts';
export {
  agentEventChannels,
  onAgentEvent,
  type AgentCompletedEvent,
  type AgentEvent,
  type AgentEventBase,
  type AgentEventType,
  type AgentFailedEvent,
  type AgentNoteEvent,
  type AgentSkippedEvent,
  type AgentStartedEvent,
  type CheckpointCorruptEvent,
  type CheckpointRestoredEvent,
  type CheckpointSavedEvent,
  type FallbackEvent,
  type HandoffRejectedEvent,
  type ParallelSettledEvent,
  type RunCompletedEvent,
  type RunFailedEvent,
  type RunStartedEvent,
  type SideEffectEvent,
  type StepFailedEvent,
  type SupervisorEscalatedEvent,
  type SupervisorHealedEvent,
  type SupervisorHealingFailedEvent,
  type SupervisorRecoveryActionEvent,
  type SupervisorRestartEvent,
} from './agent-events.ts';
export * from './errors/index.ts';
export * from './checkpoint/index.ts';
export {
  IdempotencyLedger,
  type IdempotencyLedgerOptions,
  type SideEffectOutcome,
} from './idempotency-ledger.ts';
export { runAgent, type AgentRunResult, type RunAgentOptions } from './run-agent.ts';
export { sequential, type SequentialOptions } from './sequential.ts';
export {
  parallel,
  type BranchResult,
  type ParallelOptions,
  type ParallelPayload,
  type ParallelRequirement,
} from './parallel.ts';
export { fallbackAgents, type FallbackAgentsOptions } from './fallback-agents.ts';
export { withPolicies } from './with-policies.ts';
export {
  defaultShouldRestart,
  Supervisor,
  type Escalation,
  type HealingRecord,
  type RecoveryAction,
  type RecoveryContext,
  type SupervisorOptions,
  type SupervisorStats,
} from './supervisor.ts';
export type { Workflow, WorkflowRunContext, WorkflowRunResult } from './workflow.ts';
