import type { Clock, JsonObject } from '../../core/index.ts';

/** Why a {@link BreakingStrategy} asks its breaker to open. */
export type StrategyBreakReason = 'consecutive-failures' | 'failure-rate' | 'slow-call-rate';

/**
 * Decides when a closed circuit breaker opens. It sees every outcome recorded while the breaker
 * is closed; the breaker freezes it while open and resets it when it closes again.
 *
 * The built-in strategies are {@link consecutiveFailures}, {@link countWindow} and
 * {@link timeWindow}. Each instance holds the counts of one breaker: create one per breaker.
 */
export interface BreakingStrategy {
  /**
   * Short name of the strategy, e.g. `'count-window'`. Snapshots carry it, so a saved state is
   * restored only into a breaker using the same kind of strategy.
   */
  readonly kind: string;
  /** The settings the strategy was created with, for reports and runbooks. */
  readonly settings: Readonly<Record<string, number | undefined>>;
  /**
   * True when the breaker must time each call (slow-call counting). When false, the breaker
   * does not read the clock on the success path and passes `NaN` as the duration.
   */
  readonly measuresDuration: boolean;
  /** Failures currently counted: consecutive failures, or failures inside the window. */
  readonly failureCount: number;
  /** Called once by the breaker that adopts the strategy, with that breaker's clock. */
  attach(clock: Clock): void;
  /**
   * Records a success while closed.
   * @param durationMs - the call's duration, or `NaN` when {@link measuresDuration} is false.
   * @returns why the breaker should open now, or `undefined` to stay closed.
   */
  recordSuccess(durationMs: number): StrategyBreakReason | undefined;
  /**
   * Records a failure while closed.
   * @param durationMs - the call's duration, or `NaN` when {@link measuresDuration} is false.
   * @returns why the breaker should open now, or `undefined` to stay closed.
   */
  recordFailure(durationMs: number): StrategyBreakReason | undefined;
  /** Forgets every recorded outcome (the breaker has closed). */
  reset(): void;
  /** The strategy's own part of a snapshot; always includes `kind`. */
  toJSON(): JsonObject & { readonly kind: string };
  /**
   * Restores the counts from {@link toJSON}'s output. `state` is `undefined` when the snapshot
   * has no strategy part; `failureCount` is the snapshot's top-level count. Throws an
   * `InvalidOptionError` naming `path` when the state is malformed.
   */
  restore(
    state: Readonly<Record<string, unknown>> | undefined,
    failureCount: number,
    path: string,
  ): void;
}
