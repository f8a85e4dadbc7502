import { channelNames, Emitter, type Event } from '../core/index.ts';
import type { CheckpointReason } from './checkpoint/types.ts';
import type { AgentErrorSummary } from './error-summary.ts';

/** Fields every agent event has. */
export interface AgentEventBase {
  /** The run it happened in. */
  readonly runId: string;
  /** The agent's path in the run, e.g. `orchestrator/product`. */
  readonly agent: string;
  /** `clock.now()` when it happened. */
  readonly time: number;
  /** Milliseconds since the run started (what journals compare across replays). */
  readonly elapsedMs: number;
}

/** A run of `runAgent` started. */
export interface RunStartedEvent extends AgentEventBase {
  readonly type: 'run-started';
}

/** A run completed with an output. */
export interface RunCompletedEvent extends AgentEventBase {
  readonly type: 'run-completed';
  readonly durationMs: number;
}

/** A run ended with an error. */
export interface RunFailedEvent extends AgentEventBase {
  readonly type: 'run-failed';
  readonly durationMs: number;
  readonly error: AgentErrorSummary;
}

/** An agent started working on a message. */
export interface AgentStartedEvent extends AgentEventBase {
  readonly type: 'agent-started';
  readonly messageId: string;
}

/** An agent produced its output (checkpointed as `completed`). */
export interface AgentCompletedEvent extends AgentEventBase {
  readonly type: 'agent-completed';
  readonly durationMs: number;
}

/** An agent failed (after whatever its own policies and supervisor did). */
export interface AgentFailedEvent extends AgentEventBase {
  readonly type: 'agent-failed';
  readonly durationMs: number;
  readonly error: AgentErrorSummary;
}

/** An agent was not run because its output for this input was already checkpointed. */
export interface AgentSkippedEvent extends AgentEventBase {
  readonly type: 'agent-skipped';
  /** The `completed` checkpoint reused. */
  readonly seq: number;
}

/** A note an agent reported through `context.report`. */
export interface AgentNoteEvent extends AgentEventBase {
  readonly type: 'note';
  readonly note: string;
  readonly data?: unknown;
}

/** A step of a sequence failed; the sequence stops there. */
export interface StepFailedEvent extends AgentEventBase {
  readonly type: 'step-failed';
  /** The failed step's index (0-based). */
  readonly step: number;
  /** The failed step's agent name. */
  readonly stepAgent: string;
  readonly phase: 'handoff' | 'process';
  readonly error: AgentErrorSummary;
}

/** A hand-off was rejected by validation (a corrupted or malformed message). */
export interface HandoffRejectedEvent extends AgentEventBase {
  readonly type: 'handoff-rejected';
  readonly from: string;
  readonly to: string;
  /** Delivery attempt (1-based). */
  readonly attempt: number;
  readonly issues: readonly { readonly path: string; readonly message: string }[];
}

/** A fallback composition switched from one agent to the next, and why. */
export interface FallbackEvent extends AgentEventBase {
  readonly type: 'fallback';
  readonly from: string;
  readonly to: string;
  readonly reason: AgentErrorSummary;
}

/** Every branch of a parallel composition settled. */
export interface ParallelSettledEvent extends AgentEventBase {
  readonly type: 'parallel-settled';
  readonly succeeded: number;
  readonly failed: number;
  readonly required: number;
  /** Whether enough branches succeeded. */
  readonly ok: boolean;
}

/** A side effect ran, or was skipped because the ledger had already recorded it. */
export interface SideEffectEvent extends AgentEventBase {
  readonly type: 'side-effect';
  readonly key: string;
  readonly outcome: 'executed' | 'replayed';
}

/** A checkpoint was saved. */
export interface CheckpointSavedEvent extends AgentEventBase {
  readonly type: 'checkpoint-saved';
  readonly key: string;
  readonly seq: number;
  readonly reason: CheckpointReason;
  /** The agent's progress (0..1) recorded with it, when known: the "truth" a restore is measured against. */
  readonly progress: number | undefined;
  /** The risky operation it precedes, for `reason: 'risky'`. */
  readonly label: string | undefined;
}

/**
 * An agent restored state from a checkpoint (its own, or a peer's: another agent's context).
 * `skippedCorrupt > 0` means newer records failed their integrity check and an older one was
 * used.
 */
export interface CheckpointRestoredEvent extends AgentEventBase {
  readonly type: 'checkpoint-restored';
  readonly key: string;
  readonly seq: number;
  readonly reason: CheckpointReason;
  /** The progress (0..1) recorded with the checkpoint, when known. */
  readonly progress: number | undefined;
  /** Newer records skipped as corrupt. */
  readonly skippedCorrupt: number;
  /** True when the checkpoint is another agent's (peer context). */
  readonly peer: boolean;
}

/** A stored checkpoint failed its integrity check. */
export interface CheckpointCorruptEvent extends AgentEventBase {
  readonly type: 'checkpoint-corrupt';
  readonly key: string;
  readonly seq: number;
  readonly detail: string;
}

/** A supervisor restarts a failed agent (from its latest checkpoint, if any). */
export interface SupervisorRestartEvent extends AgentEventBase {
  readonly type: 'supervisor-restart';
  /** The supervisor's name. */
  readonly supervisor: string;
  /** Restart number within this call (1-based). */
  readonly restart: number;
  readonly reason: AgentErrorSummary;
  /** The agent's success rate over the window when it failed. */
  readonly successRate: number;
  /** The checkpoint the agent resumes from, if any. */
  readonly fromCheckpoint:
    { readonly seq: number; readonly progress: number | undefined } | undefined;
}

/** A supervisor ran a recovery action (clear caches, reconnect, reset state, ...). */
export interface SupervisorRecoveryActionEvent extends AgentEventBase {
  readonly type: 'supervisor-recovery-action';
  readonly supervisor: string;
  readonly action: string;
  readonly ok: boolean;
  readonly error?: AgentErrorSummary;
}

/** A supervised agent succeeded after failing: healed. */
export interface SupervisorHealedEvent extends AgentEventBase {
  readonly type: 'supervisor-healed';
  readonly supervisor: string;
  readonly restarts: number;
  /** From the first failure of this call to the success. */
  readonly recoveryMs: number;
}

/** Every restart of a call failed. */
export interface SupervisorHealingFailedEvent extends AgentEventBase {
  readonly type: 'supervisor-healing-failed';
  readonly supervisor: string;
  readonly restarts: number;
  /** Failed healings in a row for this agent, this one included. */
  readonly consecutive: number;
  readonly error: AgentErrorSummary;
}

/** A supervisor gave up and escalated. */
export interface SupervisorEscalatedEvent extends AgentEventBase {
  readonly type: 'supervisor-escalated';
  readonly supervisor: string;
  readonly failedHealings: number;
  readonly error: AgentErrorSummary;
}

/**
 * Everything the agents layer reports, by `type`. Each type is published on its own
 * diagnostics channel (`channelNames.agentStarted` = `faultline:agents:agent-started`, ...), and
 * collected in the run's journal.
 */
export type AgentEvent =
  | RunStartedEvent
  | RunCompletedEvent
  | RunFailedEvent
  | AgentStartedEvent
  | AgentCompletedEvent
  | AgentFailedEvent
  | AgentSkippedEvent
  | AgentNoteEvent
  | StepFailedEvent
  | HandoffRejectedEvent
  | FallbackEvent
  | ParallelSettledEvent
  | SideEffectEvent
  | CheckpointSavedEvent
  | CheckpointRestoredEvent
  | CheckpointCorruptEvent
  | SupervisorRestartEvent
  | SupervisorRecoveryActionEvent
  | SupervisorHealedEvent
  | SupervisorHealingFailedEvent
  | SupervisorEscalatedEvent;

/** The `type` of an {@link AgentEvent}. */
export type AgentEventType = AgentEvent['type'];

/** The diagnostics channel of each agent event type. */
export const agentEventChannels: Readonly<Record<AgentEventType, string>> = {
  'run-started': channelNames.agentRunStarted,
  'run-completed': channelNames.agentRunCompleted,
  'run-failed': channelNames.agentRunFailed,
  'agent-started': channelNames.agentStarted,
  'agent-completed': channelNames.agentCompleted,
  'agent-failed': channelNames.agentFailed,
  'agent-skipped': channelNames.agentSkipped,
  note: channelNames.agentNote,
  'step-failed': channelNames.agentStepFailed,
  'handoff-rejected': channelNames.agentHandoffRejected,
  fallback: channelNames.agentFallback,
  'parallel-settled': channelNames.agentParallelSettled,
  'side-effect': channelNames.agentSideEffect,
  'checkpoint-saved': channelNames.checkpointSaved,
  'checkpoint-restored': channelNames.checkpointRestored,
  'checkpoint-corrupt': channelNames.checkpointCorrupt,
  'supervisor-restart': channelNames.supervisorRestart,
  'supervisor-recovery-action': channelNames.supervisorRecoveryAction,
  'supervisor-healed': channelNames.supervisorHealed,
  'supervisor-healing-failed': channelNames.supervisorHealingFailed,
  'supervisor-escalated': channelNames.supervisorEscalated,
};

const emitters = new Map<string, Emitter<AgentEvent>>(
  Object.entries(agentEventChannels).map(([type, channel]) => [type, new Emitter(channel)]),
);
const all = new Emitter<AgentEvent>();

/** Publishes `event` to in-process listeners and its diagnostics channel. @internal */
export function publishAgentEvent(event: AgentEvent): void {
  if (all.active) all.emit(event);
  const emitter = emitters.get(event.type);
  if (emitter?.active === true) emitter.emit(event);
}

/**
 * Subscribes to every agent event of every run in this process (the diagnostics channels carry
 * the same events for observers that import nothing from faultline).
 *
 * @example
 * ```ts
 * using sub = onAgentEvent((e) => {
 *   if (e.type === 'supervisor-escalated') page(e.agent, e.error.message);
 * });
 * ```
 */
export const onAgentEvent: Event<AgentEvent> = all.event;
