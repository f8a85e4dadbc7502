export {
  chaosMiddleware,
  type ChaosMiddleware,
  type ChaosMiddlewareOptions,
} from './chaos-middleware.ts';
export {
  resilienceMiddleware,
  type IncompleteResponseEvent,
  type ModelDecision,
  type ModelDecisionEvent,
  type ModelPricing,
  type ResilienceMiddleware,
  type ResilienceMiddlewareOptions,
} from './resilience-middleware.ts';
export {
  isModelCallTransform,
  llmFaultKinds,
  registerLlmFaultKinds,
  type LlmFaultSpec,
  type LlmStreamFaultSpec,
  type LlmStreamMode,
  type LlmToolArgsFaultSpec,
  type LlmToolArgsMode,
  type LlmTruncateFaultSpec,
  type LlmUsageFaultSpec,
  type ModelCall,
} from './llm-fault-kinds.ts';
export {
  IncompleteResponseError,
  isIncompleteResponseError,
  type IncompleteReason,
} from './incomplete-response-error.ts';
export { isRetryableModelError } from './model-error-classifier.ts';
export { modelRetrySchedule, type ModelRetryScheduleOptions } from './model-retry-schedule.ts';
export {
  isIncompleteFinish,
  monitorStream,
  primeStream,
  type IncompleteDetails,
  type StreamMonitorOptions,
} from './stream-monitor.ts';
export { toModelError, type ModelIdentity } from './to-model-error.ts';
