export {
  HandoffValidationError,
  isHandoffValidationError,
  type HandoffIssue,
} from './handoff-validation-error.ts';
export { CheckpointCorruptError, isCheckpointCorruptError } from './checkpoint-corrupt-error.ts';
export { AgentStepError, isAgentStepError } from './agent-step-error.ts';
export { ParallelQuorumError, isParallelQuorumError } from './parallel-quorum-error.ts';
export {
  AllAgentsFailedError,
  isAllAgentsFailedError,
  type AgentFailure,
} from './all-agents-failed-error.ts';
export { EscalationError, isEscalationError } from './escalation-error.ts';
