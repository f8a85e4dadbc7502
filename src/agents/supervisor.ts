import {
  assertFunction,
  assertInteger,
  assertNonNegativeNumber,
  assertProbability,
  assertRecord,
  Emitter,
  invalidOption,
  isAbortError,
  isBudgetExceededError,
  isInvalidOptionError,
  isLoopDetectedError,
  type Event,
} from '../core/index.ts';
import { internalContext, type RunContext } from './agent-context.ts';
import type {
  SupervisorEscalatedEvent,
  SupervisorHealedEvent,
  SupervisorHealingFailedEvent,
  SupervisorRecoveryActionEvent,
  SupervisorRestartEvent,
} from './agent-events.ts';
import { rootCause, summarizeError } from './error-summary.ts';
import { EscalationError, isEscalationError } from './errors/escalation-error.ts';
import { callAgent, markComposite } from './invoke.ts';
import type { AgentMessage } from './message.ts';
import type { Agent, AgentContext } from './types.ts';

/** What a recovery action is told. */
export interface RecoveryContext {
  /** The failing agent's path. */
  readonly agent: string;
  readonly runId: string;
  /** The failure that triggered the healing. */
  readonly error: unknown;
  /** The agent's success rate over the window (0..1). */
  readonly successRate: number;
  /** The run's signal. */
  readonly signal: AbortSignal;
}

/**
 * A user hook a supervisor runs to heal an agent whose success rate fell below the threshold:
 * clear a cache, reconnect a client, reset some state.
 */
export interface RecoveryAction {
  /** Names it in events and the healing log, e.g. `'clear-cache'`. */
  readonly name: string;
  run(context: RecoveryContext): void | PromiseLike<void>;
}

/** Every record of the healing log, in the order it happened. */
export type HealingRecord =
  | SupervisorRestartEvent
  | SupervisorRecoveryActionEvent
  | SupervisorHealedEvent
  | SupervisorHealingFailedEvent
  | SupervisorEscalatedEvent;

/** What a supervisor's `onEscalate` callback receives. */
export interface Escalation {
  readonly agent: string;
  readonly runId: string;
  /** Failed healings in a row. */
  readonly failedHealings: number;
  /** The last failure. */
  readonly error: unknown;
}

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  /**
   * Name in events and errors.
   * @default 'supervisor'
   */
  readonly name?: string;
  /**
   * Success rate (0..1) below which recovery actions run before a restart.
   * @default 0.8
   */
  readonly threshold?: number;
  /**
   * How many recent calls (every attempt counts) make up each agent's success rate.
   * @default 10
   */
  readonly window?: number;
  /**
   * Calls in the window before the rate is judged (recovery actions run only then).
   * @default 1
   */
  readonly minCalls?: number;
  /**
   * Restarts allowed within one call of the agent.
   * @default 3
   */
  readonly maxRestarts?: number;
  /**
   * Failed healings (a restart that failed again) in a row after which the supervisor stops
   * restarting, reports `supervisor-escalated`, calls `onEscalate` and throws an
   * {@link EscalationError}.
   * @default 3
   */
  readonly escalateAfter?: number;
  /**
   * Wait before each restart, in milliseconds of the run's clock.
   * @default 0
   */
  readonly restartDelayMs?: number;
  /**
   * Recovery actions run (in order) before a restart when the success rate is below the
   * threshold.
   * @default []
   */
  readonly recoveryActions?: readonly RecoveryAction[];
  /**
   * Which failures are worth a restart.
   * @default every error except aborts, exhausted budgets, detected loops, invalid options and
   * escalations (judged on the root cause); a corrupted output (rejected by the agent's output
   * schema) is restarted, and the restart rebuilds it from the agent's checkpoint
   */
  readonly shouldRestart?: (error: unknown) => boolean;
  /**
   * Called when the supervisor escalates (after the event); awaited, errors only warned about.
   * @default undefined
   */
  readonly onEscalate?: (escalation: Escalation) => void | PromiseLike<void>;
  /**
   * Records kept in {@link Supervisor.log} (the oldest are dropped).
   * @default 1000
   */
  readonly logLimit?: number;
}

/** Figures of a supervisor's healing so far. */
export interface SupervisorStats {
  readonly restarts: number;
  readonly healed: number;
  readonly failedHealings: number;
  readonly escalations: number;
  readonly recoveryActions: number;
}

/** The default `shouldRestart`. */
export function defaultShouldRestart(error: unknown): boolean {
  const root = rootCause(error);
  return !(
    isAbortError(root) ||
    isBudgetExceededError(root) ||
    isLoopDetectedError(root) ||
    isInvalidOptionError(root) ||
    isEscalationError(error)
  );
}

interface Window {
  readonly outcomes: boolean[];
  next: number;
  size: number;
  successes: number;
  failedHealings: number;
}

/**
 * Self-healing for agents. A supervised agent's every call (each attempt) is recorded in a
 * window per agent. When it fails with a restartable error, the supervisor heals it: if the
 * success rate is below the threshold it first runs the recovery actions, then restarts the
 * agent, which resumes from its latest checkpoint. A restart that fails again is a failed
 * healing; after `escalateAfter` in a row it escalates (event, callback, `EscalationError`).
 * Every step is an event (`supervisor-*`) and a record of {@link Supervisor.log}.
 *
 * One supervisor may watch several agents (and, shared, many runs: the window then spans them).
 *
 * @example
 * ```ts
 * const supervisor = new Supervisor({
 *   recoveryActions: [{ name: 'clear-cache', run: () => cache.clear() }],
 *   onEscalate: (e) => pager.notify(`${e.agent} keeps failing: ${String(e.error)}`),
 * });
 * const pipeline = sequential('orchestrator', [supervisor.supervise(product), supervisor.supervise(marketing)]);
 * ```
 */
export class Supervisor {
  readonly name: string;
  readonly threshold: number;
  readonly window: number;
  readonly minCalls: number;
  readonly maxRestarts: number;
  readonly escalateAfter: number;
  readonly restartDelayMs: number;
  readonly #actions: readonly RecoveryAction[];
  readonly #shouldRestart: (error: unknown) => boolean;
  readonly #onEscalate: ((escalation: Escalation) => void | PromiseLike<void>) | undefined;
  readonly #logLimit: number;
  readonly #windows = new Map<string, Window>();
  readonly #log: HealingRecord[] = [];
  readonly #emitter = new Emitter<HealingRecord>();
  #stats = { restarts: 0, healed: 0, failedHealings: 0, escalations: 0, recoveryActions: 0 };

  /** Every healing record as it happens (also in the run's journal and on the channels). */
  readonly onHealing: Event<HealingRecord> = this.#emitter.event;

  constructor(options: SupervisorOptions = {}) {
    assertRecord('Supervisor', 'options', options);
    const name = options.name ?? 'supervisor';
    if (typeof name !== 'string' || name === '') {
      invalidOption('Supervisor', 'name', name, 'a non-empty string');
    }
    this.name = name;
    this.threshold = assertProbability(name, 'threshold', options.threshold ?? 0.8);
    this.window = assertInteger(name, 'window', options.window ?? 10, 1);
    this.minCalls = assertInteger(name, 'minCalls', options.minCalls ?? 1, 1);
    if (this.minCalls > this.window) {
      invalidOption(name, 'minCalls', this.minCalls, `at most the window (${this.window})`);
    }
    this.maxRestarts = assertInteger(name, 'maxRestarts', options.maxRestarts ?? 3, 0);
    this.escalateAfter = assertInteger(name, 'escalateAfter', options.escalateAfter ?? 3, 1);
    this.restartDelayMs = assertNonNegativeNumber(
      name,
      'restartDelayMs',
      options.restartDelayMs ?? 0,
    );
    const actions = options.recoveryActions ?? [];
    if (!Array.isArray(actions)) {
      invalidOption(name, 'recoveryActions', actions, 'an array of { name, run }');
    }
    this.#actions = checkActions(name, 'recoveryActions', actions);
    this.#shouldRestart =
      options.shouldRestart === undefined
        ? defaultShouldRestart
        : assertFunction(name, 'shouldRestart', options.shouldRestart);
    this.#onEscalate =
      options.onEscalate === undefined
        ? undefined
        : assertFunction(name, 'onEscalate', options.onEscalate);
    this.#logLimit = assertInteger(name, 'logLimit', options.logLimit ?? 1000, 0);
  }

  /** The healing log, oldest first. */
  get log(): readonly HealingRecord[] {
    return this.#log;
  }

  /** Totals since the supervisor was created. */
  get stats(): SupervisorStats {
    return { ...this.#stats };
  }

  /** An agent's success rate over the window, or `undefined` before its first call. */
  successRate(agent: string): number | undefined {
    const w = this.#windows.get(agent);
    return w === undefined || w.size === 0 ? undefined : w.successes / w.size;
  }

  /**
   * Wraps `agent` so that this supervisor watches and heals it. `recoveryActions` given here
   * run after the supervisor's own, for this agent only.
   */
  supervise<I, O>(
    agent: Agent<I, O>,
    options: { readonly recoveryActions?: readonly RecoveryAction[] } = {},
  ): Agent<I, O> {
    if (typeof (agent as Partial<Agent> | null)?.process !== 'function') {
      invalidOption(`${this.name}.supervise`, 'agent', agent, 'an Agent ({ name, process })');
    }
    const actions = [
      ...this.#actions,
      ...checkActions(this.name, 'supervise.recoveryActions', options.recoveryActions ?? []),
    ];
    const supervised: Agent<I, O> = {
      name: agent.name,
      ...(agent.input === undefined ? {} : { input: agent.input }),
      ...(agent.output === undefined ? {} : { output: agent.output }),
      process: (message: AgentMessage<I>, context: AgentContext) =>
        this.#process(agent, actions, message, internalContext(context, `${agent.name}.process`)),
    };
    return markComposite(supervised);
  }

  async #process<I, O>(
    agent: Agent<I, O>,
    actions: readonly RecoveryAction[],
    message: AgentMessage<I>,
    ctx: RunContext,
  ): Promise<AgentMessage<O>> {
    const path = ctx.agent;
    const window = this.#windowOf(path);
    let restarts = 0;
    let firstFailureAt = 0;
    for (;;) {
      const attempt =
        restarts === 0
          ? ctx
          : ctx.withAttempt({ signal: ctx.signal, attempt: ctx.attempt + restarts });
      try {
        const output = await callAgent(agent, message, attempt);
        this.#record(window, true);
        if (restarts > 0) {
          window.failedHealings = 0;
          this.#stats.healed++;
          this.#emit(ctx, {
            type: 'supervisor-healed',
            supervisor: this.name,
            restarts,
            recoveryMs: ctx.clock.now() - firstFailureAt,
          });
        }
        return output;
      } catch (error) {
        this.#record(window, false);
        if (ctx.signal.aborted || !this.#shouldRestart(error)) throw error;
        if (restarts === 0) firstFailureAt = ctx.clock.now();
        else {
          window.failedHealings++;
          this.#stats.failedHealings++;
          this.#emit(ctx, {
            type: 'supervisor-healing-failed',
            supervisor: this.name,
            restarts,
            consecutive: window.failedHealings,
            error: summarizeError(error),
          });
          if (window.failedHealings >= this.escalateAfter) {
            throw await this.#escalate(ctx, window, error);
          }
        }
        if (restarts >= this.maxRestarts) throw error;
        restarts++;
        await this.#heal(ctx, window, actions, error, restarts);
      }
    }
  }

  async #heal(
    ctx: RunContext,
    window: Window,
    actions: readonly RecoveryAction[],
    error: unknown,
    restart: number,
  ): Promise<void> {
    const successRate = window.successes / window.size;
    if (window.size >= this.minCalls && successRate < this.threshold) {
      for (const action of actions) {
        this.#stats.recoveryActions++;
        try {
          await action.run({
            agent: ctx.agent,
            runId: ctx.runId,
            error,
            successRate,
            signal: ctx.signal,
          });
          this.#emit(ctx, {
            type: 'supervisor-recovery-action',
            supervisor: this.name,
            action: action.name,
            ok: true,
          });
        } catch (actionError) {
          this.#emit(ctx, {
            type: 'supervisor-recovery-action',
            supervisor: this.name,
            action: action.name,
            ok: false,
            error: summarizeError(actionError),
          });
        }
      }
    }
    const latest = await ctx.checkpoint.latest();
    this.#stats.restarts++;
    this.#emit(ctx, {
      type: 'supervisor-restart',
      supervisor: this.name,
      restart,
      reason: summarizeError(error),
      successRate,
      fromCheckpoint:
        latest === undefined || latest.reason === 'completed'
          ? undefined
          : { seq: latest.seq, progress: latest.progress },
    });
    if (this.restartDelayMs > 0) await ctx.clock.sleep(this.restartDelayMs, ctx.signal);
  }

  async #escalate(ctx: RunContext, window: Window, error: unknown): Promise<EscalationError> {
    const failedHealings = window.failedHealings;
    window.failedHealings = 0;
    this.#stats.escalations++;
    this.#emit(ctx, {
      type: 'supervisor-escalated',
      supervisor: this.name,
      failedHealings,
      error: summarizeError(error),
    });
    if (this.#onEscalate !== undefined) {
      try {
        await this.#onEscalate({ agent: ctx.agent, runId: ctx.runId, failedHealings, error });
      } catch (callbackError) {
        process.emitWarning(
          `faultline: ${this.name}.onEscalate threw: ${callbackError instanceof Error ? callbackError.message : String(callbackError)}`,
          { code: 'FL_LISTENER_ERROR' },
        );
      }
    }
    return new EscalationError(ctx.agent, failedHealings, error);
  }

  #emit(ctx: RunContext, record: DistributiveOmit<HealingRecord>): void {
    ctx.emit(record);
    const time = ctx.clock.now();
    const full = {
      runId: ctx.runId,
      agent: ctx.agent,
      time,
      elapsedMs: time - ctx.runtime.startedAt,
      ...record,
    } as HealingRecord;
    if (this.#logLimit > 0) {
      this.#log.push(full);
      if (this.#log.length > this.#logLimit) this.#log.shift();
    }
    if (this.#emitter.active) this.#emitter.emit(full);
  }

  #windowOf(agent: string): Window {
    let w = this.#windows.get(agent);
    if (w === undefined) {
      w = { outcomes: [], next: 0, size: 0, successes: 0, failedHealings: 0 };
      this.#windows.set(agent, w);
    }
    return w;
  }

  #record(w: Window, ok: boolean): void {
    if (w.size === this.window) {
      if (w.outcomes[w.next] === true) w.successes--;
    } else {
      w.size++;
    }
    w.outcomes[w.next] = ok;
    if (ok) w.successes++;
    w.next = (w.next + 1) % this.window;
  }
}

type DistributiveOmit<E> = E extends HealingRecord
  ? Omit<E, 'runId' | 'agent' | 'time' | 'elapsedMs'>
  : never;

function checkActions(
  owner: string,
  option: string,
  actions: readonly RecoveryAction[],
): readonly RecoveryAction[] {
  actions.forEach((action, i) => {
    const a = action as Partial<RecoveryAction> | null;
    if (
      typeof a !== 'object' ||
      a === null ||
      typeof a.name !== 'string' ||
      typeof a.run !== 'function'
    ) {
      invalidOption(owner, `${option}[${i}]`, action, 'a recovery action { name, run }');
    }
  });
  return actions;
}
