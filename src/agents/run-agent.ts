import {
  abortReason,
  assertFunction,
  assertPositiveNumber,
  invalidOption,
  neverAbortedSignal,
  onAbort,
  randomSeeded,
  realClock,
  type Clock,
  type Random,
} from '../core/index.ts';
import { RunContext } from './agent-context.ts';
import type { AgentEvent } from './agent-events.ts';
import { MemoryCheckpointStore } from './checkpoint/memory-checkpoint-store.ts';
import type { CheckpointStore } from './checkpoint/types.ts';
import { summarizeError, type AgentErrorSummary } from './error-summary.ts';
import { IdempotencyLedger } from './idempotency-ledger.ts';
import { invokeAgent } from './invoke.ts';
import type { AgentMessage } from './message.ts';
import { recordEvent, type RunRuntime } from './run-runtime.ts';
import type { Agent } from './types.ts';

/** Options of {@link runAgent}. */
export interface RunAgentOptions {
  /**
   * The run's id: names its checkpoints, messages and events. Reusing the id of a run that
   * failed, with the same store, resumes it: completed agents are skipped, recorded side effects
   * are not repeated.
   * @default `run-<random.seed>`
   */
  readonly runId?: string;
  /**
   * Source of time; pass the campaign's `VirtualClock` in simulations.
   * @default realClock
   */
  readonly clock?: Clock;
  /**
   * The run's randomness; every agent gets a fork by its path.
   * @default randomSeeded()
   */
  readonly random?: Random;
  /**
   * Aborting it cancels the run (the result reports the abort reason as its error).
   * @default undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Where checkpoints and the idempotency ledger are kept.
   * @default a new MemoryCheckpointStore (so nothing survives the run)
   */
  readonly checkpoints?: CheckpointStore;
  /**
   * Interval of time-based checkpoints (`context.checkpoint.tick`, `context.progress(f, state)`),
   * in milliseconds of the run's clock.
   * @default 300_000 (5 minutes)
   */
  readonly checkpointIntervalMs?: number;
  /**
   * The input message's `type`.
   * @default 'task'
   */
  readonly messageType?: string;
  /**
   * Keep the run's events in the result's `events`.
   * @default true
   */
  readonly journal?: boolean;
  /**
   * Called with every event of this run as it happens.
   * @default undefined
   */
  readonly onEvent?: (event: AgentEvent) => void;
}

/** What {@link runAgent} resolves with; it rejects only for invalid options. */
export interface AgentRunResult<O = unknown> {
  readonly runId: string;
  readonly status: 'completed' | 'failed';
  /** The output message, when completed. */
  readonly output: AgentMessage<O> | undefined;
  /** The error, when failed (an abort's reason when the signal aborted). */
  readonly error: unknown;
  /** The error as JSON, when failed. */
  readonly errorSummary: AgentErrorSummary | undefined;
  /** `clock.now()` at the start and the end. */
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly durationMs: number;
  /** Every event of the run, in order (empty with `journal: false`). */
  readonly events: readonly AgentEvent[];
}

/**
 * Runs an agent (usually a composition) as one run: creates the run's context (clock, random,
 * run id, checkpoints, idempotency ledger), sends it `payload` as a message from `caller`, and
 * reports how it went. Runs are independent: many can share one `VirtualClock` concurrently.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const result = await clock.run(
 *   runAgent(sequential('pipeline', [research, write]), { topic: 'tides' }, {
 *     runId: 'run-1', clock, random: createRandom(1),
 *   }),
 * );
 * if (result.status === 'failed') console.log(result.errorSummary?.message);
 * ```
 */
export async function runAgent<I, O>(
  agent: Agent<I, O>,
  payload: I,
  options: RunAgentOptions = {},
): Promise<AgentRunResult<O>> {
  const owner = 'runAgent';
  if (typeof (agent as Partial<Agent> | null)?.process !== 'function') {
    invalidOption(owner, 'agent', agent, 'an Agent ({ name, process })');
  }
  const clock = options.clock ?? realClock;
  const random = options.random ?? randomSeeded();
  const runId = options.runId ?? `run-${random.seed}`;
  if (typeof runId !== 'string' || runId === '') {
    invalidOption(owner, 'runId', runId, 'a non-empty string');
  }
  const intervalMs = assertPositiveNumber(
    owner,
    'checkpointIntervalMs',
    options.checkpointIntervalMs ?? 300_000,
  );
  const onEvent =
    options.onEvent === undefined ? undefined : assertFunction(owner, 'onEvent', options.onEvent);
  const store = options.checkpoints ?? new MemoryCheckpointStore();
  const startedAt = clock.now();
  const journal: AgentEvent[] | undefined = options.journal === false ? undefined : [];
  const ledger = new IdempotencyLedger({
    store,
    runId,
    clock,
    onCorrupt: (error) => {
      root.emit({
        type: 'checkpoint-corrupt',
        key: error.key,
        seq: error.seq,
        detail: error.detail,
      });
    },
  });
  const runtime: RunRuntime = {
    runId,
    clock,
    random,
    store,
    ledger,
    startedAt,
    checkpointIntervalMs: intervalMs,
    journal,
    onEvent,
    messages: 0,
  };
  const signal = options.signal ?? neverAbortedSignal;
  const root = RunContext.root(runtime, signal);
  const input = root.message(options.messageType ?? 'task', payload, { to: agent.name });
  recordEvent(runtime, {
    type: 'run-started',
    runId,
    agent: agent.name,
    time: startedAt,
    elapsedMs: 0,
  });
  const finish = (
    status: 'completed' | 'failed',
    output: AgentMessage<O> | undefined,
    error: unknown,
  ): AgentRunResult<O> => {
    const finishedAt = clock.now();
    const durationMs = finishedAt - startedAt;
    const errorSummary = status === 'failed' ? summarizeError(error) : undefined;
    const base = { runId, agent: agent.name, time: finishedAt, elapsedMs: durationMs };
    recordEvent(
      runtime,
      errorSummary === undefined
        ? { type: 'run-completed', ...base, durationMs }
        : { type: 'run-failed', ...base, durationMs, error: errorSummary },
    );
    return {
      runId,
      status,
      output,
      error,
      errorSummary,
      startedAt,
      finishedAt,
      durationMs,
      events: journal ?? [],
    };
  };
  try {
    if (signal.aborted) throw abortReason(signal);
    const work = invokeAgent(agent, input, root);
    const output = await (options.signal === undefined ? work : abortable(work, signal));
    return finish('completed', output, undefined);
  } catch (error) {
    return finish('failed', undefined, error);
  }
}

/** Settles with `work`, or rejects with the abort reason as soon as `signal` aborts. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const remove = onAbort(signal, () => {
      reject(abortReason(signal));
    });
    work.then(
      (value) => {
        remove();
        resolve(value);
      },
      (error: unknown) => {
        remove();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
        reject(error);
      },
    );
  });
}
