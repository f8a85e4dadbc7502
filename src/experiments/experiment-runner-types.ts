import type { Clock } from '../core/index.ts';
import type { ChaosConfig, Fault, KillSwitchTrigger } from '../faults/index.ts';
import type { MetricsFigures, MetricsSummary } from '../metrics/index.ts';
import type { ObservedBehaviour } from './experiment-expectations.ts';
import type { Experiment, ExperimentTime } from './experiment-schema.ts';

/**
 * The three batches of workflow runs an experiment makes: the steady state measured before the
 * method (no faults), the method (faults injected), the steady state measured after it (no
 * faults: has the system come back?).
 */
export type ExperimentPhase = 'steady-state-before' | 'method' | 'steady-state-after';

/**
 * How an experiment ended, in Chaos Toolkit's terms (the reports' `ExperimentStatus`):
 * `completed` (the steady state held after the method), `deviated` (it did not), `skipped` (it
 * did not hold before, so the method did not run), `aborted` (the kill switch stopped it),
 * `failed` (the runner could not carry it out: a batch threw, a toxic could not be added, ...).
 */
export type ExperimentRunStatus = 'completed' | 'deviated' | 'skipped' | 'aborted' | 'failed';

/**
 * The chaos of each run of the method: a chaos config without what the batch sets per run
 * (`enabled`, the run's `seed`, the scope's `name`, the `clock`). Its faults are created faults
 * that fire only inside their action's window (see `InjectionTiming`).
 */
export type BatchChaos = Omit<ChaosConfig, 'enabled' | 'seed' | 'random' | 'name' | 'clock'>;

/** An MCP fault of the method, for the system's MCP chaos proxies. */
export interface McpFaultInjection {
  /** The method action it comes from. */
  readonly action: string;
  /** The MCP server (proxy) it applies to; `undefined` for every one the system has. */
  readonly server: string | undefined;
  /**
   * The fault, windowed on the method's timeline: add it to that proxy's chaos config (its
   * `faults`) for the method.
   */
  readonly fault: Fault;
}

/** Where a batch is, after each run. */
export interface BatchProgress {
  readonly runsDone: number;
  readonly runsPlanned: number;
  /** Runs so far whose workflow failed. */
  readonly runsFailed: number;
}

/**
 * One batch of workflow runs the runner asks for: the system runs `runs` runs seeded from
 * `seed`, each under `chaos` (when given), on `clock`, and reports progress after each run.
 */
export interface ExperimentBatch {
  readonly experiment: Experiment;
  readonly phase: ExperimentPhase;
  /** Runs to make. */
  readonly runs: number;
  /** The batch's seed: run `i` must derive its own seed from it, the phase and `i`. */
  readonly seed: string;
  /** Chaos for every run of the method; `undefined` in the steady-state phases (no faults). */
  readonly chaos: BatchChaos | undefined;
  /** MCP faults of the method (empty in the steady-state phases). */
  readonly mcpFaults: readonly McpFaultInjection[];
  /** The experiment's `configuration`: settings for the system. */
  readonly configuration: Readonly<Record<string, unknown>>;
  /** Virtual or real time. */
  readonly time: ExperimentTime;
  /**
   * The clock to run on: experiment-scoped fault windows are times on it. In virtual time it is a
   * `VirtualClock` the batch drives (e.g. with `clock.run(work)`).
   */
  readonly clock: Clock;
  /**
   * Aborts when the kill switch trips (or the user stops the experiment): start no more runs,
   * cancel the ones in flight, and settle.
   */
  readonly signal: AbortSignal;
  /** Call after each run. */
  readonly onProgress: (progress: BatchProgress) => void;
}

/** What a batch hands back. */
export interface ExperimentBatchResult {
  /** The batch's metrics; the steady-state probes read `summary.campaign`. */
  readonly summary: MetricsSummary;
  /**
   * What the runs showed, to judge the expected-behaviour lines and success criteria (e.g. the
   * worst detection time, the most retries in a run, a representative error message).
   * @default derived from `summary` where it can be (detection time, crashes), else not measured
   */
  readonly observed?: ObservedBehaviour | undefined;
  /**
   * Whatever the batch wants kept in the experiment's journal (failing runs and their seeds,
   * say). Must be JSON.
   * @default undefined
   */
  readonly journal?: unknown;
}

/**
 * Runs one batch of workflow runs of the system under test: how the runner reaches the system.
 * The CLI wires it to the campaign runner.
 */
export type RunBatch = (batch: ExperimentBatch) => Promise<ExperimentBatchResult>;

/** What a registered steady-state probe reads. */
export interface ProbeContext {
  readonly experiment: Experiment;
  readonly phase: ExperimentPhase;
  /** The probe's `args` from the experiment file. */
  readonly args: Readonly<Record<string, unknown>>;
  /** The batch's figures (`summary.campaign`). */
  readonly figures: MetricsFigures;
  readonly summary: MetricsSummary;
}

/**
 * A steady-state probe the system registers: the measured value (a number in the probe's unit,
 * or a boolean), or `null` when there is nothing to measure.
 */
export type RegisteredProbe = (
  context: ProbeContext,
) => number | boolean | null | Promise<number | boolean | null>;

/** What a registered rollback action gets. */
export interface RollbackContext {
  readonly experiment: Experiment;
  /** The action's `args` from the experiment file. */
  readonly args: Readonly<Record<string, unknown>>;
}

/** A rollback action the system registers: restores something to normal. */
export type RegisteredRollback = (context: RollbackContext) => void | Promise<void>;

/** The kill switch tripped: injection stopped and normal operation is being restored. */
export interface ExperimentAlert {
  readonly experiment: string;
  /** The experiment run's id. */
  readonly runId: string;
  readonly trigger: KillSwitchTrigger;
  readonly detail: string;
  readonly phase: ExperimentPhase | undefined;
  /** Milliseconds since the experiment started, on its clock. */
  readonly atMs: number;
}

/** Where an experiment is: for progress bars. */
export interface ExperimentProgress {
  readonly phase: ExperimentPhase;
  readonly runsDone: number;
  readonly runsPlanned: number;
  readonly runsFailed: number;
}

/** The part of the proxy client the runner uses (a `ProxyClient` fits). */
export interface ToxicClient {
  addToxic(
    proxy: string,
    input: {
      type: string;
      name: string;
      stream: string;
      toxicity: number;
      attributes: Record<string, unknown>;
    },
  ): Promise<unknown>;
  removeToxic(proxy: string, name: string): Promise<void>;
  toxics(proxy: string): Promise<readonly { readonly name: string }[]>;
  reset(): Promise<void>;
}
