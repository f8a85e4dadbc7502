/**
 * The name of every `node:diagnostics_channel` channel faultline publishes on, in one table, so
 * an observer (the metrics recorder, a tracer, a log shipper) can subscribe without importing the
 * producers. Each message is a {@link ChannelMessage}: `{ source, event }`.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe(channelNames.circuitBreak, (message) => console.log('breaker opened', message));
 * ```
 */
export const channelNames = {
  retry: 'faultline:policy:retry',
  retryGiveUp: 'faultline:policy:retry-give-up',
  retrySuccess: 'faultline:policy:retry-success',
  fallback: 'faultline:policy:fallback',
  hedge: 'faultline:policy:hedge',
  timeout: 'faultline:policy:timeout',
  bulkheadRejected: 'faultline:policy:bulkhead-rejected',
  rateLimited: 'faultline:policy:rate-limited',
  loopDetected: 'faultline:policy:loop-detected',
  budgetExceeded: 'faultline:policy:budget-exceeded',
  budgetUsage: 'faultline:policy:budget-usage',
  circuitBreak: 'faultline:policy:circuit-breaker-break',
  circuitHalfOpen: 'faultline:policy:circuit-breaker-half-open',
  circuitReset: 'faultline:policy:circuit-breaker-reset',
  circuitStateChange: 'faultline:policy:circuit-breaker-state-change',
  circuitSuccess: 'faultline:policy:circuit-breaker-success',
  circuitFailure: 'faultline:policy:circuit-breaker-failure',
  circuitRejected: 'faultline:policy:circuit-breaker-rejected',
  faultInjected: 'faultline:faults:injected',
  killSwitch: 'faultline:faults:kill-switch',
  chaosStopped: 'faultline:faults:stopped',
} as const;

/** Key of {@link channelNames}. */
export type ChannelKey = keyof typeof channelNames;
