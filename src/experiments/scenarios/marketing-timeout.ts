import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

/**
 * MarketingTimeout: after the hand-off, the marketing agent stops answering (it hangs, once per
 * run). Injection site `agent:marketing`.
 *
 * Expected: its 2-minute deadline detects the hang, the supervisor restarts it, the run completes
 * at full quality, and the product agent's work (the published listing) is not redone.
 */
export const marketingTimeout = defineScenario({
  name: 'MarketingTimeout',
  title: 'The marketing agent times out after the hand-off',
  description:
    'Once the product agent has handed its listing over, the marketing agent hangs and never ' +
    'answers (a hang fault on agent:marketing, at most once per run).',
  hypothesis:
    'When the marketing agent hangs after the hand-off, its 2-minute deadline detects it, the ' +
    'supervisor restarts it, and the run completes without redoing the product agent’s work.',
  chaos: {
    killSwitch: false,
    faults: [
      {
        kind: 'hang',
        name: 'marketing-hang',
        probability: 1,
        maxInjections: 1,
        target: { operation: 'agent:marketing' },
      },
    ],
  },
  expectations: [
    line.detectionWithin(120_000),
    line.restarts('marketing', 1),
    line.agentOutcome('product', 'completed'),
    line.outcome('completed', { degraded: false }),
    line.gracefulFailure(),
    line.noStateCorruption(),
  ],
  tags: ['hang', 'timeout', 'supervisor', 'marketing-agent'],
});
