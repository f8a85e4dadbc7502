import { FaultlineError } from '../../core/index.ts';
import { codeGuard } from './code-guard.ts';
import type { BranchResult } from '../parallel.ts';

/**
 * Too few branches of a `parallel` composition succeeded. Carries every branch's result or
 * error (the partial results); `cause` is the first branch error.
 */
export class ParallelQuorumError extends FaultlineError {
  override readonly name = 'ParallelQuorumError';
  /** The composition's name. */
  readonly agent: string;
  /** Branches that had to succeed. */
  readonly required: number;
  /** Branches that did. */
  readonly succeeded: number;
  /** Every branch's outcome, in branch order. */
  readonly results: readonly BranchResult[];

  constructor(agent: string, required: number, results: readonly BranchResult[]) {
    const succeeded = results.filter((r) => r.status === 'fulfilled').length;
    const failed = results
      .filter((r) => r.status === 'rejected')
      .map((r) => `${r.agent}: ${r.error instanceof Error ? r.error.message : String(r.error)}`);
    super(
      'FL_PARALLEL_QUORUM',
      `${agent}: ${succeeded} of ${results.length} branches succeeded, ${required} required (${failed.join('; ')})`,
      { cause: results.find((r) => r.status === 'rejected')?.error },
    );
    this.agent = agent;
    this.required = required;
    this.succeeded = succeeded;
    this.results = results;
  }
}

/** True when `error` is a {@link ParallelQuorumError} (matched by code `FL_PARALLEL_QUORUM`). */
export const isParallelQuorumError = codeGuard<ParallelQuorumError>('FL_PARALLEL_QUORUM');
