import type { Clock, Random } from '../core/index.ts';
import { publishAgentEvent, type AgentEvent } from './agent-events.ts';
import type { CheckpointStore } from './checkpoint/types.ts';
import type { IdempotencyLedger } from './idempotency-ledger.ts';

/** What one run shares between all its agents' contexts. @internal */
export interface RunRuntime {
  readonly runId: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly store: CheckpointStore;
  readonly ledger: IdempotencyLedger;
  readonly startedAt: number;
  readonly checkpointIntervalMs: number;
  readonly journal: AgentEvent[] | undefined;
  readonly onEvent: ((event: AgentEvent) => void) | undefined;
  /** Messages created so far (ids are counted, so they replay). */
  messages: number;
}

/** Journals, forwards and publishes an event of the run. @internal */
export function recordEvent(runtime: RunRuntime, event: AgentEvent): void {
  runtime.journal?.push(event);
  if (runtime.onEvent !== undefined) {
    try {
      runtime.onEvent(event);
    } catch (error) {
      process.emitWarning(
        `faultline: an agent event listener threw: ${error instanceof Error ? error.message : String(error)}`,
        { code: 'FL_LISTENER_ERROR' },
      );
    }
  }
  publishAgentEvent(event);
}
