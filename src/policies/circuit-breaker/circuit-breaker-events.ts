import type { StrategyBreakReason } from './breaking-strategy.ts';
import type { CircuitState } from './circuit-state.ts';

/**
 * Why a breaker opened: its strategy tripped, a half-open probe failed, or someone isolated it
 * by hand.
 */
export type BreakReason = StrategyBreakReason | 'half-open-failure' | 'isolated';

/** Why a breaker closed again. */
export type ResetReason = 'half-open-success' | 'manual' | 'released';

/** Sent by `onBreak` when the breaker opens (or is isolated). */
export interface CircuitBreakEvent {
  readonly reason: BreakReason;
  /** The failure that opened it (`undefined` for an isolation or a rate reached on a success). */
  readonly error: unknown;
  /** Failures counted by the strategy when it opened. */
  readonly failureCount: number;
  /** Openings since the breaker was last closed, this one included. */
  readonly tripCount: number;
  /** How long it stays open before letting a probe through (0 when isolated: until released). */
  readonly retryAfterMs: number;
  /** Clock time of the opening. */
  readonly at: number;
}

/** Sent by `onHalfOpen` when the reset timeout has elapsed and the breaker lets probes through. */
export interface CircuitHalfOpenEvent {
  /** Openings since the breaker was last closed. */
  readonly tripCount: number;
  readonly at: number;
}

/** Sent by `onReset` when the breaker closes again. */
export interface CircuitResetEvent {
  readonly reason: ResetReason;
  readonly at: number;
}

/** Sent by `onStateChange` on every transition, before the matching break/half-open/reset event. */
export interface CircuitStateChangeEvent {
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly at: number;
}

/** Sent by `onSuccess` for each success the breaker counts (closed or half-open). */
export interface CircuitSuccessEvent {
  readonly state: 'closed' | 'half-open';
  readonly at: number;
}

/** Sent by `onFailure` for each failure the breaker counts (closed or half-open). */
export interface CircuitFailureEvent {
  readonly error: unknown;
  readonly state: 'closed' | 'half-open';
  readonly at: number;
}

/** Sent by `onRejected` for each call refused without running. */
export interface CircuitRejectedEvent {
  readonly state: 'open' | 'half-open' | 'isolated';
  readonly retryAfterMs: number;
  readonly at: number;
}
