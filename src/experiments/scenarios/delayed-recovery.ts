import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

/**
 * DelayedRecovery: the marketing agent responds slowly (20 to 100 s, once per run) but is alive.
 * Injection site `agent:marketing`.
 *
 * Expected: the system waits for it instead of declaring it dead (false positives are counted:
 * the metrics' liveness figures), and the run completes at full quality with no restart.
 */
export const delayedRecovery = defineScenario({
  name: 'DelayedRecovery',
  title: 'An agent responds slowly but is alive',
  description:
    'The marketing agent takes 20 to 100 s longer than usual to answer (a latency fault of ' +
    '60 s ± 40 s on agent:marketing, at most once per run); it is slow, not dead.',
  hypothesis:
    'When the marketing agent is slow but alive, the system does not declare it dead too early: ' +
    'no restart (no false positive), and the run completes at full quality.',
  chaos: {
    killSwitch: false,
    faults: [
      {
        kind: 'latency',
        name: 'marketing-slow',
        ms: 60_000,
        jitterMs: 40_000,
        probability: 1,
        maxInjections: 1,
        target: { operation: 'agent:marketing' },
      },
    ],
  },
  expectations: [
    line.noFalsePositives(),
    line.restarts('marketing', 0),
    line.outcome('completed', { degraded: false }),
    line.gracefulFailure(),
    line.noStateCorruption(),
  ],
  tags: ['latency', 'liveness', 'false-positive', 'marketing-agent'],
});
