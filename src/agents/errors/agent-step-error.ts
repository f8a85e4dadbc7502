import { FaultlineError } from '../../core/index.ts';
import { codeGuard } from './code-guard.ts';
import type { AgentMessage } from '../message.ts';

/**
 * A step of a `sequential` composition failed, so the sequence stopped there (fail-fast). Says
 * which step (index and agent), in which phase (the hand-off to it, or its own work), and
 * carries the outputs of the steps that completed before it. The original error is `cause`.
 */
export class AgentStepError extends FaultlineError {
  override readonly name = 'AgentStepError';
  /** The sequence's name. */
  readonly sequence: string;
  /** The failed step's index (0-based). */
  readonly step: number;
  /** The failed step's agent name. */
  readonly agent: string;
  /** `'handoff'`: the message to the step was rejected; `'process'`: the step itself failed. */
  readonly phase: 'handoff' | 'process';
  /** Outputs of the steps that completed, in order (partial results). */
  readonly completed: readonly AgentMessage[];

  constructor(
    sequence: string,
    step: number,
    agent: string,
    phase: 'handoff' | 'process',
    completed: readonly AgentMessage[],
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const where = phase === 'handoff' ? `the hand-off to step ${step + 1}` : `step ${step + 1}`;
    super('FL_AGENT_STEP_FAILED', `${sequence}: ${where} (${agent}) failed: ${reason}`, {
      cause,
    });
    this.sequence = sequence;
    this.step = step;
    this.agent = agent;
    this.phase = phase;
    this.completed = completed;
  }
}

/** True when `error` is an {@link AgentStepError} (matched by code `FL_AGENT_STEP_FAILED`). */
export const isAgentStepError = codeGuard<AgentStepError>('FL_AGENT_STEP_FAILED');
