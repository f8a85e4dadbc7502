import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

function alwaysRevise(value: unknown): unknown {
  return typeof value === 'object' && value !== null
    ? { ...value, verdict: 'revise' }
    : { verdict: 'revise', notes: 'More energy.' };
}

/**
 * AgentLoop: the LLM reviewer never approves the marketing campaign, so the agent would repeat
 * the same review forever. Injection site `llm:review-campaign` (a hallucination turning every
 * verdict into `revise`).
 *
 * Expected: the loop guard stops the repetition after at most 10 repeats and the agent falls back
 * to its template campaign: the run completes, degraded, reporting the loop.
 */
export const agentLoop = defineScenario({
  name: 'AgentLoop',
  title: 'The agent repeats the same action more than 10 times',
  description:
    'The model’s review of the campaign always answers "revise", so the marketing agent keeps ' +
    'reviewing the same draft (a hallucination fault on llm:review-campaign on every call).',
  hypothesis:
    'When the agent repeats the same action, the loop guard stops it after at most 10 repeats and ' +
    'the agent falls back to a template: the run completes, degraded, and reports the loop.',
  chaos: {
    killSwitch: false,
    faults: [
      {
        kind: 'hallucination',
        name: 'review-never-approves',
        mutate: alwaysRevise,
        probability: 1,
        target: { operation: 'llm:review-campaign' },
      },
    ],
  },
  expectations: [
    line.loopStopped(10),
    line.outcome('completed', { degraded: true }),
    line.gracefulFailure(),
    line.clearFallbackReason(['LoopDetectedError']),
    line.noStateCorruption(),
  ],
  tags: ['hallucination', 'loop', 'loop-guard', 'fallback', 'marketing-agent'],
});
