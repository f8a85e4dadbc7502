import { FaultlineError } from '../../core/index.ts';
import { codeGuard } from './code-guard.ts';

/** One agent's failure inside a fallback composition. */
export interface AgentFailure {
  readonly agent: string;
  readonly error: unknown;
}

/**
 * Every agent of a `fallbackAgents` composition failed. `failures` lists each one's error in
 * the order they were tried; `cause` is the last.
 */
export class AllAgentsFailedError extends FaultlineError {
  override readonly name = 'AllAgentsFailedError';
  /** The composition's name. */
  readonly agent: string;
  readonly failures: readonly AgentFailure[];

  constructor(agent: string, failures: readonly AgentFailure[]) {
    const reasons = failures.map(
      (f) => `${f.agent}: ${f.error instanceof Error ? f.error.message : String(f.error)}`,
    );
    super('FL_ALL_AGENTS_FAILED', `${agent}: every agent failed (${reasons.join('; ')})`, {
      cause: failures.at(-1)?.error,
    });
    this.agent = agent;
    this.failures = failures;
  }
}

/** True when `error` is an {@link AllAgentsFailedError} (matched by code `FL_ALL_AGENTS_FAILED`). */
export const isAllAgentsFailedError = codeGuard<AllAgentsFailedError>('FL_ALL_AGENTS_FAILED');
