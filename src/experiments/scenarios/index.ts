import { agentLoop } from './agent-loop.ts';
import { budgetExhausted } from './budget-exhausted.ts';
import { cascadeFailure } from './cascade-failure.ts';
import { delayedRecovery } from './delayed-recovery.ts';
import { handoffCorruption } from './handoff-corruption.ts';
import { marketingTimeout } from './marketing-timeout.ts';
import { modelTimeout } from './model-timeout.ts';
import { partialOrchestrationFailure } from './partial-orchestration-failure.ts';
import { productCrashMidUpload } from './product-crash-mid-upload.ts';
import { toolServerDown } from './tool-server-down.ts';
import type { Scenario } from './types.ts';

export type {
  Expectation,
  ExpectationCheck,
  ExpectationLine,
  ObservedRun,
  PolicyEventRecord,
  PolicyReactionType,
  Scenario,
  ScenarioChaos,
  ScenarioDefinition,
} from './types.ts';
export {
  agentName,
  analyseRun,
  type AgentOutcome,
  type Incident,
  type LivenessVerdict,
  type RunAnalysis,
} from './analyse-run.ts';
export { defineScenario } from './define-scenario.ts';
export { expectationLines } from './expectation-lines.ts';
export { formatDuration } from './format-duration.ts';
export {
  agentLoop,
  budgetExhausted,
  cascadeFailure,
  delayedRecovery,
  handoffCorruption,
  marketingTimeout,
  modelTimeout,
  partialOrchestrationFailure,
  productCrashMidUpload,
  toolServerDown,
};

/**
 * The ten built-in scenarios, written against the reference e-commerce system's injection sites
 * (`agent:product`, `agent:marketing`, `llm.generate`, `llm:<task>`, `tool:<name>`,
 * `handoff:product->marketing`) and its default resilience settings.
 */
export const builtinScenarios: readonly Scenario[] = Object.freeze([
  productCrashMidUpload,
  marketingTimeout,
  handoffCorruption,
  delayedRecovery,
  cascadeFailure,
  toolServerDown,
  modelTimeout,
  agentLoop,
  partialOrchestrationFailure,
  budgetExhausted,
]);

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The scenario called `name` among `scenarios`, ignoring case, dashes and underscores
 * (`ToolServerDown`, `tool-server-down`, `tool_server_down`); `undefined` when none is.
 */
export function findScenario(
  name: string,
  scenarios: readonly Scenario[] = builtinScenarios,
): Scenario | undefined {
  const key = normalise(name);
  return scenarios.find((s) => normalise(s.name) === key);
}
