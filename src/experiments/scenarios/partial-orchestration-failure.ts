import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

/**
 * PartialOrchestrationFailure: one agent of the chain fails for good (the marketing agent crashes
 * on every attempt) while the others succeed. Injection site `agent:marketing`.
 *
 * Expected: the supervisor restarts it 3 times, then escalates; the run fails gracefully with an
 * error naming the marketing agent, and the product agent's result (the published listing) stays
 * intact: no campaign scheduled, nothing done twice.
 */
export const partialOrchestrationFailure = defineScenario({
  name: 'PartialOrchestrationFailure',
  title: 'One agent in the chain fails, the others succeed',
  description:
    'The marketing agent crashes on every attempt (a crash fault on agent:marketing with no ' +
    'limit), while the product agent works normally.',
  hypothesis:
    'When one agent of the chain keeps failing, the supervisor restarts it 3 times then escalates; ' +
    'the run fails gracefully with an error naming that agent, and the other agents’ results stay ' +
    'intact.',
  chaos: {
    killSwitch: false,
    faults: [
      {
        kind: 'crash',
        name: 'marketing-down',
        probability: 1,
        target: { operation: 'agent:marketing' },
      },
    ],
  },
  expectations: [
    line.agentOutcome('product', 'completed'),
    line.agentOutcome('marketing', 'failed'),
    line.restarts('marketing', 3),
    line.healing(0, 1),
    line.outcome('failed'),
    line.gracefulFailure(),
    line.clearError(['marketing']),
    line.noStateCorruption({
      forbidden: { prefix: 'schedule:', what: 'no campaign scheduled, nothing done twice' },
    }),
  ],
  tags: ['crash', 'escalation', 'partial-failure', 'supervisor'],
});
