export {
  CircuitBreaker,
  circuitBreaker,
  type CircuitBreakerOptions,
  type CircuitIsolation,
} from './circuit-breaker.ts';
export type { CircuitState } from './circuit-state.ts';
export type {
  BreakReason,
  CircuitBreakEvent,
  CircuitFailureEvent,
  CircuitHalfOpenEvent,
  CircuitRejectedEvent,
  CircuitResetEvent,
  CircuitStateChangeEvent,
  CircuitSuccessEvent,
  ResetReason,
} from './circuit-breaker-events.ts';
export type {
  CircuitBreakerSnapshot,
  CircuitBreakerSnapshotInput,
} from './circuit-breaker-snapshot.ts';
export type { BreakingStrategy, StrategyBreakReason } from './breaking-strategy.ts';
export { consecutiveFailures, type ConsecutiveFailuresOptions } from './consecutive-failures.ts';
export { countWindow, type CountWindowOptions } from './count-window.ts';
export { timeWindow, type TimeWindowOptions } from './time-window.ts';
export type { FailureRateOptions } from './failure-rate-options.ts';
