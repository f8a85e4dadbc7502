export {
  createEcommerceWorkflow,
  type EcommerceRunContext,
  type EcommerceRunResult,
  type EcommerceRunStats,
  type EcommerceWorkflow,
  type EcommerceWorkflowOptions,
  type StepStatus,
} from './workflow.ts';
export { sampleProductInput } from './sample-input.ts';
export { driveVirtualTime, IoGate } from './io-gate.ts';
export {
  ScriptedLanguageModel,
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type LanguageModel,
  type ScriptedLanguageModelOptions,
} from './llm.ts';
export {
  EcommerceTools,
  FileToolBackend,
  MemoryToolBackend,
  type ToolBackend,
  type ToolName,
  type ToolStats,
  publishResultSchema,
  scheduleResultSchema,
  uploadResultSchema,
} from './tools.ts';
export {
  agentBulkhead,
  defaultResilienceSettings,
  toolBulkhead,
  type ResilienceSettings,
} from './resilience-kit.ts';
export { resiliencePatterns } from './resilience-patterns.ts';
export {
  InvalidProductError,
  isInvalidProductError,
  isToolUnavailableError,
  ModelOutputError,
  ReviewLoopError,
  ToolOutputError,
  ToolUnavailableError,
} from './errors.ts';
export * from './schemas.ts';
