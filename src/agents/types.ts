import type { z } from 'zod';
import type { Clock, Random } from '../core/index.ts';
import type { Checkpoint } from './checkpoint/types.ts';
import type { AgentMessage } from './message.ts';

/**
 * The one contract every agent implements: a name, and `process`, which turns a message into a
 * message. Anything can be wrapped as an agent (an LLM loop, a tool call, a whole workflow);
 * compositions (`sequential`, `parallel`, `fallbackAgents`), per-agent policies
 * (`withPolicies`) and supervisors (`Supervisor.supervise`) are agents too.
 *
 * @example
 * ```ts
 * const greeter: Agent<{ name: string }, { text: string }> = {
 *   name: 'greeter',
 *   input: z.object({ name: z.string() }),
 *   async process(message, context) {
 *     return context.message('greeting', { text: `Hello, ${message.payload.name}` });
 *   },
 * };
 * ```
 */
export interface Agent<I = unknown, O = unknown> {
  /** Unique among its siblings; names its injection site (`agent:<name>`) and checkpoints. */
  readonly name: string;
  /**
   * Does the agent's work. Use `context.signal` for cancellation, `context.clock` and
   * `context.random` for time and chance, `context.checkpoint` to save and restore state, and
   * `context.sideEffect` for anything that must not happen twice.
   */
  process(message: AgentMessage<I>, context: AgentContext): Promise<AgentMessage<O>>;
  /**
   * Schema of the payload the agent accepts: hand-offs to it are validated against it, and a
   * message that does not match is rejected with a `HandoffValidationError`.
   * @default undefined (any payload)
   */
  readonly input?: z.ZodType<I>;
  /**
   * Schema of the payload it produces, checked after each call (so a retry or restart can
   * replace a corrupted output) before the output is checkpointed or handed on.
   * @default undefined (not checked)
   */
  readonly output?: z.ZodType<O>;
}

/** Options of {@link AgentContext.message}. */
export interface MessageOptions {
  /**
   * The receiving agent's name.
   * @default the sender of the message being answered, else `'caller'`
   */
  readonly to?: string;
  /**
   * The message this one answers.
   * @default undefined
   */
  readonly correlationId?: string;
  /**
   * Annotations (JSON).
   * @default undefined
   */
  readonly meta?: AgentMessage['meta'];
}

/** Options of {@link CheckpointHandle.save}. */
export interface SaveCheckpointOptions {
  /**
   * Why: `progress` (a step done), `risky` (before a risky operation) or `interval`.
   * @default 'progress'
   */
  readonly reason?: 'progress' | 'risky' | 'interval';
  /**
   * Names a risky operation.
   * @default undefined
   */
  readonly label?: string;
}

/**
 * An agent's checkpoints in the current run, stored under its path (`orchestrator/product`).
 * Agents save their state as they go and, when restarted, `load()` it to skip done work.
 */
export interface CheckpointHandle {
  /** The store key: the agent's path. */
  readonly key: string;
  /**
   * The state to resume from: the agent's latest valid checkpoint (corrupt ones are reported and
   * skipped, falling back to the previous), or `undefined` when there is none or the latest
   * records a completed task (a new task starts fresh). Reports `checkpoint-restored`.
   */
  load<S = unknown>(): Promise<Checkpoint<S> | undefined>;
  /** Saves `state` (any JSON value) now. */
  save<S>(state: S, options?: SaveCheckpointOptions): Promise<Checkpoint<S>>;
  /**
   * Saves `state` with reason `risky`, then runs `operation`: if it brings the agent down, the
   * restart resumes from just before it.
   */
  beforeRisky<T>(label: string, state: unknown, operation: () => Promise<T>): Promise<T>;
  /**
   * Saves `state` with reason `interval` if the run's checkpoint interval has passed (on the
   * run's clock) since this agent's last save; resolves whether it saved.
   */
  tick(state: unknown): Promise<boolean>;
  /**
   * Another agent's latest checkpoint in this run (peer context), e.g. a backup agent reusing
   * the primary's draft. `agent` is a path (`orchestrator/marketing`) or a sibling's name.
   * Reports `checkpoint-restored` with `peer: true`.
   */
  peer<S = unknown>(agent: string): Promise<Checkpoint<S> | undefined>;
  /** This agent's latest valid checkpoint of any reason, without reporting a restore. */
  latest(): Promise<Checkpoint | undefined>;
}

/**
 * What an agent gets with each message: cancellation, injected time and randomness, the run's
 * identity, its checkpoints, an idempotent side-effect helper, and ways to report. Contexts are
 * created by `runAgent` and passed down by compositions; the same context type works for one
 * agent or thousands of concurrent runs on one virtual clock.
 */
export interface AgentContext {
  /** Aborts when the run, a timeout or a policy gives up on this call. */
  readonly signal: AbortSignal;
  /** The run's clock (a `VirtualClock` in simulations). */
  readonly clock: Clock;
  /** This agent's random stream: a fork of the run's by the agent's path. */
  readonly random: Random;
  /** The run's id (also every message's `runId`). */
  readonly runId: string;
  /** The agent's path in the run, e.g. `orchestrator/product`. */
  readonly agent: string;
  /** The agent's own name (the last part of `agent`). */
  readonly name: string;
  /** 1 on the first attempt; retries and supervisor restarts count up. */
  readonly attempt: number;
  /** This agent's checkpoints. */
  readonly checkpoint: CheckpointHandle;
  /**
   * Runs `effect` at most once per run for `key`: when the run's idempotency ledger already
   * records `key` (say, before a crash), returns the recorded result without running it again.
   * `effect` receives an idempotency key (`<runId>:<key>`) to pass on to the service, which
   * covers the gap between the effect and its record. The result must be JSON.
   */
  sideEffect<T>(key: string, effect: (idempotencyKey: string) => T | PromiseLike<T>): Promise<T>;
  /**
   * Reports progress (0..1). With `state`, also checkpoints it when the run's interval is due.
   * A `crash` fault set to N% progress fires here (that is how "crash at 50%" reaches the agent).
   */
  progress(fraction: number, state?: unknown): Promise<void>;
  /** Adds a note to the run's journal (event `note`). */
  report(note: string, data?: unknown): void;
  /** Creates a message from this agent, stamped with a run-unique id and the clock's time. */
  message<P>(type: string, payload: P, options?: MessageOptions): AgentMessage<P>;
  /**
   * Runs `agent` as a child of this one (path `<this>/<agent.name>`): skipped if its output for
   * this message is already checkpointed, otherwise run and its output checkpointed. This is
   * what compositions use; write your own orchestrators with it.
   */
  invoke<I, O>(agent: Agent<I, O>, message: AgentMessage<I>): Promise<AgentMessage<O>>;
}
