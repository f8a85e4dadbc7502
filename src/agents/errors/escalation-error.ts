import { FaultlineError } from '../../core/index.ts';
import { codeGuard } from './code-guard.ts';

/**
 * A supervisor gave up healing an agent: its restarts failed `escalateAfter` times in a row. The
 * last failure is `cause`.
 */
export class EscalationError extends FaultlineError {
  override readonly name = 'EscalationError';
  /** The agent's path. */
  readonly agent: string;
  /** Consecutive failed healings that led to the escalation. */
  readonly failedHealings: number;

  constructor(agent: string, failedHealings: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'FL_ESCALATED',
      `supervisor escalated ${agent}: healing failed ${failedHealings} time(s) in a row (last error: ${reason})`,
      { cause },
    );
    this.agent = agent;
    this.failedHealings = failedHealings;
  }
}

/** True when `error` is an {@link EscalationError} (matched by code `FL_ESCALATED`). */
export const isEscalationError = codeGuard<EscalationError>('FL_ESCALATED');
