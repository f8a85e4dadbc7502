export type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from './types.ts';
export { wrap } from './wrap.ts';
export {
  RetryPolicy,
  defaultShouldRetry,
  retry,
  type RetryClassOptions,
  type RetryEvent,
  type RetryGiveUpEvent,
  type RetryGiveUpReason,
  type RetryOptions,
  type RetrySuccessEvent,
} from './retry.ts';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.ts';
export { defaultErrorClassifier, type ErrorClass } from './error-classifier.ts';
export * from './circuit-breaker/index.ts';
export {
  TimeoutPolicy,
  timeout,
  type TimeoutEvent,
  type TimeoutOptions,
  type TimeoutStrategy,
} from './timeout.ts';
export {
  BulkheadPolicy,
  bulkhead,
  type BulkheadOptions,
  type BulkheadRejectEvent,
} from './bulkhead.ts';
export { Compartments, compartments, type CompartmentsOptions } from './compartments.ts';
export * from './rate-limit/index.ts';
export {
  FallbackChain,
  FallbackPolicy,
  fallback,
  fallbackChain,
  type FallbackAlternative,
  type FallbackEvent,
  type FallbackHandler,
  type FallbackOptions,
  type FallbackReport,
} from './fallback.ts';
export { HedgePolicy, hedge, type HedgeEvent, type HedgeOptions } from './hedge.ts';
export {
  LoopGuard,
  loopGuard,
  type LoopDetectedEvent,
  type LoopGuardOptions,
} from './loop-guard.ts';
export {
  BudgetGuard,
  budgetGuard,
  type BudgetExceededEvent,
  type BudgetGuardOptions,
  type BudgetUsage,
  type Usage,
  type UsageEvent,
} from './budget-guard.ts';
