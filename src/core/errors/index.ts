export { FaultlineError, isFaultlineError, type FaultlineErrorOptions } from './faultline-error.ts';
export { BulkheadRejectedError, isBulkheadRejectedError } from './bulkhead-rejected-error.ts';
export { CircuitOpenError, isCircuitOpenError } from './circuit-open-error.ts';
export { TimeoutError, isTimeoutError } from './timeout-error.ts';
export { RateLimitedError, isRateLimitedError } from './rate-limited-error.ts';
export { BudgetExceededError, isBudgetExceededError } from './budget-exceeded-error.ts';
export { LoopDetectedError, isLoopDetectedError } from './loop-detected-error.ts';
export { InvalidOptionError, isInvalidOptionError } from './invalid-option-error.ts';
