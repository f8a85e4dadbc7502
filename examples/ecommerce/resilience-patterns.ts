import {
  agentBulkhead,
  defaultResilienceSettings,
  toolBulkhead,
  type ResilienceSettings,
} from './resilience-kit.ts';
import type { ToolName } from './tools.ts';

const tools: readonly ToolName[] = ['upload-image', 'publish-product', 'schedule-campaign'];
const agents = ['product', 'marketing'] as const;

/**
 * The resilience patterns the example runs with, named as its policies name themselves, in the
 * shape the reliability report's "patterns in place" and runbook sections read.
 */
export function resiliencePatterns(settings: ResilienceSettings = defaultResilienceSettings) {
  const threshold = `${settings.breakerThreshold} consecutive failures`;
  return {
    breakers: [
      {
        name: 'llm-breaker',
        protects: 'the language model',
        threshold,
        resetTimeoutMs: settings.breakerResetMs,
        fallback: 'template text',
      },
      ...tools.map((tool) => ({
        name: `${tool}-breaker`,
        protects: `the ${tool} tool`,
        threshold,
        resetTimeoutMs: settings.breakerResetMs,
      })),
    ],
    bulkheads: [
      ...agents.map((agent) => ({
        name: `${agent}-bulkhead`,
        protects: `the ${agent} agent`,
        maxConcurrent: agentBulkhead.maxConcurrent,
        maxQueue: agentBulkhead.maxQueued,
      })),
      ...tools.map((tool) => ({
        name: `${tool}-bulkhead`,
        protects: `the ${tool} tool`,
        maxConcurrent: toolBulkhead.maxConcurrent,
        maxQueue: toolBulkhead.maxQueued,
      })),
    ],
    fallbacks: [
      {
        name: 'product:describe-product-fallback',
        for: 'product description (LLM)',
        serves: 'the template description',
      },
      {
        name: 'marketing:draft-campaign-fallback',
        for: 'campaign draft (LLM)',
        serves: 'the template campaign',
      },
      {
        name: 'marketing:review-fallback',
        for: 'campaign review loop',
        serves: 'the current draft, approved as is',
      },
    ],
    retries: [
      {
        name: 'llm-retry',
        for: 'the language model',
        maxAttempts: settings.llmAttempts,
        backoff: 'exponential from 2 s to 20 s, full jitter; no retry on quota or context length',
      },
      ...tools.map((tool) => ({
        name: `${tool}-retry`,
        for: `the ${tool} tool`,
        maxAttempts: settings.toolAttempts,
        backoff: 'exponential from 1 s to 8 s, full jitter',
      })),
      {
        name: 'handoff-retry',
        for: 'the product → marketing hand-off',
        maxAttempts: settings.handoffAttempts,
        backoff: 'constant 100 ms',
      },
      {
        name: 'checkpoint-retry',
        for: 'checkpoint saves and loads',
        maxAttempts: settings.storeAttempts,
        backoff: 'constant 50 ms',
      },
    ],
    timeouts: [
      { name: 'llm-timeout', for: 'each model call', ms: settings.llmTimeoutMs },
      ...tools.map((tool) => ({
        name: `${tool}-timeout`,
        for: `each ${tool} call`,
        ms: settings.toolTimeoutMs,
      })),
      { name: 'handoff-timeout', for: 'the hand-off', ms: settings.handoffTimeoutMs },
      ...agents.map((agent) => ({
        name: `${agent}-timeout`,
        for: `the ${agent} agent`,
        ms: settings.agentTimeoutMs,
      })),
    ],
    selfHealing: {
      agents: ['orchestrator', ...agents],
      supervised: [...agents],
      threshold: 0.8,
      maxHealingAttempts: settings.maxRestarts,
    },
  };
}
