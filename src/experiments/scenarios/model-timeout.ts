import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

/**
 * ModelTimeout: the LLM takes more than 60 s (65 to 115 s) to answer every call. Injection site
 * `llm.generate`.
 *
 * Expected: each attempt is cut at the 30 s LLM timeout, retried twice with backoff, then the
 * agents fall back to templates: the run completes, degraded, with the timeout as the reported
 * reason.
 */
export const modelTimeout = defineScenario({
  name: 'ModelTimeout',
  title: 'The LLM takes more than 60 s to answer',
  description:
    'Every model call answers 65 to 115 s late (a latency fault of 90 s ± 25 s on llm.generate, ' +
    'for both agents).',
  hypothesis:
    'When the LLM takes more than 60 s, each attempt is cut at the 30 s timeout and retried twice ' +
    'with backoff, then the agents fall back to templates: the run completes, degraded, and ' +
    'reports the timeout.',
  chaos: {
    killSwitch: false,
    faults: [
      {
        kind: 'latency',
        name: 'llm-slow',
        ms: 90_000,
        jitterMs: 25_000,
        probability: 1,
        target: { operation: 'llm.generate' },
      },
    ],
  },
  expectations: [
    line.detectionWithin(30_000),
    line.retries(2, { backoff: true, label: 'Retries per model call' }),
    line.outcome('completed', { degraded: true }),
    line.gracefulFailure(),
    line.clearFallbackReason(['timed out']),
    line.noStateCorruption(),
  ],
  tags: ['latency', 'llm', 'timeout', 'fallback'],
});
