import { FaultlineError, type FaultlineErrorOptions } from '../../core/index.ts';

/** Thrown by a `crash` fault: the agent (or operation) died mid-task. */
export class AgentCrashError extends FaultlineError {
  override readonly name = 'AgentCrashError';
  /** The operation that crashed. */
  readonly operation: string;
  /** The agent that crashed, when the call named one. */
  readonly agent: string | undefined;
  /** How far the work had got (0..1) when it crashed; 0 for a crash before it started. */
  readonly progress: number;

  constructor(
    message: string,
    details: { operation: string; agent?: string | undefined; progress?: number },
    options: FaultlineErrorOptions = {},
  ) {
    super('FL_AGENT_CRASH', message, options);
    this.operation = details.operation;
    this.agent = details.agent;
    this.progress = details.progress ?? 0;
  }
}

/** True when `error` is an {@link AgentCrashError} (matched by code `FL_AGENT_CRASH`). */
export function isAgentCrashError(error: unknown): error is AgentCrashError {
  return error instanceof Error && (error as Error & { code?: unknown }).code === 'FL_AGENT_CRASH';
}
