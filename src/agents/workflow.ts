import type { Clock, Random } from '../core/index.ts';
import type { AgentEvent } from './agent-events.ts';
import type { AgentErrorSummary } from './error-summary.ts';

/**
 * What a runner (a campaign, a scenario, a test) hands to each run of a {@link Workflow}: the
 * shared clock, the run's own random stream (from its seed), its id, and a signal to stop it.
 */
export interface WorkflowRunContext {
  /**
   * The clock; a campaign's one `VirtualClock` is shared by all its concurrent runs.
   * @default realClock
   */
  readonly clock?: Clock;
  /**
   * The run's randomness, e.g. `createRandom(campaignSeed).fork('run-' + i)`; everything random
   * in the run forks it, so the run replays from its seed.
   * @default randomSeeded()
   */
  readonly random?: Random;
  /**
   * The run's id (names checkpoints, messages, events).
   * @default derived from `random.seed`
   */
  readonly runId?: string;
  /**
   * Stops the run (the result then reports the abort reason as its error).
   * @default undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Called with every agent event of the run as it happens.
   * @default undefined
   */
  readonly onEvent?: (event: AgentEvent) => void;
}

/** What every run of a {@link Workflow} reports. */
export interface WorkflowRunResult {
  readonly runId: string;
  /** The seed of the run's random stream: replay with `createRandom(seed)`. */
  readonly seed: string;
  readonly status: 'completed' | 'failed';
  /** Failed with an error nothing handled (as opposed to a graceful, explained failure). */
  readonly crashed: boolean;
  /** Completed, but a fallback answered somewhere. */
  readonly degraded: boolean;
  /** The error when failed. */
  readonly error: AgentErrorSummary | undefined;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly durationMs: number;
  /** Every agent event of the run, in order. */
  readonly events: readonly AgentEvent[];
  /** The events as JSON lines without absolute times: identical when the seed is replayed. */
  journal(): string;
}

/**
 * An agent system a runner can execute many times: one `run` per input and context, never
 * rejecting for a failure of the system itself (that is a result), independent of every other
 * run so that many can share one virtual clock. The reference implementation is the
 * e-commerce example's `createEcommerceWorkflow`.
 */
export interface Workflow<I = unknown, R extends WorkflowRunResult = WorkflowRunResult> {
  run(input: I, context?: WorkflowRunContext): Promise<R>;
}
