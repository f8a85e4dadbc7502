import { onAbort } from '../core/index.ts';
import { resolveChaosConfig, type ChaosConfig, type ResolvedChaosConfig } from './config.ts';
import { ambient, frameStorage, type OperationFrame } from './frames.ts';
import {
  describeInjection,
  summariseError,
  type InjectionRecord,
  type JournalEntry,
  type KillSwitchTrigger,
  type StopReason,
} from './journal.ts';
import { invalid } from './spec-reader.ts';
import { ChaosScope } from './scope.ts';
import type { ErrorSummary } from './types.ts';

/** What the test function gets for each operation. */
export interface ChaosTestContext {
  /** 0, 1, 2, ... */
  readonly iteration: number;
  /** The run's scope (seed, journal, kill switch). */
  readonly scope: ChaosScope;
  /** Aborts when the run's signal does. */
  readonly signal: AbortSignal;
}

/** Options of {@link ChaosEngine.runChaosTest}. */
export interface ChaosTestOptions<T> {
  /**
   * How many times to run the test function; each run is one operation.
   * @default 1
   */
  readonly iterations?: number;
  /**
   * Whether an operation that returned `result` succeeded (return `false` for a graceful
   * failure, e.g. a degraded answer): its injections then count as failed recoveries, but it
   * is not a crash.
   * @default every returned result is a success
   */
  readonly isSuccess?: (result: T) => boolean;
  /**
   * Stops the run (and injection) when it aborts; `runChaosTest` then rejects with its reason.
   * @default undefined
   */
  readonly signal?: AbortSignal;
}

/** One injection of a chaos test, with its fate. */
export interface ChaosTestInjection extends InjectionRecord {
  /** The operation (iteration) it happened in; -1 outside any (e.g. a leaked background call). */
  readonly operation: number;
  /** True when its operation succeeded anyway. */
  readonly recovered: boolean;
  /** One line saying what was injected where. */
  readonly message: string;
  /** The error the operation failed with, when it threw. */
  readonly error?: ErrorSummary;
}

/** An operation that did not succeed. */
export interface FailedOperation {
  readonly operation: number;
  /** True when it threw (a crash); false when `isSuccess` rejected its result. */
  readonly crashed: boolean;
  readonly error?: ErrorSummary;
  /** How many injections it had. */
  readonly injections: number;
}

/**
 * The outcome of a chaos test.
 *
 * A **recovery** is an injection whose operation still succeeded (e.g. a retry or a fallback
 * absorbed it); a **failed recovery** is an injection whose operation did not. A **crash** is an
 * operation that threw, whatever the cause (counted once per operation). So
 * `successfulRecoveries + failedRecoveries === totalInjections`, and `recoveryRate` is
 * `successfulRecoveries / totalInjections` (1 when nothing was injected).
 */
export interface ChaosTestResult {
  readonly seed: string;
  /** Time the run took on the engine's clock. */
  readonly durationMs: number;
  /** Operations run. */
  readonly operations: number;
  /** Operations that did not succeed. */
  readonly failedOperations: readonly FailedOperation[];
  /** Faults applied (masked ones excluded). */
  readonly totalInjections: number;
  /** Applied faults by kind. */
  readonly injectionsByType: Readonly<Record<string, number>>;
  readonly successfulRecoveries: number;
  readonly failedRecoveries: number;
  readonly crashes: number;
  readonly recoveryRate: number;
  /** Every applied injection with its fate, in order. */
  readonly injections: readonly ChaosTestInjection[];
  /** Why injection stopped, if it stopped before the end. */
  readonly stopReason: StopReason | undefined;
  /** When the kill switch tripped: what tripped it and why. */
  readonly killSwitch: { readonly trigger: KillSwitchTrigger; readonly detail: string } | undefined;
  /** The journal (empty when the config keeps none). */
  readonly journal: readonly JournalEntry[];
}

/**
 * Runs a program under chaos and measures how it copes.
 *
 * @example
 * ```ts
 * const engine = new ChaosEngine({ enabled: true, seed: 7, failureRate: 0.3, types: ['network'] });
 * const result = await engine.runChaosTest(() => agent.run(task), { iterations: 100 });
 * expectResilient(result, { minRecoveryRate: 0.9, maxCrashes: 0 });
 * ```
 */
export class ChaosEngine {
  readonly #config: ResolvedChaosConfig;

  /** Validates `config` now (see `resolveChaosConfig`); the seed is fixed for every run. */
  constructor(config: ChaosConfig) {
    this.#config = resolveChaosConfig(config);
  }

  /** The seed every run of this engine uses. */
  get seed(): string {
    return this.#config.seed;
  }

  /**
   * Runs `fn` `iterations` times inside a fresh chaos scope (same seed each run, so a run
   * replays) and reports injections, recoveries and crashes. Operations run one after another.
   */
  async runChaosTest<T>(
    fn: (context: ChaosTestContext) => T | PromiseLike<T>,
    options: ChaosTestOptions<T> = {},
  ): Promise<ChaosTestResult> {
    const iterations = options.iterations ?? 1;
    if (!Number.isInteger(iterations) || iterations < 1) {
      invalid('runChaosTest', 'iterations', iterations, 'an integer >= 1');
    }
    const { signal } = options;
    const isSuccess = options.isSuccess ?? (() => true);
    const isAborted = (): boolean => signal?.aborted === true;
    const scope = new ChaosScope(this.#config);
    const never = new AbortController().signal;
    const outcomes: { frame: OperationFrame; ok: boolean; crashed: boolean; error?: unknown }[] =
      [];
    let removeAbort = (): void => {};
    let abortWait: Promise<never> | undefined;
    if (signal !== undefined) {
      abortWait = new Promise<never>((_, reject) => {
        removeAbort = onAbort(signal, () => {
          scope.abort('the chaos test was aborted by its signal');
          reject(signal.reason as Error);
        });
      });
      abortWait.catch(() => undefined);
    }
    ambient.runs++;
    try {
      for (let iteration = 0; iteration < iterations && !isAborted(); iteration++) {
        const frame: OperationFrame = { index: iteration, injections: [] };
        const context: ChaosTestContext = { iteration, scope, signal: signal ?? never };
        try {
          const work = frameStorage.run({ scope, operation: frame }, () =>
            Promise.resolve().then(() => fn(context)),
          );
          const result = await (abortWait === undefined ? work : Promise.race([work, abortWait]));
          outcomes.push({ frame, ok: isSuccess(result), crashed: false });
        } catch (error) {
          if (isAborted()) break;
          outcomes.push({ frame, ok: false, crashed: true, error });
        }
      }
    } finally {
      ambient.runs--;
      removeAbort();
      scope.end();
    }
    if (isAborted()) throw signal?.reason as Error;

    const injections: ChaosTestInjection[] = [];
    const seen = new Set<number>();
    const failedOperations: FailedOperation[] = [];
    for (const { frame, ok, crashed, error } of outcomes) {
      const summary = error === undefined ? undefined : summariseError(error);
      for (const record of frame.injections) {
        seen.add(record.seq);
        injections.push({
          ...record,
          operation: frame.index,
          recovered: ok,
          message: describeInjection(record),
          ...(summary === undefined ? {} : { error: summary }),
        });
      }
      if (!ok) {
        failedOperations.push({
          operation: frame.index,
          crashed,
          ...(summary === undefined ? {} : { error: summary }),
          injections: frame.injections.length,
        });
      }
    }
    for (const record of scope.journal.injections) {
      if (record.outcome === 'injected' && !seen.has(record.seq)) {
        injections.push({
          ...record,
          operation: -1,
          recovered: false,
          message: describeInjection(record),
        });
      }
    }
    injections.sort((a, b) => a.seq - b.seq);
    const injectionsByType: Record<string, number> = {};
    for (const i of injections) injectionsByType[i.kind] = (injectionsByType[i.kind] ?? 0) + 1;
    const successfulRecoveries = injections.filter((i) => i.recovered).length;
    const stop = scope.stopped;
    return {
      seed: scope.seed,
      durationMs: scope.clock.now() - scope.startedAt,
      operations: outcomes.length,
      failedOperations,
      totalInjections: injections.length,
      injectionsByType,
      successfulRecoveries,
      failedRecoveries: injections.length - successfulRecoveries,
      crashes: failedOperations.filter((f) => f.crashed).length,
      recoveryRate: injections.length === 0 ? 1 : successfulRecoveries / injections.length,
      injections,
      stopReason: stop === undefined || stop.reason === 'scope-end' ? undefined : stop.reason,
      killSwitch:
        stop?.trigger === undefined ? undefined : { trigger: stop.trigger, detail: stop.detail },
      journal: scope.journal.entries,
    };
  }
}
